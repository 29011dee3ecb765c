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

  /** The first StorageException in {@code t}'s cause chain, or null. */
  public static StorageException find(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StorageException s) return s;
      if (c.getCause() == c) break;
    }
    return null;
  }
}
