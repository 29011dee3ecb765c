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

  /**
   * Returns the cached value or loads it; with a codec the value may also be shared with other
   * instances (the Redis tier). Without a shared tier this is {@link #get(String, String, Duration,
   * Callable)}.
   */
  default <V> V get(
      String namespace, String key, Duration ttl, Codec<V> codec, Callable<V> loader) {
    return get(namespace, key, ttl, loader);
  }

  /**
   * The value if this process holds it now, without loading and without remote calls (so it may be
   * called from an event loop); null otherwise.
   */
  default <V> V peek(String namespace, String key) {
    return null;
  }

  /**
   * A list cached in the shared tier (e.g. a version's file list), read lazily; empty if absent or
   * no shared tier.
   */
  default java.util.Optional<java.util.Iterator<byte[]>> readList(String namespace, String key) {
    return java.util.Optional.empty();
  }

  /** Writes a list to the shared tier; a writer that is never committed leaves nothing behind. */
  default SharedTier.ListWriter writeList(String namespace, String key, Duration ttl) {
    return new SharedTier.ListWriter() {
      @Override
      public boolean active() {
        return false;
      }

      @Override
      public void add(byte[] item) {}

      @Override
      public void commit() {}

      @Override
      public void close() {}
    };
  }

  /** Whether a tier shared by all instances (Redis) is configured. */
  default boolean shared() {
    return false;
  }

  /** See {@link SharedTier#addCounters}; false without a shared tier. */
  default boolean addCounters(String key, java.util.Map<String, Long> deltas, Duration ttl) {
    return false;
  }

  /** See {@link SharedTier#counters}; empty without a shared tier. */
  default java.util.Map<String, Long> counters(String key) {
    return java.util.Map.of();
  }

  /** Drops every entry of {@code namespace} (a table changed) from this instance. */
  void invalidate(String namespace);

  /** Drops one shared entry of {@code namespace}, for every instance. */
  default void invalidateShared(String namespace, String key) {}

  /** Entries currently held, for metrics and tests. */
  long size();

  /**
   * Hits and misses by tier ("in-process", "redis"), for metrics; empty for a cache that keeps
   * nothing.
   */
  default java.util.Map<String, CacheStats> tierStats() {
    return java.util.Map.of();
  }

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
