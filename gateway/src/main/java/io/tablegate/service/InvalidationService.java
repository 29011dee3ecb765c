package io.tablegate.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tablegate.cache.InvalidationBus;
import io.tablegate.cache.MetadataCache;
import io.tablegate.catalog.SharedTable;
import io.tablegate.events.BucketEvent;
import io.tablegate.events.BucketEventParser;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns bucket notifications into cache invalidations: an event on a table's {@code _delta_log} (a
 * commit, checkpoint, {@code _last_checkpoint}, checksum or compaction) invalidates that table on
 * every instance. Data-file and read events are ignored (a commit always follows a write). Events
 * are hints: duplicates and reordering are harmless, and the cache's staleness bound covers events
 * that never arrive.
 */
public final class InvalidationService {
  private static final Logger LOGGER = LoggerFactory.getLogger(InvalidationService.class);
  private static final Pattern LOG_FILE =
      Pattern.compile(
          "\\d{20}\\.json|\\d{20}\\.checkpoint(\\.\\d+\\.\\d+)?\\.parquet|\\d{20}\\.checkpoint\\.[^/]+\\.(json|parquet)"
              + "|_last_checkpoint|\\d{20}\\.crc|\\d{20}\\.\\d{20}\\.compacted\\.json|_staged_commits/[^/]+\\.json");

  /**
   * Iceberg commits write a new metadata file (Hadoop tables: vN.metadata.json and
   * version-hint.text).
   */
  private static final Pattern ICEBERG_METADATA =
      Pattern.compile("[^/]+\\.metadata\\.json(\\.gz)?|version-hint\\.text");

  private record Route(String bucket, String logPrefix, String location, Pattern files) {}

  private volatile List<Route> routes = List.of();
  private final InvalidationBus bus;
  private final MetadataCache cache;
  private final Cache<String, Boolean> recent =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();

  private final WorkerExecutor workers;
  private final AtomicLong eventsReceived = new AtomicLong();
  private final AtomicLong tablesInvalidated = new AtomicLong();
  private final java.time.Clock clock;
  private volatile java.util.function.Consumer<Duration> lagObserver = lag -> {};

  public InvalidationService(
      List<SharedTable> tables, InvalidationBus bus, MetadataCache cache, WorkerExecutor workers) {
    this(tables, bus, cache, workers, java.time.Clock.systemUTC());
  }

  /**
   * @param clock the clock an event's {@code eventTime} is compared with to measure the
   *     invalidation lag
   */
  public InvalidationService(
      List<SharedTable> tables,
      InvalidationBus bus,
      MetadataCache cache,
      WorkerExecutor workers,
      java.time.Clock clock) {
    this.clock = clock;
    this.bus = bus;
    this.cache = cache;
    this.workers = workers;
    setTables(tables);
  }

  /**
   * Called, per invalidated table, with the time from the store's {@code eventTime} of the event
   * that named it to the moment this instance and the shared tier were invalidated (events without
   * a time are not measured; a store clock ahead of ours counts as 0).
   */
  public void onLag(java.util.function.Consumer<Duration> observer) {
    this.lagObserver = observer;
  }

  /** The tables whose storage events are mapped (again, when shares change at run time). */
  public void setTables(List<SharedTable> tables) {
    List<Route> next = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (SharedTable t : tables) {
      if (!t.location().startsWith("s3://")
          || t.location().endsWith(".metadata.json")
          || !seen.add(t.location())) continue;
      String rest = t.location().substring(5);
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String prefix = slash < 0 ? "" : rest.substring(slash + 1) + "/";
      boolean iceberg = "iceberg".equals(t.format());
      next.add(
          new Route(
              bucket,
              prefix + (iceberg ? "metadata/" : "_delta_log/"),
              t.location(),
              iceberg ? ICEBERG_METADATA : LOG_FILE));
    }
    routes = List.copyOf(next);
  }

  /**
   * Invalidates the tables touched by {@code events} on every instance; completes with their
   * locations once this instance and the shared tier are invalidated.
   */
  public Future<List<String>> apply(List<BucketEvent> events) {
    eventsReceived.addAndGet(events.size());
    Set<String> touched = new LinkedHashSet<>();
    java.util.Map<String, java.time.Instant> earliest = new java.util.HashMap<>();
    for (BucketEvent e : events) {
      if (!e.eventName().startsWith("ObjectCreated") && !e.eventName().startsWith("ObjectRemoved"))
        continue;
      for (Route r : routes) {
        if (!r.bucket().equals(e.bucket()) || !e.key().startsWith(r.logPrefix())) continue;
        if (!r.files().matcher(e.key().substring(r.logPrefix().length())).matches()) continue;
        String dedupe = e.bucket() + "/" + e.key() + "#" + e.eventName() + "#" + e.sequencer();
        if (!e.sequencer().isEmpty() && recent.asMap().putIfAbsent(dedupe, Boolean.TRUE) != null)
          continue;
        touched.add(r.location());
        if (e.eventTime() != null)
          earliest.merge(r.location(), e.eventTime(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    if (touched.isEmpty()) return Future.succeededFuture(List.of());
    List<String> locations = List.copyOf(touched);
    tablesInvalidated.addAndGet(locations.size());
    return workers
        .executeBlocking(
            () -> {
              for (String location : locations)
                cache.invalidateShared(location, CachingTableFormat.LATEST);
              return locations;
            },
            false)
        .map(
            done -> {
              java.time.Instant now = clock.instant();
              for (java.time.Instant at : earliest.values()) {
                Duration lag = Duration.between(at, now);
                lagObserver.accept(lag.isNegative() ? Duration.ZERO : lag);
              }
              for (String location : done) {
                bus.publish(location)
                    .onFailure(
                        err ->
                            LOGGER
                                .atDebug()
                                .addKeyValue("cause", err.toString())
                                .log(
                                    "An invalidation stayed on this instance (Redis unreachable)"));
              }
              LOGGER
                  .atDebug()
                  .addKeyValue("tables", done.size())
                  .log("Invalidated tables from bucket notifications");
              return done;
            });
  }

  /**
   * Object events received from bucket notifications (webhook or Redis list), whether or not they
   * touched a table.
   */
  public long eventsReceived() {
    return eventsReceived.get();
  }

  /** Table invalidations the events caused on this instance (and announced to the others). */
  public long tablesInvalidated() {
    return tablesInvalidated.get();
  }

  /**
   * A message from MinIO's Redis target ({@code access} format); malformed messages are logged and
   * dropped.
   */
  public void applyRedisMessage(String json) {
    try {
      apply(BucketEventParser.parse(json.getBytes(StandardCharsets.UTF_8)));
    } catch (RuntimeException e) {
      LOGGER
          .atWarn()
          .addKeyValue("cause", e.getMessage())
          .log("Dropped a malformed bucket notification from Redis");
    }
  }
}
