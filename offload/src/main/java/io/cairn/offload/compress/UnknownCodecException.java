/* A chunk names a codec id this build does not know: corrupt, or written by a newer format. */
package io.cairn.offload.compress;

public final class UnknownCodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int codecId;

  public UnknownCodecException(int codecId) {
    super("unknown compression codec id " + codecId);
    this.codecId = codecId;
  }

  public int codecId() { return codecId; }
}
