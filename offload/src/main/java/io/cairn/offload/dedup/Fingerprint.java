/*
 * The identity of a chunk: the 32-byte keyed HMAC-SHA-256 of a block's plaintext.
 *
 * Held as four longs so that equals/hashCode are the record's own (value semantics, no array
 * identity pitfalls) and a fingerprint can be a HashMap key without copying. toBytes() is the
 * big-endian concatenation of the four words, i.e. exactly the HMAC output, so the byte order of
 * RocksDB keys is the unsigned order of the HMAC bytes and fromBytes(toBytes()) is the identity.
 */
package io.cairn.offload.dedup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Objects;

public record Fingerprint(long word0, long word1, long word2, long word3) {
  /** Size of a fingerprint in bytes (the HMAC-SHA-256 output). */
  public static final int BYTES = 32;

  /** Reads 32 bytes at {@code offset} of {@code bytes}. */
  public static Fingerprint fromBytes(byte[] bytes, int offset) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.checkFromIndexSize(offset, BYTES, bytes.length);
    ByteBuffer view = ByteBuffer.wrap(bytes, offset, BYTES);
    return new Fingerprint(view.getLong(), view.getLong(), view.getLong(), view.getLong());
  }

  /** Reads exactly 32 bytes. */
  public static Fingerprint fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("bytes: a fingerprint is " + BYTES + " bytes, got " + bytes.length);
    }
    return fromBytes(bytes, 0);
  }

  /** Reads 32 bytes at {@code buffer}'s position and advances it. */
  public static Fingerprint readFrom(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    if (buffer.remaining() < BYTES) {
      throw new IllegalArgumentException(
          "buffer: a fingerprint needs " + BYTES + " bytes, " + buffer.remaining() + " remain");
    }
    // Absolute reads through a big-endian view: the caller's byte order must not change the key.
    ByteBuffer view = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    int at = buffer.position();
    buffer.position(at + BYTES);
    return new Fingerprint(view.getLong(at), view.getLong(at + 8), view.getLong(at + 16), view.getLong(at + 24));
  }

  /** The 32 HMAC bytes, e.g. as a RocksDB key. */
  public byte[] toBytes() {
    byte[] bytes = new byte[BYTES];
    ByteBuffer.wrap(bytes).putLong(word0).putLong(word1).putLong(word2).putLong(word3);
    return bytes;
  }

  /** Writes the 32 HMAC bytes at {@code buffer}'s position (big-endian whatever its order) and advances it. */
  public ByteBuffer writeTo(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    if (buffer.isReadOnly()) {
      throw new IllegalArgumentException("buffer: is read-only");
    }
    if (buffer.remaining() < BYTES) {
      throw new IllegalArgumentException(
          "buffer: a fingerprint needs " + BYTES + " bytes, " + buffer.remaining() + " remain");
    }
    ByteBuffer view = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    int at = buffer.position();
    view.putLong(at, word0).putLong(at + 8, word1).putLong(at + 16, word2).putLong(at + 24, word3);
    return buffer.position(at + BYTES);
  }

  /** Lower-case hex of the 32 bytes, for logs and the CLI. */
  public String toHex() {
    return HexFormat.of().formatHex(toBytes());
  }

  @Override
  public String toString() {
    return "Fingerprint[" + toHex() + "]";
  }
}
