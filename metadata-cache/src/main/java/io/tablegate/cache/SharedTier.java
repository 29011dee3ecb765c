package io.tablegate.cache;

import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;

/**
 * The tier shared by all instances (Redis). Blocking, for worker threads only; every call is
 * bounded by a timeout, and any failure reads as a miss (the caller then loads from the store), so
 * an outage costs speed, never correctness.
 */
public interface SharedTier extends AutoCloseable {
  Optional<byte[]> get(String key);

  void set(String key, byte[] value, Duration ttl);

  void delete(String key);

  /** A list written in chunks, readable once committed. */
  interface ListWriter extends AutoCloseable {
    /** False for a writer that keeps nothing (no shared tier): callers can skip encoding items. */
    default boolean active() {
      return true;
    }

    void add(byte[] item);

    /** Makes the list visible to readers; only a complete list is ever committed. */
    void commit();

    /**
     * Drops what was written (an incomplete pass); idempotent, also run by close() without commit.
     */
    @Override
    void close();
  }

  ListWriter writeList(String key, Duration ttl);

  /**
   * The items of a committed list, fetched chunk by chunk as the iterator advances; empty if
   * absent.
   */
  Optional<Iterator<byte[]>> readList(String key);

  boolean available();

  /**
   * Adds {@code deltas} to the counters of the hash {@code key} (all or none), which is kept for
   * {@code ttl} after the last addition; false when the tier could not take them (try again later).
   */
  default boolean addCounters(String key, java.util.Map<String, Long> deltas, Duration ttl) {
    return false;
  }

  /** The counters of the hash {@code key}; empty when absent or unreadable. */
  default java.util.Map<String, Long> counters(String key) {
    return java.util.Map.of();
  }

  @Override
  default void close() {}
}
