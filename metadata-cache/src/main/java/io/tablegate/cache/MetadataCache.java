package io.tablegate.cache;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * A cache of table metadata shared by the request handlers of one process (and, with the Redis
 * tier, of every instance). Format-agnostic: values are opaque to it.
 *
 * <p>Threading: {@link #get} may run its loader in the calling thread and block; call it only from
 * a worker thread, never from an event loop. Loader exceptions propagate and nothing is cached.
 *
 * <p>Keys: a {@code namespace} names one table (its location); {@link #invalidate} drops all of a
 * table's entries. A {@code key} whose value depends on a table version must contain the version.
 */
public interface MetadataCache extends AutoCloseable {
  /**
   * Returns the cached value or loads it.
   *
   * @param ttl how long the value may be served; {@link Duration#ZERO} disables caching for it
   */
  <V> V get(String namespace, String key, Duration ttl, Callable<V> loader);

  /** Drops every entry of {@code namespace} (a table changed). */
  void invalidate(String namespace);

  /** Entries currently held, for metrics and tests. */
  long size();

  @Override
  default void close() {}

  /** A cache that caches nothing: every get loads. */
  static MetadataCache disabled() {
    return new MetadataCache() {
      @Override
      public <V> V get(String namespace, String key, Duration ttl, Callable<V> loader) {
        return InProcessMetadataCache.call(loader);
      }

      @Override
      public void invalidate(String namespace) {}

      @Override
      public long size() {
        return 0;
      }
    };
  }
}
