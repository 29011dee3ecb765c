package io.tablegate.cache;

import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * Tells every gateway instance that a namespace (a table) changed, so each drops its in-process
 * entries for it. Format-agnostic: namespaces are opaque strings. Event-loop safe (never blocks).
 */
public interface InvalidationBus extends AutoCloseable {
  /**
   * Invalidates {@code namespace} here at once, then on the other instances. The returned future
   * fails only if the other instances could not be told (Redis unreachable); this instance is
   * invalidated either way.
   */
  Future<Void> publish(String namespace);

  /** Registers the action run for each invalidation, whichever instance published it. */
  void onInvalidate(Consumer<String> listener);

  /** True while invalidations reach the other instances. */
  boolean connected();

  @Override
  default void close() {}

  /** A bus for a single instance (no Redis configured). */
  static InvalidationBus local() {
    return new InvalidationBus() {
      private final java.util.List<Consumer<String>> listeners =
          new java.util.concurrent.CopyOnWriteArrayList<>();

      @Override
      public Future<Void> publish(String namespace) {
        listeners.forEach(l -> l.accept(namespace));
        return Future.succeededFuture();
      }

      @Override
      public void onInvalidate(Consumer<String> listener) {
        listeners.add(listener);
      }

      @Override
      public boolean connected() {
        return true;
      }
    };
  }
}
