package io.cairn.protocol.nbd;

/**
 * Bytes that do not follow the NBD protocol. The {@link Reason} tells the caller whether the
 * stream can still be trusted: after {@link Reason#BAD_MAGIC} or {@link Reason#TRUNCATED} it cannot
 * be re-synchronised, after {@link Reason#MALFORMED_OPTION} the option's length was still known
 * and the session can continue with an error reply.
 */
public final class NbdProtocolException extends RuntimeException {

  /** What was wrong with the bytes. */
  public enum Reason {
    /** A message did not start with the magic number its position requires. */
    BAD_MAGIC,
    /** A message ended before the fields its header announced. */
    TRUNCATED,
    /** An option's data does not have the layout the option requires. */
    MALFORMED_OPTION,
    /** A string is longer than the protocol allows or not valid UTF-8. */
    BAD_STRING
  }

  private final Reason reason;

  public NbdProtocolException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
