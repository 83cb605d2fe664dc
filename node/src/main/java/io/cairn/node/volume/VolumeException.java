package io.cairn.node.volume;

/**
 * A volume operation that failed, with what a frontend needs to act on it: the kind (mapped to a
 * protocol error code, never parsed from the message), the volume and the byte range.
 */
public final class VolumeException extends RuntimeException {

  /** What went wrong, in the terms a block protocol can report. */
  public enum Kind {
    /** The range lies (partly) outside the volume. */
    OUT_OF_RANGE,
    /** The arguments are malformed (negative length, too large a request). */
    INVALID_ARGUMENT,
    /** No space left to store the write. */
    NO_SPACE,
    /** Stored data could not be read back intact and could not be reconstructed. */
    IO_ERROR,
    /** Too much work is in flight; the caller should retry later. */
    BUSY,
    /** The volume is not (or no longer) served here. */
    NOT_AVAILABLE
  }

  private final Kind kind;
  private final String volume;
  private final long offset;
  private final long length;

  public VolumeException(Kind kind, String volume, long offset, long length, String message) {
    this(kind, volume, offset, length, message, null);
  }

  public VolumeException(
      Kind kind, String volume, long offset, long length, String message, Throwable cause) {
    super(volume + " [" + offset + ", +" + length + "): " + message, cause);
    this.kind = kind;
    this.volume = volume;
    this.offset = offset;
    this.length = length;
  }

  public Kind kind() {
    return kind;
  }

  public String volume() {
    return volume;
  }

  public long offset() {
    return offset;
  }

  public long length() {
    return length;
  }
}
