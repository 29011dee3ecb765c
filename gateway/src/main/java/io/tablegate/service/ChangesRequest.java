package io.tablegate.service;

/**
 * The parameters of {@code GET .../changes}, already typed by the HTTP layer; null means absent.
 */
public record ChangesRequest(
    Long startingVersion,
    String startingTimestamp,
    Long endingVersion,
    String endingTimestamp,
    boolean includeHistoricalMetadata,
    Integer maxFiles,
    String pageToken,
    boolean includeHistoricalProtocol) {

  String pagingFingerprint() {
    return "changes\u0001"
        + startingVersion
        + "\u0001"
        + startingTimestamp
        + "\u0001"
        + endingVersion
        + "\u0001"
        + endingTimestamp
        + "\u0001"
        + includeHistoricalMetadata
        + "\u0001"
        + maxFiles
        + "\u0001"
        + includeHistoricalProtocol;
  }
}
