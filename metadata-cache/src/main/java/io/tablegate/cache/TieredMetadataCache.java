package io.tablegate.cache;

import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The in-process tier in front of the shared tier: a value with a codec is looked up in-process,
 * then in Redis, then loaded (and written to both). Values without a codec stay in-process.
 * Invalidating a namespace drops its in-process entries and its shared {@code latest} entry (the
 * only shared key whose value changes; every other key contains a version and is immutable).
 */
public final class TieredMetadataCache implements MetadataCache {
  private final MetadataCache local;
  private final SharedTier shared;

  public TieredMetadataCache(MetadataCache local, SharedTier shared) {
    this.local = local;
    this.shared = shared;
  }

  static String sharedKey(String namespace, String key) {
    return namespace + "|" + key;
  }

  @Override
  public <V> V get(String namespace, String key, Duration ttl, Callable<V> loader) {
    return local.get(namespace, key, ttl, loader);
  }

  @Override
  public <V> V get(String namespace, String key, Duration ttl, Codec<V> codec, Callable<V> loader) {
    if (ttl.isZero() || ttl.isNegative()) return InProcessMetadataCache.call(loader);
    return local.get(
        namespace,
        key,
        ttl,
        () -> {
          String k = sharedKey(namespace, key);
          Optional<byte[]> hit = shared.get(k);
          if (hit.isPresent()) {
            try {
              V value = codec.decode(hit.get());
              sharedHits.increment();
              return value;
            } catch (RuntimeException e) {
              shared.delete(k); // an entry another version wrote: reload it
            }
          }
          sharedMisses.increment();
          V value = InProcessMetadataCache.call(loader);
          shared.set(k, codec.encode(value), ttl);
          return value;
        });
  }

  @Override
  public Optional<Iterator<byte[]>> readList(String namespace, String key) {
    Optional<Iterator<byte[]>> list = shared.readList(sharedKey(namespace, key));
    (list.isPresent() ? sharedHits : sharedMisses).increment();
    return list;
  }

  private final java.util.concurrent.atomic.LongAdder sharedHits =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder sharedMisses =
      new java.util.concurrent.atomic.LongAdder();

  @Override
  public java.util.Map<String, CacheStats> tierStats() {
    java.util.Map<String, CacheStats> out = new java.util.LinkedHashMap<>(local.tierStats());
    out.put("redis", new CacheStats(sharedHits.sum(), sharedMisses.sum()));
    return out;
  }

  @Override
  public SharedTier.ListWriter writeList(String namespace, String key, Duration ttl) {
    return shared.writeList(sharedKey(namespace, key), ttl);
  }

  @Override
  public <V> V peek(String namespace, String key) {
    return local.peek(namespace, key);
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public boolean addCounters(String key, java.util.Map<String, Long> deltas, Duration ttl) {
    return shared.addCounters(key, deltas, ttl);
  }

  @Override
  public java.util.Map<String, Long> counters(String key) {
    return shared.counters(key);
  }

  @Override
  public void invalidate(String namespace) {
    local.invalidate(namespace);
  }

  /** Drops the shared {@code latest} entry too; run by the instance that learned of the change. */
  @Override
  public void invalidateShared(String namespace, String key) {
    shared.delete(sharedKey(namespace, key));
  }

  @Override
  public long size() {
    return local.size();
  }

  @Override
  public void close() {
    shared.close();
    local.close();
  }
}
