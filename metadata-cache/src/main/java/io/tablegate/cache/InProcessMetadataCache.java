package io.tablegate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/** The in-process tier: bounded by entry count, each entry with its own TTL. */
public final class InProcessMetadataCache implements MetadataCache {
  private record Key(String namespace, String key) {}

  private record Entry(Object value, long ttlNanos) {}

  private final Cache<Key, Entry> cache;

  public InProcessMetadataCache(long maximumSize) {
    if (maximumSize <= 0)
      throw new IllegalArgumentException("Invalid cache size: " + maximumSize + " (must be > 0)");
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .expireAfter(
                new Expiry<Key, Entry>() {
                  @Override
                  public long expireAfterCreate(Key key, Entry value, long currentTime) {
                    return value.ttlNanos();
                  }

                  @Override
                  public long expireAfterUpdate(
                      Key key, Entry value, long currentTime, long currentDuration) {
                    return value.ttlNanos();
                  }

                  @Override
                  public long expireAfterRead(
                      Key key, Entry value, long currentTime, long currentDuration) {
                    return currentDuration;
                  }
                })
            .build();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> V get(String namespace, String key, Duration ttl, Callable<V> loader) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(key, "key");
    if (ttl.isZero() || ttl.isNegative()) return call(loader);
    Key k = new Key(namespace, key);
    Entry cached = cache.getIfPresent(k);
    if (cached != null) {
      hits.increment();
      return (V) cached.value();
    }
    misses.increment();
    // Load outside the map's compute: loaders may read other entries of this cache (a snapshot
    // loads its Kernel snapshot), which a nested compute would refuse. Two concurrent misses may
    // both load; the first value stored wins and both callers get it.
    V value = call(loader);
    Entry stored = cache.asMap().putIfAbsent(k, new Entry(value, ttl.toNanos()));
    return stored == null ? value : (V) stored.value();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> V peek(String namespace, String key) {
    Entry cached = cache.getIfPresent(new Key(namespace, key));
    return cached == null ? null : (V) cached.value();
  }

  @Override
  public void invalidate(String namespace) {
    cache.asMap().keySet().removeIf(k -> k.namespace().equals(namespace));
  }

  private final java.util.concurrent.atomic.LongAdder hits =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder misses =
      new java.util.concurrent.atomic.LongAdder();

  @Override
  public java.util.Map<String, CacheStats> tierStats() {
    return java.util.Map.of("in-process", new CacheStats(hits.sum(), misses.sum()));
  }

  @Override
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  static <V> V call(Callable<V> loader) {
    try {
      return loader.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }
}
