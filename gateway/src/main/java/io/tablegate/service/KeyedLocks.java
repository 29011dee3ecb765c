package io.tablegate.service;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One piece of work at a time per key (a file's rewrite, a table version's Iceberg metadata): the
 * others with the same key wait for it and then usually find its result; other keys never wait. A
 * key's lock lives only while someone holds or waits for it.
 */
final class KeyedLocks {
  private final ConcurrentHashMap<String, Object> held = new ConcurrentHashMap<>();

  <T> T with(String key, Supplier<T> work) {
    Object lock = held.computeIfAbsent(key, k -> new Object());
    try {
      synchronized (lock) {
        return work.get();
      }
    } finally {
      held.remove(key, lock);
    }
  }
}
