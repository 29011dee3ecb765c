package io.tablegate.app;

import io.tablegate.cache.InProcessMetadataCache;
import io.tablegate.cache.InvalidationBus;
import io.tablegate.cache.MetadataCache;
import io.tablegate.cache.RedisInvalidationBus;
import io.tablegate.cache.RedisListConsumer;
import io.tablegate.cache.RedisSharedTier;
import io.tablegate.cache.TieredMetadataCache;
import io.tablegate.service.CachingTableFormat;
import io.tablegate.service.InvalidationService;
import io.tablegate.catalog.ShareCatalog;
import io.tablegate.catalog.CatalogStore;
import io.tablegate.catalog.FileCatalogStore;
import io.tablegate.catalog.LiveCatalog;
import io.tablegate.config.AdminConfig;
import io.tablegate.config.ConfigLoader;
import io.tablegate.http.AdminRouter;
import io.tablegate.http.BearerAuthHandler;
import io.tablegate.http.OidcAuthenticator;
import io.tablegate.http.RateLimitHandler;
import io.tablegate.http.RequestGuard;
import io.tablegate.http.ConnectionLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import io.tablegate.config.GatewayConfig;
import io.tablegate.config.IcebergCatalogConfig;
import io.tablegate.format.delta.DeltaTableFormat;
import io.tablegate.format.iceberg.IcebergTableFormat;
import io.tablegate.http.ApiRouter;
import io.tablegate.http.ManagementRouter;
import io.tablegate.service.SharingService;
import io.tablegate.service.RequestLimits;
import io.tablegate.service.ScanGate;
import io.tablegate.service.SharedScans;
import io.tablegate.spi.TableFormat;
import io.tablegate.storage.LocalUrlSigner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;
import io.vertx.core.http.HttpServerOptions;
import io.tablegate.crypto.Sealer;
import java.util.function.BiFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import io.tablegate.catalog.SharedTable;
import io.tablegate.config.StoreConfig;
import io.tablegate.spi.UrlSigner;
import io.tablegate.storage.StoreRouter;
import io.tablegate.storage.s3.S3Store;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway: creates its resources in order (cache, formats, worker pool, server) and
 * closes them in reverse. Startup is all-or-nothing: a failed start closes what was started.
 */
public final class Gateway {
  private static final Logger LOGGER = LoggerFactory.getLogger(Gateway.class);
  /** Published on the invalidation bus when the live catalog changed; never a table location. */
  static final String CATALOG_CHANGED = "\u0000tablegate:catalog-changed";

  private final Vertx vertx;
  private final HttpListener server;
  private final HttpListener adminServer;
  private final HttpListener management;
  private final String baseUrl;
  private final String tlsEngine;
  private final LiveCatalog live;
  /** Set once shutdown begins: readiness answers 503 from then on. */
  private final AtomicBoolean draining;
  /** Everything else the gateway opened, closed in reverse after the listeners. */
  private final Resources resources;

  private Gateway(Vertx vertx, HttpListener server, HttpListener adminServer, HttpListener management, String baseUrl, String tlsEngine,
      LiveCatalog live, AtomicBoolean draining, Resources resources) {
    this.vertx = vertx;
    this.server = server;
    this.adminServer = adminServer;
    this.management = management;
    this.baseUrl = baseUrl;
    this.tlsEngine = tlsEngine;
    this.live = live;
    this.draining = draining;
    this.resources = resources;
  }

  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return start(vertx, config, Clock.systemUTC());
  }

  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Clock clock) {
    return start(vertx, config, clock, UnaryOperator.identity());
  }

  /**
   * Starts a gateway whose table formats (with their caching) pass through {@code formatDecorator}
   * (for metrics and tests that observe how tables are read).
   */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Clock clock, UnaryOperator<TableFormat> formatDecorator) {
    return start(vertx, config, clock, formatDecorator, Telemetry.newRegistry());
  }

  /**
   * Starts a gateway whose metrics go to {@code registry} (the one Vert.x's own metrics use, when they are
   * enabled on {@code vertx}).
   */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Clock clock, UnaryOperator<TableFormat> formatDecorator,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    Resources res = new Resources();
    Telemetry telemetry = res.add("metrics", new Telemetry(registry), Telemetry::close);
    MetadataCache local = config.snapshotCacheSize() > 0 ? new InProcessMetadataCache(config.snapshotCacheSize() * 4L)
        : MetadataCache.disabled();
    MetadataCache tiered = local;
    if (config.redis() != null && config.redis().sharedTtlMs() > 0) {
      tiered = new TieredMetadataCache(local, new RedisSharedTier(vertx, RedisSettings.options(config.redis(), config.workerPoolSize() + 2),
          config.redis().keyPrefix(), Duration.ofMillis(config.redis().timeoutMs())));
    }
    MetadataCache cache = res.add("metadata cache", tiered, MetadataCache::close);
    InvalidationBus bus;
    if (config.redis() != null) {
      bus = new RedisInvalidationBus(vertx, RedisSettings.options(config.redis(), 4), config.redis().channel());
    } else {
      bus = InvalidationBus.local();
    }
    res.add("invalidation bus", bus, InvalidationBus::close);
    bus.onInvalidate(cache::invalidate);
    Map<String, S3Store> stores = new LinkedHashMap<>();
    for (StoreConfig sc : config.stores()) stores.put(sc.name(), res.add("store " + sc.name(), new S3Store(sc), S3Store::close));
    AtomicReference<String> base = new AtomicReference<>(config.publicEndpoint());
    AdminConfig admin = config.admin();
    LiveCatalog live;
    try {
      CatalogStore catalogStore = admin == null ? null
          : admin.catalogLocation() != null ? new ObjectStoreCatalogStore(stores.get(admin.catalogStore()), admin.catalogLocation())
          : new FileCatalogStore(Path.of(admin.catalogFile()));
      live = new LiveCatalog(config, admin == null || admin.catalogLocation() != null ? Path.of("").toAbsolutePath()
          : Path.of(admin.catalogFile()).getParent(), catalogStore, clock, base::get);
    } catch (RuntimeException e) {
      return res.closeAll().transform(v -> Future.failedFuture(e));
    }
    StoreRouter router = new StoreRouter();
    java.util.function.Consumer<List<SharedTable>> route = tables -> {
      for (SharedTable t : tables) {
        if (t.store() != null && !t.location().startsWith(ConfigLoader.ICEBERG_REST_SCHEME)) router.add(storeRoot(t.location()), stores.get(t.store()));
      }
    };
    route.accept(live.catalog().allTables());
    // tables behind an Iceberg REST catalog live wherever the catalog put them: their catalog's store serves
    // every s3:// location that no configured table root claims (the config allows one such store)
    for (IcebergCatalogConfig c : config.icebergCatalogs()) if (c.store() != null) router.add("s3:/", stores.get(c.store()));
    TableFormat delta = res.add("delta format", new DeltaTableFormat(cache, router::forLocation), TableFormat::close);
    WorkerExecutor workers = res.addAsync("table-io workers", vertx.createSharedWorkerExecutor("table-io", config.workerPoolSize()),
        WorkerExecutor::close);
    Sealer sealer;
    if (config.signingKey() == null) {
      sealer = Sealer.random();
      LOGGER.atInfo().log("No signingKey configured: file URLs and page tokens are valid on this instance only (set signingKey when running several)");
    } else {
      sealer = new Sealer(config.signingKey(), config.previousSigningKeys());
    }
    LocalUrlSigner signer = new LocalUrlSigner(sealer, base::get, config.preSignedUrlTimeoutSeconds(), clock);
    long urlSeconds = config.preSignedUrlTimeoutSeconds();
    BiFunction<SharedTable, String, UrlSigner> signers = (table, recipient) -> table.presigned()
        ? location -> stores.get(table.store()).presign(location, urlSeconds)
        : signer.forRecipient(recipient);
    Duration versionedTtl = Duration.ofMillis(config.redis() != null && config.redis().sharedTtlMs() > 0 ? config.redis().sharedTtlMs()
        : 86_400_000L);
    SharedScans sharedScans = res.add("shared scans", new SharedScans(SharedScans.temporaryDirectory(), config.limits().maxConcurrentScans(),
        config.limits().scanSpillMaxBytes(), Duration.ofMinutes(10), clock), SharedScans::close);
    CachingTableFormat deltaCaching = new CachingTableFormat(delta, cache, Duration.ofMillis(config.latestVersionTtlMs()), versionedTtl,
        sharedScans);
    // closing it closes the Iceberg REST catalogs' clients
    TableFormat iceberg = res.add("iceberg format", new IcebergTableFormat(router::forLocation, icebergCatalogProperties(config)),
        TableFormat::close);
    CachingTableFormat icebergCaching = new CachingTableFormat(iceberg, cache, Duration.ofMillis(config.latestVersionTtlMs()), versionedTtl, sharedScans);
    TableFormat cachedDelta = formatDecorator.apply(deltaCaching);
    TableFormat cachedIceberg = formatDecorator.apply(icebergCaching);
    Map<String, TableFormat> formats = Map.of("delta", cachedDelta, "iceberg", cachedIceberg);
    ScanGate scanGate = new ScanGate(vertx, config.limits().maxConcurrentScans(), config.limits().scanQueueTimeoutMs());
    SharingService service = new SharingService(live::catalog, formats, signers, workers, clock,
        config.queryTablePageSizeLimit(), config.queryTablePageTokenTtlMs(), config.refreshTokenTtlMs(),
        Duration.ofMillis(config.responseCacheTtlMs()), config.responseCacheMaxBytes(), sealer,
        new RequestLimits(config.limits().maxPredicateLeaves(), config.limits().maxPredicateDepth()), scanGate);
    InvalidationService invalidations = new InvalidationService(live.catalog().allTables(), bus, cache, workers);
    live.onChange(view -> {
      route.accept(view.catalog().allTables());
      invalidations.setTables(view.catalog().allTables());
    });
    if (admin != null) {
      // another instance changed the catalog: reload it now rather than at the next poll
      bus.onInvalidate(k -> {
        if (CATALOG_CHANGED.equals(k)) workers.executeBlocking(live::refresh, false);
      });
    }
    RedisListConsumer listConsumer = config.notifications().redisList() == null ? null
        : new RedisListConsumer(vertx, RedisSettings.options(config.redis(), 1), config.notifications().redisList(),
            invalidations::applyRedisMessage);
    if (listConsumer != null) res.add("redis list consumer", listConsumer, RedisListConsumer::close);
    AtomicBoolean draining = new AtomicBoolean();
    StoreProbe probe = new StoreProbe(stores, () -> live.catalog().allTables(), workers);
    Supplier<ManagementRouter.Readiness> readiness = () -> readiness(config, draining.get(), bus, probe);
    OidcAuthenticator oidc = config.oidc() == null ? null : new OidcAuthenticator(vertx, workers, config.oidc(), () -> live.view().policies());
    BearerAuthHandler auth = new BearerAuthHandler(() -> live.view().tokensBySha256(), config.authEnabled(), clock, oidc);
    io.vertx.redis.client.Redis limitRedis = config.rateLimit() != null && config.redis() != null
        ? io.vertx.redis.client.Redis.createClient(vertx, RedisSettings.options(config.redis(), 4)) : null;
    if (limitRedis != null) res.add("rate-limit redis", limitRedis, io.vertx.redis.client.Redis::close);
    RateLimitHandler rateLimit = config.rateLimit() == null ? null : new RateLimitHandler(config.rateLimit(),
        limitRedis == null ? null : io.vertx.redis.client.RedisAPI.api(limitRedis), config.redis() == null ? "" : config.redis().keyPrefix(), clock);
    Future<Void> busReady = bus instanceof RedisInvalidationBus redisBus
        ? redisBus.start().recover(e -> Future.succeededFuture()) // keeps retrying; serving does not wait for Redis
        : Future.succeededFuture();
    if (listConsumer != null) listConsumer.start();
    HttpServerOptions serverOptions = new HttpServerOptions().setCompressionSupported(true).setHost(config.host());
    String tlsEngine = config.tls() == null ? "none" : Tls.configure(serverOptions, config.tls());
    ConnectionLimits sharingLimits = new ConnectionLimits(vertx, config.limits());
    sharingLimits.configure(serverOptions);
    // one router per listener instance (event loop); everything behind it is shared and thread-safe
    Supplier<Handler<HttpServerRequest>> sharingHandlers = () -> RequestGuard.around(ApiRouter.create(vertx, config.endpoint(), service,
        signer, router::forLocation, workers, auth, rateLimit, config.notifications().webhookTokenSha256(), config.notifications().snsHosts(),
        invalidations, telemetry));
    AtomicBoolean refreshing = new AtomicBoolean();
    ConnectionLimits adminLimits = new ConnectionLimits(vertx, config.limits());
    HttpServerOptions adminOptions = admin == null ? null : adminLimits.configure(
        admin.tls() ? new HttpServerOptions(serverOptions).setHost(admin.host()) : new HttpServerOptions().setHost(admin.host()));
    Supplier<Handler<HttpServerRequest>> adminHandlers = () -> RequestGuard.around(AdminRouter.create(vertx, live, workers,
        admin.tokenSha256(), clock, () -> bus.publish(CATALOG_CHANGED)));
    long refreshTimer = admin == null ? -1 : vertx.setPeriodic(admin.refreshIntervalMs(), id -> {
      if (refreshing.compareAndSet(false, true)) {
        workers.executeBlocking(live::refresh, false).onComplete(ar -> {
          refreshing.set(false);
          if (ar.failed()) LOGGER.atWarn().addKeyValue("cause", ar.cause().toString()).log("Cannot read the live catalog");
        });
      }
    });
    if (refreshTimer >= 0) res.add("catalog refresh", refreshTimer, vertx::cancelTimer);
    Future<Void> warm = workers.<Void>executeBlocking(() -> {
      warmUp(live.catalog().allTables(), formats);
      return null;
    }, false).timeout(WARM_UP_MS, TimeUnit.MILLISECONDS).otherwiseEmpty();
    meters(telemetry, config, bus, cache, List.of(deltaCaching, icebergCaching), invalidations, scanGate, sharingLimits, adminLimits, live);
    ConnectionLimits managementLimits = new ConnectionLimits(vertx, config.limits());
    HttpServerOptions managementOptions = managementLimits.configure(new HttpServerOptions().setHost(config.management().host()));
    Supplier<Handler<HttpServerRequest>> managementHandlers = () -> ManagementRouter.create(vertx, readiness, telemetry::scrape);
    res.add("store probe", vertx.setPeriodic(0, StoreProbe.INTERVAL_MS, id -> probe.run()), vertx::cancelTimer);
    // the admin API and the management listener are light: one event loop each
    AtomicReference<HttpListener> managementListener = new AtomicReference<>();
    AtomicReference<HttpListener> adminListener = new AtomicReference<>();
    AtomicReference<HttpListener> sharingListener = new AtomicReference<>();
    return busReady.compose(v -> warm)
        .compose(v -> HttpListener.start(vertx, managementOptions, managementLimits, managementHandlers, config.management().host(),
            config.management().port(), 1).onSuccess(managementListener::set))
        .compose(v -> admin == null ? Future.succeededFuture() : HttpListener.start(vertx, adminOptions, adminLimits, adminHandlers,
            admin.host(), admin.port(), 1).onSuccess(adminListener::set))
        .compose(v -> HttpListener.start(vertx, serverOptions, sharingLimits, sharingHandlers, config.host(), config.port(),
            config.eventLoops()).onSuccess(sharingListener::set))
        .map(sharing -> {
          String url = (config.tls() == null ? "http://" : "https://") + (config.host().equals("0.0.0.0") ? "localhost" : config.host())
              + ":" + sharing.port() + config.endpoint();
          if (config.tls() != null) res.add("certificate reload", Tls.watch(vertx, sharing::servers, config.tls()), vertx::cancelTimer);
          if (base.get() == null) base.set(url);
          LOGGER.atInfo().addKeyValue("endpoint", base.get()).addKeyValue("bound", config.host() + ":" + sharing.port())
              .addKeyValue("eventLoops", config.eventLoops()).addKeyValue("shares", config.shares().size())
              .addKeyValue("auth", config.authEnabled() ? "bearer" : "off").log("Tablegate is serving");
          if (!config.authEnabled()) LOGGER.atWarn().log("No authorization configured: anyone who reaches this port can read every share");
          LOGGER.atInfo().addKeyValue("bound", config.management().host() + ":" + managementListener.get().port())
              .log("Management listening: /livez, /readyz, /metrics");
          if (adminListener.get() != null) {
            LOGGER.atInfo().addKeyValue("bound", admin.host() + ":" + adminListener.get().port()).addKeyValue("catalog", admin.catalogLocation() != null ? admin.catalogLocation() : admin.catalogFile())
                .log("Admin API listening");
          }
          return new Gateway(vertx, sharing, adminListener.get(), managementListener.get(), base.get(), tlsEngine, live, draining, res);
        }).recover(e -> {
          List<Future<Void>> listeners = new ArrayList<>();
          for (AtomicReference<HttpListener> l : List.of(sharingListener, adminListener, managementListener)) {
            if (l.get() != null) listeners.add(l.get().shutdown(0));
          }
          return Future.join(listeners).<Void>mapEmpty().otherwiseEmpty().compose(v -> res.closeAll())
              .transform(v -> Future.<Gateway>failedFuture(e));
        });
  }

  /**
   * The prefix a table's store serves: its location, or for an Iceberg table pinned to one metadata
   * file, the table directory above {@code metadata/} (its manifests and data files live there, not
   * under the file).
   */
  static String storeRoot(String location) {
    if (location.endsWith(".metadata.json") || location.endsWith(".metadata.json.gz")) {
      int metadata = location.lastIndexOf("/metadata/");
      if (metadata > 0) return location.substring(0, metadata);
    }
    return location;
  }

  /** How long startup waits for the warm-up before it serves anyway (unreachable stores must not hold it). */
  static final long WARM_UP_MS = 5_000;
  private static final int WARM_UP_TABLES = 16;

  /**
   * Loads the latest snapshot of the first tables (and lists one small table's files once), so that
   * class loading and the JIT's first compilations of Kernel, Parquet and the codecs happen before the
   * gateway says it is serving: the first recipient request is then as fast as the next (a cold first
   * request took about a second, half of the npm client's 2 s timeout). Failures are ignored here:
   * the requests will report them.
   */
  static void warmUp(List<SharedTable> tables, Map<String, TableFormat> formats) {
    long started = System.nanoTime();
    boolean scanned = false;
    int n = 0;
    for (SharedTable t : tables) {
      if (n++ >= WARM_UP_TABLES) break;
      TableFormat format = formats.get(t.format());
      if (format == null) continue;
      try {
        var snapshot = format.snapshot(t.location(), format.latestVersion(t.location()));
        if (!scanned && snapshot.numFiles() != null && snapshot.numFiles() <= 10_000) {
          try (var files = format.scan(snapshot, true)) {
            if (files.hasNext()) files.next();
          }
          scanned = true;
        }
      } catch (RuntimeException e) {
        LOGGER.atDebug().addKeyValue("table", t.qualifiedName()).addKeyValue("cause", e.toString()).log("Warm-up could not read a table");
      }
    }
    LOGGER.atDebug().addKeyValue("tables", Math.min(n, WARM_UP_TABLES)).addKeyValue("ms", (System.nanoTime() - started) / 1_000_000)
        .log("Warmed up");
  }

  /** What {@code /readyz} says: the catalog (loaded once the gateway serves), Redis when configured, each store. */
  static ManagementRouter.Readiness readiness(GatewayConfig config, boolean draining, InvalidationBus bus, StoreProbe probe) {
    String redis = config.redis() == null ? "off" : bus.connected() ? "connected" : "unreachable";
    Map<String, String> stores = probe.results();
    boolean ready = !draining && !"unreachable".equals(redis) && stores.values().stream().allMatch(StoreProbe.REACHABLE::equals);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", draining ? "draining" : ready ? "ok" : "not ready");
    body.put("catalog", "loaded");
    body.put("redis", redis);
    body.put("stores", stores);
    try {
      return new ManagementRouter.Readiness(ready, READINESS_JSON.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper READINESS_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** The subsystems' gauges and counters, read when scraped. */
  static void meters(Telemetry t, GatewayConfig config, InvalidationBus bus, MetadataCache cache, List<CachingTableFormat> formats,
      InvalidationService invalidations, ScanGate scans, ConnectionLimits sharing, ConnectionLimits admin, LiveCatalog live) {
    t.counter("tablegate.metadata.lookups", "latest-version, snapshot and file-list lookups, by whether a cache tier answered", formats,
        fs -> fs.stream().mapToLong(f -> f.lookups() - f.misses()).sum(), "result", "hit");
    t.counter("tablegate.metadata.lookups", "latest-version, snapshot and file-list lookups, by whether a cache tier answered", formats,
        fs -> fs.stream().mapToLong(CachingTableFormat::misses).sum(), "result", "miss");
    if (config.redis() != null) {
      t.gauge("tablegate.redis.connected", "1 when invalidations reach every instance through Redis", bus, b -> b.connected() ? 1 : 0);
    }
    t.gauge("tablegate.cache.entries", "entries in the in-process metadata cache", cache, MetadataCache::size);
    t.gauge("tablegate.scans.open", "table scans holding a slot", scans, ScanGate::open);
    t.gauge("tablegate.scans.queued", "requests waiting for a scan slot", scans, ScanGate::queued);
    t.gauge("tablegate.connections.open", "open connections by listener", sharing, ConnectionLimits::open, "listener", "sharing");
    t.gauge("tablegate.connections.open", "open connections by listener", admin, ConnectionLimits::open, "listener", "admin");
    t.counter("tablegate.bucket.events", "object events received from bucket notifications", invalidations,
        InvalidationService::eventsReceived);
    t.counter("tablegate.event.invalidations", "tables invalidated because a bucket notification named their log", invalidations,
        InvalidationService::tablesInvalidated);
    t.gauge("tablegate.token.expiry.horizon.seconds", "seconds until the next active bearer token expires (absent: none expires)", live,
        l -> {
          java.time.Instant now = java.time.Instant.now();
          return l.view().tokensBySha256().values().stream()
              .filter(e -> e.revokedAt() == null && e.expiresAt() != null && e.expiresAt().isAfter(now))
              .mapToDouble(e -> java.time.Duration.between(now, e.expiresAt()).toSeconds()).min().orElse(Double.NaN);
        });
  }

  /** The TLS engine serving this gateway: "openssl" (BoringSSL), "jdk", or "none" for plain HTTP. */
  public String tlsEngine() {
    return tlsEngine;
  }

  public int port() {
    return server.port();
  }

  /** The public endpoint (profile {@code endpoint}), including the prefix. */
  public String endpoint() {
    return baseUrl;
  }

  /** The management listener's port ({@code /livez}, {@code /readyz}, {@code /metrics}). */
  public int managementPort() {
    return management.port();
  }

  /** The admin API's port, or -1 when it is off. */
  public int adminPort() {
    return adminServer == null ? -1 : adminServer.port();
  }

  public LiveCatalog liveCatalog() {
    return live;
  }

  /** Closes at once: open streams are cut. */
  public Future<Void> close() {
    return shutdown(Duration.ZERO);
  }

  private Future<Void> closing;

  /**
   * Stops the gateway: readiness answers 503 at once, the listeners stop accepting, requests and
   * streams in flight get up to {@code drain} to finish, then everything closes in the reverse order
   * of its creation. Idempotent.
   */
  public synchronized Future<Void> shutdown(Duration drain) {
    if (closing != null) return closing;
    draining.set(true);
    LOGGER.atInfo().addKeyValue("drainMs", drain.toMillis()).log("Draining: no new connections, open streams may finish");
    long ms = Math.max(0, drain.toMillis());
    Future<Void> admin = adminServer == null ? Future.succeededFuture() : adminServer.shutdown(ms);
    Future<Void> sharing = server.shutdown(ms);
    // probes keep answering (503 "draining") until the sharing listener has drained
    closing = Future.join(sharing, admin).<Void>mapEmpty().otherwiseEmpty()
        .eventually(() -> management.shutdown(0))
        .eventually(resources::closeAll)
        .andThen(v -> LOGGER.atInfo().log("Tablegate stopped"));
    return closing;
  }

  Vertx vertx() {
    return vertx;
  }

  /** Iceberg REST client properties of each configured catalog. */
  static Map<String, Map<String, String>> icebergCatalogProperties(GatewayConfig config) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (IcebergCatalogConfig c : config.icebergCatalogs()) {
      Map<String, String> p = new LinkedHashMap<>(c.properties());
      p.put("uri", c.uri());
      if (c.warehouse() != null) p.put("warehouse", c.warehouse());
      if (c.credential() != null) p.put("credential", c.credential());
      if (c.token() != null) p.put("token", c.token());
      if (c.oauth2ServerUri() != null) p.put("oauth2-server-uri", c.oauth2ServerUri());
      if (c.scope() != null) p.put("scope", c.scope());
      out.put(c.name(), p);
    }
    return out;
  }
}
