package io.tablegate.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tablegate.http.RequestObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's metrics, in one Micrometer registry scraped by the management listener's {@code
 * /metrics}: requests by endpoint and status (latency with percentiles from Micrometer's
 * HdrHistogram-based histograms), bytes and NDJSON lines streamed, auth failures and rate-limit
 * rejections, and the gauges and counters the subsystems expose (connections, scans, cache, Redis,
 * bucket events), plus JVM metrics. With Vert.x metrics enabled on the same registry (as {@link
 * Main} does), Vert.x's HTTP server and pool metrics appear next to them.
 */
final class Telemetry implements RequestObserver {
  private final PrometheusMeterRegistry registry;

  /** By endpoint, then status: looked up without building a key per request. */
  private final Map<String, Map<Integer, Timer>> timers = new ConcurrentHashMap<>();

  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> bytes = new ConcurrentHashMap<>();
  private final Map<String, Counter> lines = new ConcurrentHashMap<>();
  private final Map<String, Counter> authFailures = new ConcurrentHashMap<>();
  private final Counter rateLimited;

  /**
   * What the gauges and function counters read: Micrometer holds them only weakly, so a source
   * nobody else keeps (a list made for the meter) would be collected and read as 0 or NaN.
   */
  private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Listens to GC notifications until closed. */
  private final JvmGcMetrics gc = new JvmGcMetrics();

  Telemetry(PrometheusMeterRegistry registry) {
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    rateLimited =
        Counter.builder("tablegate.rate.limited")
            .description("requests refused by a recipient's rate limit (429)")
            .register(registry);
  }

  static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  String scrape() {
    return registry.scrape();
  }

  private final Map<String, java.util.concurrent.atomic.AtomicLong> active =
      new ConcurrentHashMap<>();

  @Override
  public void started(String endpoint) {
    active
        .computeIfAbsent(
            endpoint,
            e -> {
              java.util.concurrent.atomic.AtomicLong n =
                  new java.util.concurrent.atomic.AtomicLong();
              gauge(
                  "tablegate.requests.active",
                  "requests in flight by endpoint (query and changes: NDJSON streams being sent)",
                  n,
                  java.util.concurrent.atomic.AtomicLong::get,
                  "endpoint",
                  e);
              return n;
            })
        .incrementAndGet();
  }

  @Override
  public void completed(String endpoint, int status, long nanos, long written, long sent) {
    java.util.concurrent.atomic.AtomicLong n = active.get(endpoint);
    if (n != null) n.decrementAndGet();
    timers
        .computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            status,
            st ->
                Timer.builder("tablegate.requests")
                    .description("requests by endpoint and status, and their latency")
                    .tag("endpoint", endpoint)
                    .tag("status", Integer.toString(st))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    // this instance's percentiles (Micrometer's HdrHistogram-based, over a sliding window); the
    // buckets above
    // aggregate across instances with histogram_quantile()
    latency
        .computeIfAbsent(
            endpoint,
            e ->
                Timer.builder("tablegate.request.latency")
                    .description("request latency percentiles by endpoint")
                    .tag("endpoint", e)
                    .publishPercentiles(0.5, 0.9, 0.99)
                    .register(registry))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    bytes
        .computeIfAbsent(
            endpoint,
            e ->
                DistributionSummary.builder("tablegate.response.bytes")
                    .baseUnit("bytes")
                    .description("response body bytes by endpoint")
                    .tag("endpoint", e)
                    .register(registry))
        .record(written);
    if (sent > 0) {
      lines
          .computeIfAbsent(
              endpoint,
              e ->
                  Counter.builder("tablegate.response.lines")
                      .description("NDJSON lines (files, changes, metadata) streamed by endpoint")
                      .tag("endpoint", e)
                      .register(registry))
          .increment(sent);
    }
    if (status == 401 || status == 403) {
      String kind = status == 401 ? "unauthenticated" : "forbidden";
      authFailures
          .computeIfAbsent(
              kind,
              k ->
                  Counter.builder("tablegate.auth.failures")
                      .description(
                          "requests refused by authentication (401) or authorization (403)")
                      .tag("kind", k)
                      .register(registry))
          .increment();
    }
    if (status == 429) rateLimited.increment();
  }

  /** A timer with Prometheus histogram buckets between {@code min} and {@code max}. */
  Timer histogram(String name, String description, Duration min, Duration max) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(min)
        .maximumExpectedValue(max)
        .register(registry);
  }

  /** A gauge read when scraped. */
  <T> void gauge(
      String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    sources.add(source);
    Gauge.builder(name, source, value).description(description).tags(tags).register(registry);
  }

  /** A monotonic count read when scraped. */
  <T> void counter(
      String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    sources.add(source);
    FunctionCounter.builder(name, source, value)
        .description(description)
        .tags(tags)
        .register(registry);
  }

  void close() {
    gc.close();
    registry.close();
  }
}
