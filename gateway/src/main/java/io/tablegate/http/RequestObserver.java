package io.tablegate.http;

/**
 * Told of every request of a listener when it begins and when its response ends (metrics); must not
 * block.
 */
@FunctionalInterface
public interface RequestObserver {
  RequestObserver NONE = (endpoint, status, nanos, bytes, lines) -> {};

  /**
   * @param endpoint the endpoint's name as the audit log spells it ({@code query}, {@code file},
   *     ...)
   * @param bytes response bytes written
   * @param lines NDJSON lines (files, changes, metadata) sent, 0 for other responses
   */
  void completed(String endpoint, int status, long nanos, long bytes, long lines);

  /**
   * Told when a request begins (before authentication); every start is followed by {@link
   * #completed}.
   */
  default void started(String endpoint) {}
}
