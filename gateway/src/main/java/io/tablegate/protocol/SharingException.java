package io.tablegate.protocol;

/**
 * A failure whose message is safe to show to a recipient. Anything that is not a SharingException
 * becomes {@code 500 INTERNAL_ERROR} with a generic message; its detail goes to the log only.
 */
public class SharingException extends RuntimeException {
  private final ErrorCode errorCode;

  public SharingException(ErrorCode errorCode, String message) {
    super(message);
    this.errorCode = errorCode;
  }

  public SharingException(ErrorCode errorCode, String message, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
  }

  public ErrorCode errorCode() {
    return errorCode;
  }
}
