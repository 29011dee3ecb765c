package io.tablegate.protocol;

import java.util.List;

/**
 * The body of {@code POST .../query}, typed and checked field by field. Null means absent.
 * Cross-field rules (which parameters exclude each other) are checked by the service.
 */
public record QueryRequest(
    List<String> predicateHints,
    String jsonPredicateHints,
    Long limitHint,
    Long version,
    String timestamp,
    Long startingVersion,
    Long endingVersion,
    Integer maxFiles,
    String pageToken,
    boolean includeRefreshToken,
    String refreshToken,
    boolean includeHistoricalProtocol,
    String idempotencyKey) {

  public static QueryRequest empty() {
    return new QueryRequest(
        null, null, null, null, null, null, null, null, null, false, null, false, null);
  }

  /** A canonical text of every parameter that must not change between the pages of one query. */
  public String pagingFingerprint() {
    return String.join(
        "\u0001",
        String.valueOf(predicateHints),
        String.valueOf(jsonPredicateHints),
        String.valueOf(limitHint),
        String.valueOf(version),
        String.valueOf(timestamp),
        String.valueOf(startingVersion),
        String.valueOf(endingVersion),
        String.valueOf(maxFiles),
        String.valueOf(includeHistoricalProtocol));
  }
}
