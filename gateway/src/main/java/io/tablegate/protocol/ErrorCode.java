package io.tablegate.protocol;

/** Error codes of the Delta Sharing protocol, each with the HTTP status it travels with. */
public enum ErrorCode {
  RESOURCE_DOES_NOT_EXIST(404),
  INVALID_PARAMETER_VALUE(400),
  MALFORMED_REQUEST(400),
  UNSUPPORTED_OPERATION(400),
  UNAUTHENTICATED(401),
  PERMISSION_DENIED(403),
  RESOURCE_EXHAUSTED(429),
  /** Admin API only: a share, schema, table or recipient of that name exists already. */
  RESOURCE_ALREADY_EXISTS(409),
  TEMPORARILY_UNAVAILABLE(503),
  INTERNAL_ERROR(500);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
