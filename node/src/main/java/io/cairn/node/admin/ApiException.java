package io.cairn.node.admin;

/**
 * A request the API refuses, with the HTTP status and the request field at fault. Thrown while
 * reading a request; turned into {@code {"error": ..., "field": ...}} by {@link ApiResponses}.
 */
final class ApiException extends RuntimeException {

  private final int status;
  private final String field;

  ApiException(int status, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  static ApiException badRequest(String field, String message) {
    return new ApiException(400, field, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, null, message);
  }

  int status() {
    return status;
  }

  /** The request field at fault, or null. */
  String field() {
    return field;
  }
}
