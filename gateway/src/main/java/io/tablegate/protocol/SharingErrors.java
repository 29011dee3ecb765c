package io.tablegate.protocol;

/** The one place that builds recipient-facing errors, so their wording stays consistent. */
public final class SharingErrors {
  private SharingErrors() {}

  public static SharingException noSuchShare(String share) {
    return new SharingException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "[Share] '"
            + share
            + "' does not exist, please contact your share provider for further information.");
  }

  public static SharingException noSuchSchema(String share, String schema) {
    return new SharingException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "[Share/Schema] '"
            + share
            + "/"
            + schema
            + "' does not exist, please contact your share provider for further information.");
  }

  public static SharingException noSuchTable(String share, String schema, String table) {
    return new SharingException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "[Share/Schema/Table] '"
            + share
            + "/"
            + schema
            + "/"
            + table
            + "' does not exist, please contact your share provider for further information.");
  }

  public static SharingException invalidParameter(String message) {
    return new SharingException(ErrorCode.INVALID_PARAMETER_VALUE, message);
  }

  public static SharingException malformed(String message) {
    return new SharingException(ErrorCode.MALFORMED_REQUEST, message);
  }

  public static SharingException unavailable(String message) {
    return new SharingException(ErrorCode.TEMPORARILY_UNAVAILABLE, message);
  }

  public static SharingException unsupported(String message) {
    return new SharingException(ErrorCode.UNSUPPORTED_OPERATION, message);
  }

  public static SharingException unauthenticated(String message) {
    return new SharingException(ErrorCode.UNAUTHENTICATED, message);
  }

  public static SharingException forbidden(String message) {
    return new SharingException(ErrorCode.PERMISSION_DENIED, message);
  }

  public static SharingException historyNotShared(String qualifiedTable) {
    return invalidParameter(
        "Reading table by version or timestamp is not supported because history sharing is not enabled on table: "
            + qualifiedTable);
  }

  public static SharingException belowStartVersion(long startVersion) {
    return invalidParameter("You can only query table data since version " + startVersion + ".");
  }
}
