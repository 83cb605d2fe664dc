/*
 * CRC32C (Castagnoli) of byte ranges, as every shard of a sealed segment carries one.
 *
 * Guarantees: the value is the standard CRC-32C (RFC 3720, the iSCSI polynomial), the one
 * java.util.zip.CRC32C computes with the CPU's crc32 instruction; neither the position nor the limit
 * of the caller's buffer moves. Assumes: ranges are validated here once, so callers may pass
 * untrusted offsets and get a precise IndexOutOfBoundsException instead of a wrong checksum.
 *
 * CRC32C detects accidental corruption (bit rot, torn writes, a wrong offset); it is not a MAC.
 * Tampering is caught by the AES-GCM tag of each chunk, one layer up.
 */
package io.cairn.offload.checksum;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.zip.CRC32C;

public final class Crc32c {
  private Crc32c() {}

  /** The CRC32C of {@code lengthBytes} bytes of {@code buffer} starting at absolute {@code offset}. */
  public static int of(ByteBuffer buffer, int offset, int lengthBytes) {
    Objects.requireNonNull(buffer, "buffer");
    Objects.checkFromIndexSize(offset, lengthBytes, buffer.capacity());
    if (offset + lengthBytes > buffer.limit()) {
      throw new IndexOutOfBoundsException(
          "buffer: range [" + offset + ", " + (offset + lengthBytes) + ") exceeds limit " + buffer.limit());
    }
    CRC32C crc = new CRC32C();
    // A duplicate shares the bytes but not position/limit, so the caller's view is untouched.
    ByteBuffer view = buffer.duplicate();
    view.limit(offset + lengthBytes).position(offset);
    crc.update(view);
    return (int) crc.getValue();
  }

  /** The CRC32C of the bytes between {@code buffer}'s position and limit. */
  public static int of(ByteBuffer buffer) {
    Objects.requireNonNull(buffer, "buffer");
    return of(buffer, buffer.position(), buffer.remaining());
  }

  /**
   * Checks a range against the checksum stored with it.
   *
   * @throws ChecksumMismatchException when the bytes no longer match {@code expectedCrc}
   */
  public static void verify(ByteBuffer buffer, int offset, int lengthBytes, int expectedCrc) {
    int actual = of(buffer, offset, lengthBytes);
    if (actual != expectedCrc) {
      throw new ChecksumMismatchException(expectedCrc, actual, offset, lengthBytes);
    }
  }
}
