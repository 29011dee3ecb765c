package io.tablegate.service;

import io.tablegate.catalog.SharedTable;
import io.tablegate.protocol.Capabilities;
import io.tablegate.protocol.QueryRequest;
import io.tablegate.protocol.SharingErrors;
import java.util.List;

/**
 * A table read, typed and validated once at the edge, whichever endpoint asked for it: the files of
 * one snapshot ({@code POST .../query}, latest or time travel), or the changes over a version range
 * ({@code POST .../query} with {@code startingVersion}, and {@code GET .../changes}). The service
 * resolves it against the table and streams it through one pipeline. Cross-field rules are checked
 * here with the reference server's messages; rules that need the table (history sharing, its first
 * version) are checked by {@link #check}.
 */
sealed interface TableQuery {
  /**
   * How the result is paged: the page size asked for, the token of the page to continue, and the
   * fingerprint of every parameter a page token is bound to.
   */
  record Paging(Integer maxFiles, String pageToken, String fingerprint) {}

  Paging paging();

  /** Checks the rules that depend on the table. */
  void check(SharedTable table);

  /**
   * The files of one snapshot: the latest (or the one a refresh token names), or at a version or
   * timestamp; {@code pinned} is the version an async query fixed at submission.
   */
  record Snapshot(
      Long version,
      String timestamp,
      List<String> predicateHints,
      String jsonPredicateHints,
      Long limitHint,
      boolean includeRefreshToken,
      String refreshToken,
      Paging paging,
      Long pinned,
      boolean pinnedTimeTravel)
      implements TableQuery {

    /** Whether the result names its version (a version or timestamp was asked for). */
    boolean timeTravel() {
      return pinned != null ? pinnedTimeTravel : version != null || timestamp != null;
    }

    @Override
    public void check(SharedTable table) {
      if ((version != null || timestamp != null) && !table.historyShared())
        throw SharingErrors.historyNotShared(table.qualifiedName());
      if (version != null && version < table.startVersion())
        throw SharingErrors.belowStartVersion(table.startVersion());
    }
  }

  /**
   * The data changes over a version range: {@code STREAMING} ({@code /query} with {@code
   * startingVersion}) or {@code CDF} ({@code /changes}); a start or end may be a timestamp (CDF).
   */
  record ChangeRange(
      ChangeLineSource.Mode mode,
      Long startingVersion,
      String startingTimestamp,
      Long endingVersion,
      String endingTimestamp,
      boolean historicalMetadata,
      boolean historicalProtocol,
      Paging paging)
      implements TableQuery {

    @Override
    public void check(SharedTable table) {
      if (mode == ChangeLineSource.Mode.CDF) {
        if (!table.historyShared())
          throw SharingErrors.invalidParameter(
              "cdf is not enabled on table " + table.qualifiedName());
        return;
      }
      if (!table.historyShared()) throw SharingErrors.historyNotShared(table.qualifiedName());
      if (startingVersion < table.startVersion())
        throw SharingErrors.belowStartVersion(table.startVersion());
    }
  }

  /** The query a {@code POST .../query} body asks for, with the reference server's rules. */
  static TableQuery of(QueryRequest q, Capabilities caps) {
    int versionParams =
        (q.version() != null ? 1 : 0)
            + (q.timestamp() != null ? 1 : 0)
            + (q.startingVersion() != null ? 1 : 0);
    if (versionParams > 1)
      throw SharingErrors.invalidParameter(
          "Please only provide one of: version,timestamp,startingVersion");
    if (q.version() != null && q.version() < 0)
      throw SharingErrors.invalidParameter("table version cannot be negative.");
    if (q.startingVersion() != null && q.startingVersion() < 0)
      throw SharingErrors.invalidParameter("startingVersion cannot be negative.");
    if (q.includeRefreshToken() && versionParams > 0) {
      throw SharingErrors.invalidParameter(
          "includeRefreshToken cannot be used when querying a specific version.");
    }
    if (q.includeRefreshToken() && q.pageToken() != null) {
      throw SharingErrors.invalidParameter(
          "includeRefreshToken must be used in the first page request.");
    }
    if (q.refreshToken() != null && versionParams > 0) {
      throw SharingErrors.invalidParameter(
          "refreshToken cannot be used when querying a specific version.");
    }
    if (q.refreshToken() != null && q.pageToken() != null) {
      throw SharingErrors.invalidParameter("refreshToken must be used in the first page request.");
    }
    if (caps.asyncQuery() && q.idempotencyKey() == null)
      throw SharingErrors.invalidParameter("idempotency_key is required for async query.");
    if (q.startingVersion() != null
        && q.endingVersion() != null
        && q.startingVersion() > q.endingVersion()) {
      throw SharingErrors.invalidParameter(
          "startingVersion("
              + q.startingVersion()
              + ") must be smaller than or equal to endingVersion("
              + q.endingVersion()
              + ").");
    }
    if (q.endingVersion() != null && q.startingVersion() == null) {
      throw SharingErrors.invalidParameter("endingVersion can only be used with startingVersion.");
    }
    Paging paging = new Paging(q.maxFiles(), q.pageToken(), q.pagingFingerprint());
    if (q.startingVersion() != null) {
      return new ChangeRange(
          ChangeLineSource.Mode.STREAMING,
          q.startingVersion(),
          null,
          q.endingVersion(),
          null,
          true,
          q.includeHistoricalProtocol(),
          paging);
    }
    return new Snapshot(
        q.version(),
        q.timestamp(),
        q.predicateHints(),
        q.jsonPredicateHints(),
        q.limitHint(),
        q.includeRefreshToken(),
        q.refreshToken(),
        paging,
        null,
        false);
  }

  /** The change data feed a {@code GET .../changes} asks for, with the reference's rules. */
  static ChangeRange of(ChangesRequest c) {
    if (c.startingVersion() == null && c.startingTimestamp() == null) {
      throw SharingErrors.invalidParameter(
          "No startingVersion or startingTimestamp provided for CDF read.");
    }
    if (c.startingVersion() != null && c.startingTimestamp() != null) {
      throw SharingErrors.invalidParameter(
          "Multiple starting arguments provided for CDF read. Please provide one of either startingTimestamp or startingVersion.");
    }
    if (c.endingVersion() != null && c.endingTimestamp() != null) {
      throw SharingErrors.invalidParameter(
          "Multiple ending arguments provided for CDF read. Please provide one of either endingTimestamp or endingVersion.");
    }
    if (c.startingVersion() != null && c.startingVersion() < 0)
      throw SharingErrors.invalidParameter("startingVersion cannot be negative.");
    if (c.endingVersion() != null && c.endingVersion() < 0)
      throw SharingErrors.invalidParameter("endingVersion cannot be negative.");
    if (c.startingTimestamp() != null)
      SharingService.parseTimestamp(c.startingTimestamp(), "startingTimestamp");
    if (c.endingTimestamp() != null)
      SharingService.parseTimestamp(c.endingTimestamp(), "endingTimestamp");
    return new ChangeRange(
        ChangeLineSource.Mode.CDF,
        c.startingVersion(),
        c.startingTimestamp(),
        c.endingVersion(),
        c.endingTimestamp(),
        c.includeHistoricalMetadata(),
        c.includeHistoricalProtocol(),
        new Paging(c.maxFiles(), c.pageToken(), c.pagingFingerprint()));
  }
}
