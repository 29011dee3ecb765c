package io.tablegate.config;

/**
 * Bounds on the work and resources of requests ({@code limits:} in the configuration).
 *
 * @param maxConnections open connections per listener; more are closed at once (0 = no limit)
 * @param idleTimeoutSeconds a connection that sends and receives nothing this long is closed
 * @param requestHeaderTimeoutMs a connection must deliver a request's headers within this time
 * @param maxConcurrentScans table scans (file listings read from storage) running at once per instance
 * @param scanQueueTimeoutMs how long a request waits for a scan slot before {@code 503} with {@code Retry-After}
 * @param maxPredicateLeaves leaves (comparisons) of a {@code jsonPredicateHints} tree
 * @param maxPredicateDepth nesting depth of a {@code jsonPredicateHints} tree
 * @param shutdownDrainMs how long SIGTERM lets open streams finish
 * @param scanSpillMaxBytes local disk kept for finished file lists (shared by every reader of a version)
 */
public record LimitsConfig(int maxConnections, int idleTimeoutSeconds, long requestHeaderTimeoutMs, int maxConcurrentScans,
    long scanQueueTimeoutMs, int maxPredicateLeaves, int maxPredicateDepth, long shutdownDrainMs, long scanSpillMaxBytes) {

  public static LimitsConfig defaults() {
    return new LimitsConfig(10_000, 300, 30_000, Math.max(8, 2 * Runtime.getRuntime().availableProcessors()), 10_000, 1_000, 32, 30_000,
        2L << 30);
  }
}
