package io.tablegate.protocol;

/** The optional last line of a query response. Every field may be null. */
public record EndStreamAction(
    String refreshToken,
    String nextPageToken,
    Long minUrlExpirationTimestamp,
    String errorMessage,
    Integer httpStatusErrorCode) {}
