package io.cairn.node.volume;

/** A control-plane operation on volumes that failed; {@link #kind()} says how to report it. */
public final class VolumeAdminException extends RuntimeException {

  /** Why it failed, in terms an API maps to a status code. */
  public enum Kind {
    /** A field of the request is invalid; {@link #field()} names it. (HTTP 400) */
    INVALID,
    /** No such volume. (HTTP 404) */
    NOT_FOUND,
    /** A volume of that name exists, or the request conflicts with its state. (HTTP 409) */
    CONFLICT,
    /** The policy cannot be placed on this cluster (too few failure domains). (HTTP 409) */
    UNPLACEABLE,
    /** Storage failed underneath. (HTTP 500) */
    INTERNAL
  }

  private final Kind kind;
  private final String field;

  public VolumeAdminException(Kind kind, String field, String message) {
    super(message);
    this.kind = kind;
    this.field = field;
  }

  public VolumeAdminException(Kind kind, String field, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.field = field;
  }

  public Kind kind() {
    return kind;
  }

  /** The request field at fault, or null when the failure is not about one field. */
  public String field() {
    return field;
  }
}
