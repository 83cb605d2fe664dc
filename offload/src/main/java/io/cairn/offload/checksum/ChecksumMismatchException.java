/*
 * The stored CRC32C of a byte range does not match its bytes: the range is corrupt and must be
 * reconstructed from other shards, never returned.
 */
package io.cairn.offload.checksum;

public final class ChecksumMismatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int expectedCrc;
  private final int actualCrc;
  private final int offset;
  private final int lengthBytes;

  public ChecksumMismatchException(int expectedCrc, int actualCrc, int offset, int lengthBytes) {
    super(String.format("CRC32C mismatch over [%d, %d): expected %08x, computed %08x",
        offset, offset + lengthBytes, expectedCrc, actualCrc));
    this.expectedCrc = expectedCrc;
    this.actualCrc = actualCrc;
    this.offset = offset;
    this.lengthBytes = lengthBytes;
  }

  public int expectedCrc() { return expectedCrc; }

  public int actualCrc() { return actualCrc; }

  public int offset() { return offset; }

  public int lengthBytes() { return lengthBytes; }
}
