package io.tablegate.config;

/**
 * Bounds on the work and resources of requests ({@code limits:} in the configuration).
 *
 * @param maxConnections open connections per listener; more are closed at once (0 = no limit)
 * @param idleTimeoutSeconds a connection that sends and receives nothing this long is closed
 * @param requestHeaderTimeoutMs a connection must deliver a request's headers within this time
 * @param maxConcurrentScans table scans (file listings read from storage) running at once per
 *     instance
 * @param scanQueueTimeoutMs how long a request waits for a scan slot before {@code 503} with {@code
 *     Retry-After}
 * @param maxPredicateLeaves leaves (comparisons) of a {@code jsonPredicateHints} tree
 * @param maxPredicateDepth nesting depth of a {@code jsonPredicateHints} tree
 * @param shutdownDrainMs how long SIGTERM lets open streams finish
 * @param scanSpillMaxBytes local disk kept for finished file lists (shared by every reader of a
 *     version)
 */
public record LimitsConfig(
    int maxConnections,
    int idleTimeoutSeconds,
    long requestHeaderTimeoutMs,
    int maxConcurrentScans,
    long scanQueueTimeoutMs,
    int maxPredicateLeaves,
    int maxPredicateDepth,
    long shutdownDrainMs,
    long scanSpillMaxBytes) {

  public static LimitsConfig defaults() {
    return new LimitsConfig(
        defaultMaxConnections(openFileLimit()),
        300,
        30_000,
        Math.max(8, 2 * Runtime.getRuntime().availableProcessors()),
        10_000,
        1_000,
        32,
        30_000,
        2L << 30);
  }

  /**
   * Three quarters of the process's open-file limit, at most 10,000 and at least 64: connections
   * beyond it are closed at once, so the gateway keeps descriptors for its own files, stores and
   * Redis (with a limit of 400 and 450 idle connections it used to stop answering).
   */
  static int defaultMaxConnections(long openFileLimit) {
    if (openFileLimit <= 0) return 10_000;
    return (int) Math.max(64, Math.min(10_000, openFileLimit * 3 / 4));
  }

  /** The soft limit on open files of this process (Linux), or -1 when unknown. */
  static long openFileLimit() {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux, or no /proc: keep the fixed default
    }
    return -1;
  }
}
