package io.tablegate.spi;

/**
 * A failure of the object store, by kind. Its message names the object and the kind, never
 * credentials or signed URLs; the SDK's exception is kept as the cause for the log.
 */
public final class StorageException extends RuntimeException {
  public enum Kind {
    /** The object or bucket does not exist. */
    NOT_FOUND,
    /** The gateway's credentials may not read it. */
    ACCESS_DENIED,
    /** The store is unreachable, timed out or answered 5xx: worth retrying later. */
    UNAVAILABLE,
    /** Anything else the store refused. */
    FAILED
  }

  private final Kind kind;

  public StorageException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * This failure as a protocol error for recipients, by kind; {@code where} names what failed
   * ({@code "object store"}, {@code "Iceberg catalog"}). The service adds the table's name.
   */
  public io.tablegate.protocol.SharingException toSharingException(String where) {
    return switch (kind) {
      case NOT_FOUND ->
          new io.tablegate.protocol.SharingException(
              io.tablegate.protocol.ErrorCode.RESOURCE_DOES_NOT_EXIST,
              "The table's files are missing from its "
                  + where
                  + "; please contact your share provider.",
              this);
      case ACCESS_DENIED ->
          new io.tablegate.protocol.SharingException(
              io.tablegate.protocol.ErrorCode.PERMISSION_DENIED,
              "The gateway is not allowed to read this table in its "
                  + where
                  + "; please contact your share provider.",
              this);
      case UNAVAILABLE ->
          new io.tablegate.protocol.SharingException(
              io.tablegate.protocol.ErrorCode.TEMPORARILY_UNAVAILABLE,
              "The table's " + where + " is unavailable; please retry later.",
              this);
      case FAILED ->
          new io.tablegate.protocol.SharingException(
              io.tablegate.protocol.ErrorCode.INTERNAL_ERROR,
              "The table's " + where + " refused a read.",
              this);
    };
  }

  /** The first StorageException in {@code t}'s cause chain, or null. */
  public static StorageException find(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StorageException s) return s;
      if (c.getCause() == c) break;
    }
    return null;
  }
}
