/*
 * Compressed bytes did not decode to exactly the expected original length: they are corrupt (or
 * were written by another codec). Raised instead of returning partial or garbage output.
 */
package io.cairn.offload.compress;

public final class DecompressionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Codec codec;
  private final int expectedBytes;

  public DecompressionException(Codec codec, int expectedBytes, String detail, Throwable cause) {
    super(codec + " input does not decode to " + expectedBytes + " bytes: " + detail, cause);
    this.codec = codec;
    this.expectedBytes = expectedBytes;
  }

  public Codec codec() { return codec; }

  public int expectedBytes() { return expectedBytes; }
}
