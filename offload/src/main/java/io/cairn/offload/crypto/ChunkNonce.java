/*
 * What a reader needs, besides the data key, to open a sealed chunk: the session salt from which
 * the chunk's AES key was derived, and the counter that forms its GCM nonce (see VolumeCipher).
 * Stored in the chunk header; 24 bytes, big-endian.
 */
package io.cairn.offload.crypto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

public record ChunkNonce(long saltHigh, long saltLow, long counter) {
  /** Encoded size: 16 salt bytes and an 8-byte counter. */
  public static final int BYTES = 24;

  /** Reads 24 bytes at {@code buffer}'s position and advances it. */
  public static ChunkNonce readFrom(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    if (buffer.remaining() < BYTES) {
      throw new IllegalArgumentException("buffer: a chunk nonce needs " + BYTES + " bytes, "
          + buffer.remaining() + " remain");
    }
    ByteBuffer view = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    int at = buffer.position();
    buffer.position(at + BYTES);
    return new ChunkNonce(view.getLong(at), view.getLong(at + 8), view.getLong(at + 16));
  }

  /** Writes 24 bytes at {@code buffer}'s position and advances it. */
  public ByteBuffer writeTo(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    if (buffer.isReadOnly()) {
      throw new IllegalArgumentException("buffer: is read-only");
    }
    if (buffer.remaining() < BYTES) {
      throw new IllegalArgumentException("buffer: a chunk nonce needs " + BYTES + " bytes, "
          + buffer.remaining() + " remain");
    }
    ByteBuffer view = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    int at = buffer.position();
    view.putLong(at, saltHigh).putLong(at + 8, saltLow).putLong(at + 16, counter);
    return buffer.position(at + BYTES);
  }
}
