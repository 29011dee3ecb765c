package io.tablegate.app;

import io.tablegate.catalog.SharedTable;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.ObjectStore.ObjectInfo;
import io.tablegate.storage.s3.S3Store;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Whether each configured store answers, for {@code /readyz}: every {@link #INTERVAL_MS} one
 * listing of one table location the store serves (the request the gateway needs most), on the
 * worker pool. A store no table uses yet is reported reachable; a store not probed yet is
 * "checking" (not ready).
 */
final class StoreProbe {
  static final long INTERVAL_MS = 10_000;
  static final String REACHABLE = "reachable";
  private final Map<String, S3Store> stores;
  private final Supplier<List<SharedTable>> tables;
  private final WorkerExecutor workers;
  private final Map<String, String> results = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean();

  StoreProbe(
      Map<String, S3Store> stores, Supplier<List<SharedTable>> tables, WorkerExecutor workers) {
    this.stores = stores;
    this.tables = tables;
    this.workers = workers;
    stores.keySet().forEach(name -> results.put(name, "checking"));
  }

  /** The last result per store name, by name. */
  Map<String, String> results() {
    return new java.util.TreeMap<>(results);
  }

  /** Probes every store once (skipped while the previous round still runs). */
  void run() {
    if (stores.isEmpty() || !running.compareAndSet(false, true)) return;
    workers
        .executeBlocking(
            () -> {
              for (Map.Entry<String, S3Store> e : stores.entrySet())
                results.put(e.getKey(), probe(e.getKey(), e.getValue()));
              return null;
            },
            false)
        .onComplete(ar -> running.set(false));
  }

  private String probe(String name, S3Store store) {
    String location =
        tables.get().stream()
            .filter(t -> name.equals(t.store()))
            .map(SharedTable::location)
            .filter(l -> l.startsWith("s3://") || l.startsWith("s3a://"))
            .findFirst()
            .orElse(null);
    if (location == null) return REACHABLE;
    try (CloseableIterator<ObjectInfo> it =
        store.listFrom(location.endsWith("/") ? location : location + "/")) {
      it.hasNext();
      return REACHABLE;
    } catch (RuntimeException e) {
      String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return "unreachable: " + (cause.length() > 200 ? cause.substring(0, 200) : cause);
    } catch (Exception e) {
      return "unreachable: " + e.getClass().getSimpleName();
    }
  }
}
