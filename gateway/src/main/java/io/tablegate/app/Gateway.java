package io.tablegate.app;

import io.micrometer.core.instrument.Timer;
import io.tablegate.admin.AdminRouter;
import io.tablegate.auth.OidcAuthenticator;
import io.tablegate.auth.RateLimiter;
import io.tablegate.auth.TokenAuthenticator;
import io.tablegate.cache.InProcessMetadataCache;
import io.tablegate.cache.InvalidationBus;
import io.tablegate.cache.MetadataCache;
import io.tablegate.cache.RedisInvalidationBus;
import io.tablegate.cache.RedisListConsumer;
import io.tablegate.cache.RedisSharedTier;
import io.tablegate.cache.TieredMetadataCache;
import io.tablegate.catalog.FileCatalogStore;
import io.tablegate.catalog.LiveCatalog;
import io.tablegate.catalog.SharedTable;
import io.tablegate.config.AdminConfig;
import io.tablegate.config.ConfigLoader;
import io.tablegate.config.GatewayConfig;
import io.tablegate.config.IcebergCatalogConfig;
import io.tablegate.config.StoreConfig;
import io.tablegate.crypto.Sealer;
import io.tablegate.format.delta.DeltaTableFormat;
import io.tablegate.format.iceberg.IcebergTableFormat;
import io.tablegate.http.ApiRouter;
import io.tablegate.http.BearerAuthHandler;
import io.tablegate.http.ConnectionLimits;
import io.tablegate.http.ManagementRouter;
import io.tablegate.http.RateLimitHandler;
import io.tablegate.http.RequestGuard;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingException;
import io.tablegate.service.CachingTableFormat;
import io.tablegate.service.InvalidationService;
import io.tablegate.service.RequestLimits;
import io.tablegate.service.ScanGate;
import io.tablegate.service.SharedScans;
import io.tablegate.service.SharingService;
import io.tablegate.service.UsageLedger;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.UrlSigner;
import io.tablegate.storage.LocalUrlSigner;
import io.tablegate.storage.StoreRouter;
import io.tablegate.storage.s3.S3Store;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
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

  private Gateway(
      Vertx vertx,
      HttpListener server,
      HttpListener adminServer,
      HttpListener management,
      String baseUrl,
      String tlsEngine,
      LiveCatalog live,
      AtomicBoolean draining,
      Resources resources) {
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
  public static Future<Gateway> start(
      Vertx vertx, GatewayConfig config, Clock clock, UnaryOperator<TableFormat> formatDecorator) {
    return start(vertx, config, clock, formatDecorator, Telemetry.newRegistry());
  }

  /**
   * Starts a gateway whose metrics go to {@code registry} (the one Vert.x's own metrics use, when
   * they are enabled on {@code vertx}).
   */
  public static Future<Gateway> start(
      Vertx vertx,
      GatewayConfig config,
      Clock clock,
      UnaryOperator<TableFormat> formatDecorator,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
    Resources res = new Resources();
    try {
      Telemetry telemetry = res.add("metrics", new Telemetry(registry), Telemetry::close);
      Caches caches = caches(vertx, config, res);
      Map<String, S3Store> stores = new LinkedHashMap<>();
      for (StoreConfig sc : config.stores())
        stores.put(sc.name(), res.add("store " + sc.name(), new S3Store(sc), S3Store::close));
      AtomicReference<String> base = new AtomicReference<>(config.publicEndpoint());
      LiveCatalog live = liveCatalog(config, stores, clock, base);
      Tables tables = tables(config, caches.cache(), stores, live, formatDecorator, clock, res);
      // the pools close before the formats they read with
      WorkerExecutor workers =
          res.addAsync(
              "table-io workers",
              vertx.createSharedWorkerExecutor("table-io", config.workerPoolSize()),
              WorkerExecutor::close);
      WorkerExecutor adminWorkers =
          config.admin() == null
              ? null
              : res.addAsync(
                  "admin workers",
                  vertx.createSharedWorkerExecutor("admin", ADMIN_WORKERS),
                  WorkerExecutor::close);
      Sealer sealer = sealer(config);
      LocalUrlSigner signer =
          new LocalUrlSigner(sealer, base::get, config.preSignedUrlTimeoutSeconds(), clock);
      ScanGate scanGate =
          new ScanGate(
              vertx, config.limits().maxConcurrentScans(), config.limits().scanQueueTimeoutMs());
      SharingService service =
          new SharingService(
              live::catalog,
              tables.formats(),
              signers(config, stores, signer, clock),
              workers,
              clock,
              config.queryTablePageSizeLimit(),
              config.queryTablePageTokenTtlMs(),
              config.refreshTokenTtlMs(),
              Duration.ofMillis(config.responseCacheTtlMs()),
              config.responseCacheMaxBytes(),
              sealer,
              new RequestLimits(
                  config.limits().maxPredicateLeaves(), config.limits().maxPredicateDepth()),
              scanGate,
              caches.cache(),
              Duration.ofSeconds(urlReuseWindowSeconds(config)),
              tables.router()::forLocation,
              rewrites(config, stores, tables),
              recipient -> signer.forRecipient(recipient.id(), recipient.networks()),
              icebergExports(config, stores, tables));
      InvalidationService invalidations =
          invalidations(
              vertx, config, live, caches, tables, workers, adminWorkers, telemetry, clock, res);
      AtomicBoolean draining = new AtomicBoolean();
      StoreProbe probe = new StoreProbe(stores, () -> live.catalog().allTables(), workers);
      res.add(
          "store probe",
          vertx.setPeriodic(0, StoreProbe.INTERVAL_MS, id -> probe.run()),
          vertx::cancelTimer);
      Supplier<ManagementRouter.Readiness> readiness =
          () -> readiness(config, draining.get(), caches.bus(), probe);
      OidcAuthenticator oidc =
          config.oidc() == null
              ? null
              : new OidcAuthenticator(vertx, workers, config.oidc(), () -> live.view().policies());
      TokenAuthenticator tokenAuth =
          new TokenAuthenticator(() -> live.view().tokensBySha256(), config.authEnabled(), clock);
      io.tablegate.auth.AccessTokens accessTokens =
          config.authEnabled()
              ? new io.tablegate.auth.AccessTokens(accessTokenSecrets(config), base::get, clock)
              : null;
      BearerAuthHandler auth =
          new BearerAuthHandler(tokenAuth, oidc, accessTokens, config.network());
      RateLimitHandler rateLimit = rateLimit(vertx, config, clock, res);
      UsageLedger usage = new UsageLedger(caches.cache());
      if (caches.cache().shared()) {
        // every few seconds, what this instance counted goes to the recipients' shared counters
        res.addAsync(
            "usage flush",
            vertx.setPeriodic(
                USAGE_FLUSH_MS,
                id ->
                    workers.executeBlocking(
                        () -> {
                          usage.flush();
                          return null;
                        },
                        false)),
            timer -> {
              vertx.cancelTimer(timer);
              // the last counts of a stopping instance, on a worker (Redis calls block)
              return workers.executeBlocking(
                  () -> {
                    usage.flush();
                    return null;
                  },
                  false);
            });
      }
      Listeners listeners = new Listeners(vertx, config);
      // one router per listener instance (event loop); everything behind it is shared and
      // thread-safe
      Supplier<Handler<HttpServerRequest>> sharingHandlers =
          () ->
              RequestGuard.around(
                  ApiRouter.create(
                      vertx,
                      config.endpoint(),
                      service,
                      signer,
                      tables.router()::forLocation,
                      workers,
                      auth,
                      rateLimit,
                      config.notifications().webhookTokenSha256(),
                      config.notifications().snsHosts(),
                      invalidations,
                      telemetry,
                      config.admin() == null
                          ? io.tablegate.auth.ActivationRedeemer.NONE
                          // a catalog change: on the admin pool, like every other one
                          : code ->
                              adminWorkers.executeBlocking(
                                  () -> live.redeemActivation(code), false),
                      usage,
                      accessTokens,
                      tokenAuth));
      Supplier<Handler<HttpServerRequest>> adminHandlers =
          config.admin() == null
              ? null
              : () ->
                  RequestGuard.around(
                      AdminRouter.create(
                          vertx,
                          live,
                          adminWorkers,
                          config.admin().tokenSha256(),
                          clock,
                          () -> caches.bus().publish(CATALOG_CHANGED),
                          usage,
                          service));
      Supplier<Handler<HttpServerRequest>> managementHandlers =
          () -> ManagementRouter.create(vertx, readiness, telemetry::scrape);
      meters(
          telemetry,
          config,
          caches.bus(),
          caches.cache(),
          tables.caching(),
          invalidations,
          scanGate,
          listeners.sharingLimits,
          listeners.adminLimits,
          live,
          service);
      Future<Void> busReady =
          caches.bus() instanceof RedisInvalidationBus redisBus
              ? redisBus
                  .start()
                  .recover(
                      e ->
                          Future
                              .succeededFuture()) // keeps retrying; serving does not wait for Redis
              : Future.succeededFuture();
      Future<Void> warm =
          workers
              .<Void>executeBlocking(
                  () -> {
                    warmUp(live.catalog().allTables(), tables.formats());
                    return null;
                  },
                  false)
              .timeout(WARM_UP_MS, TimeUnit.MILLISECONDS)
              .otherwiseEmpty();
      return busReady
          .compose(v -> warm)
          .compose(v -> listeners.start(sharingHandlers, adminHandlers, managementHandlers))
          .map(
              v -> {
                HttpListener sharing = listeners.sharing.get();
                String url =
                    (config.tls() == null ? "http://" : "https://")
                        + (config.host().equals("0.0.0.0") ? "localhost" : config.host())
                        + ":"
                        + sharing.port()
                        + config.endpoint();
                if (config.tls() != null)
                  res.add(
                      "certificate reload",
                      Tls.watch(vertx, sharing::servers, config.tls()),
                      vertx::cancelTimer);
                if (base.get() == null) base.set(url);
                logServing(config, base.get(), listeners);
                return new Gateway(
                    vertx,
                    sharing,
                    listeners.admin.get(),
                    listeners.management.get(),
                    base.get(),
                    listeners.tlsEngine,
                    live,
                    draining,
                    res);
              })
          .recover(
              e ->
                  listeners
                      .stop()
                      .compose(v -> res.closeAll())
                      .transform(v -> Future.<Gateway>failedFuture(e)));
    } catch (RuntimeException e) {
      return res.closeAll().transform(v -> Future.failedFuture(e));
    }
  }

  /**
   * Threads for admin API changes: a catalog write may retry and pause, which must not hold
   * table-io threads.
   */
  static final int ADMIN_WORKERS = 4;

  /**
   * The metadata cache (in-process, with Redis as the shared tier when configured) and the
   * invalidation bus.
   */
  private record Caches(MetadataCache cache, InvalidationBus bus) {}

  private static Caches caches(Vertx vertx, GatewayConfig config, Resources res) {
    MetadataCache local =
        config.snapshotCacheSize() > 0
            ? new InProcessMetadataCache(config.snapshotCacheSize() * 4L)
            : MetadataCache.disabled();
    MetadataCache tiered = local;
    if (config.redis() != null && config.redis().sharedTtlMs() > 0) {
      tiered =
          new TieredMetadataCache(
              local,
              new RedisSharedTier(
                  vertx,
                  RedisSettings.options(config.redis(), config.workerPoolSize() + 2),
                  config.redis().keyPrefix(),
                  Duration.ofMillis(config.redis().timeoutMs())));
    }
    MetadataCache cache = res.add("metadata cache", tiered, MetadataCache::close);
    InvalidationBus bus =
        config.redis() != null
            ? new RedisInvalidationBus(
                vertx, RedisSettings.options(config.redis(), 4), config.redis().channel())
            : InvalidationBus.local();
    res.add("invalidation bus", bus, InvalidationBus::close);
    bus.onInvalidate(cache::invalidate);
    return new Caches(cache, bus);
  }

  /**
   * The catalog: the config's shares, plus the live ones in the admin section's file or
   * object-store catalog.
   */
  private static LiveCatalog liveCatalog(
      GatewayConfig config,
      Map<String, S3Store> stores,
      Clock clock,
      AtomicReference<String> base) {
    AdminConfig admin = config.admin();
    if (admin != null && admin.catalogLocation() != null) {
      // a store that is slow or briefly away at start (it is starting too, or the machine is busy)
      // does not stop the gateway: the probe and the first read are retried for a while
      return whileUnavailableAtStart(
          admin.catalogLocation(),
          CATALOG_START_PATIENCE,
          () ->
              new LiveCatalog(
                  config,
                  Path.of("").toAbsolutePath(),
                  new ObjectStoreCatalogStore(
                      stores.get(admin.catalogStore()),
                      admin.catalogLocation(),
                      admin.catalogWrites()),
                  clock,
                  base::get));
    }
    return new LiveCatalog(
        config,
        admin == null ? Path.of("").toAbsolutePath() : Path.of(admin.catalogFile()).getParent(),
        admin == null ? null : new FileCatalogStore(Path.of(admin.catalogFile())),
        clock,
        base::get);
  }

  /** How long start waits for a live catalog's store that answers "unavailable". */
  static final Duration CATALOG_START_PATIENCE = Duration.ofSeconds(90);

  /**
   * Runs {@code op} until it does not fail with TEMPORARILY_UNAVAILABLE or {@code patience} has
   * passed (then its last failure is thrown); pauses from 200 ms doubling to 5 s between attempts,
   * with one warning per attempt naming what is waited for. Never on an event loop (start runs on
   * the caller's thread).
   */
  static <T> T whileUnavailableAtStart(
      String what, Duration patience, java.util.function.Supplier<T> op) {
    long deadline = System.nanoTime() + patience.toNanos();
    long pauseMs = 200;
    for (int attempt = 1; ; attempt++) {
      try {
        return op.get();
      } catch (SharingException e) {
        if (e.errorCode() != ErrorCode.TEMPORARILY_UNAVAILABLE
            || io.vertx.core.Context.isOnEventLoopThread()
            || System.nanoTime() + pauseMs * 1_000_000 > deadline) throw e;
        LOGGER
            .atWarn()
            .addKeyValue("catalog", what)
            .addKeyValue("attempt", attempt)
            .addKeyValue("retryInMs", pauseMs)
            .log("The live catalog's store is unavailable at start; retrying");
        try {
          Thread.sleep(pauseMs);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pauseMs = Math.min(pauseMs * 2, 5_000);
      }
    }
  }

  /** The table formats behind their caches, and the router from a table location to its store. */
  private record Tables(
      Map<String, TableFormat> formats,
      List<CachingTableFormat> caching,
      StoreRouter router,
      java.util.function.Consumer<List<SharedTable>> route) {}

  private static Tables tables(
      GatewayConfig config,
      MetadataCache cache,
      Map<String, S3Store> stores,
      LiveCatalog live,
      UnaryOperator<TableFormat> formatDecorator,
      Clock clock,
      Resources res) {
    StoreRouter router = new StoreRouter();
    java.util.function.Consumer<List<SharedTable>> route =
        tables -> {
          for (SharedTable t : tables) {
            if (t.store() != null && !t.location().startsWith(ConfigLoader.ICEBERG_REST_SCHEME))
              router.add(storeRoot(t.location()), stores.get(t.store()));
          }
        };
    route.accept(live.catalog().allTables());
    // tables behind an Iceberg REST catalog live wherever the catalog put them: their catalog's
    // store serves
    // every s3:// location that no configured table root claims (the config allows one such store)
    for (IcebergCatalogConfig c : config.icebergCatalogs())
      if (c.store() != null) router.add("s3:/", stores.get(c.store()));
    TableFormat delta =
        res.add(
            "delta format", new DeltaTableFormat(cache, router::forLocation), TableFormat::close);
    Duration versionedTtl =
        Duration.ofMillis(
            config.redis() != null && config.redis().sharedTtlMs() > 0
                ? config.redis().sharedTtlMs()
                : 86_400_000L);
    SharedScans sharedScans =
        res.add(
            "shared scans",
            new SharedScans(
                SharedScans.temporaryDirectory(),
                config.limits().maxConcurrentScans(),
                config.limits().scanSpillMaxBytes(),
                Duration.ofMinutes(10),
                clock),
            SharedScans::close);
    Duration latestTtl = Duration.ofMillis(config.latestVersionTtlMs());
    CachingTableFormat deltaCaching =
        new CachingTableFormat(delta, cache, latestTtl, versionedTtl, sharedScans);
    // closing it closes the Iceberg REST catalogs' clients
    TableFormat iceberg =
        res.add(
            "iceberg format",
            new IcebergTableFormat(router::forLocation, icebergCatalogProperties(config)),
            TableFormat::close);
    CachingTableFormat icebergCaching =
        new CachingTableFormat(iceberg, cache, latestTtl, versionedTtl, sharedScans);
    Map<String, TableFormat> formats =
        Map.of(
            "delta",
            formatDecorator.apply(deltaCaching),
            "iceberg",
            formatDecorator.apply(icebergCaching));
    return new Tables(formats, List.of(deltaCaching, icebergCaching), router, route);
  }

  /**
   * What the OAuth access-token keys derive from: the shared signing key and the previous ones
   * (rotation), or this instance's own random key when none is configured.
   */
  private static List<byte[]> accessTokenSecrets(GatewayConfig config) {
    if (config.signingKey() == null) {
      byte[] k = new byte[32];
      new java.security.SecureRandom().nextBytes(k);
      return List.of(k);
    }
    List<byte[]> out = new java.util.ArrayList<>();
    out.add(config.signingKey());
    out.addAll(config.previousSigningKeys());
    return out;
  }

  private static Sealer sealer(GatewayConfig config) {
    if (config.signingKey() != null)
      return new Sealer(config.signingKey(), config.previousSigningKeys());
    LOGGER.atInfo().log(
        "No signingKey configured: file URLs and page tokens are valid on this instance only (set signingKey when running several)");
    return Sealer.random();
  }

  /**
   * Who signs a table's file URLs: its store (presigned) or the gateway (proxied through it). With
   * a URL reuse window ({@code redis.urlReuseWindowSeconds}), one request's URLs are signed as of
   * the start of the window it falls in and valid for the lifetime plus the window, so they are the
   * same for every request of the window (their encoded lines are shared through Redis) and each
   * recipient still gets at least the configured lifetime.
   */
  private static BiFunction<SharedTable, io.tablegate.auth.Recipient, UrlSigner> signers(
      GatewayConfig config, Map<String, S3Store> stores, LocalUrlSigner signer, Clock clock) {
    long urlSeconds = config.preSignedUrlTimeoutSeconds();
    long window = urlReuseWindowSeconds(config);
    return (table, recipient) -> {
      if (window <= 0) {
        return table.presigned()
            ? location -> stores.get(table.store()).presign(location, urlSeconds)
            : signer.forRecipient(recipient.id(), recipient.networks());
      }
      long now = Math.floorDiv(clock.millis(), 1000);
      long start = now - Math.floorMod(now, window);
      long seconds = urlSeconds + window;
      if (!table.presigned())
        return signer.forRecipient(recipient.id(), recipient.networks(), (start + seconds) * 1000);
      S3Store store = stores.get(table.store());
      if (!store.presignsAt() || seconds > 7 * 24 * 3600)
        return location -> store.presign(location, urlSeconds);
      java.time.Instant signedAt = java.time.Instant.ofEpochSecond(start);
      String key = "p|" + table.store() + "|" + start + "|" + seconds;
      return new UrlSigner() {
        @Override
        public SignedUrl sign(String location) {
          return store.presignAt(location, seconds, signedAt);
        }

        @Override
        public String reuseKey() {
          return key;
        }
      };
    };
  }

  /**
   * Where files are rewritten for parquet readers and recipient policies: the local directory, or a
   * store prefix every instance reads (its files then route to that store, like a table's).
   */
  private static io.tablegate.service.Rewrites rewrites(
      GatewayConfig config, Map<String, S3Store> stores, Tables tables) {
    var rc = config.rewrites();
    if (!rc.enabled()) return null;
    java.nio.file.Path dir = java.nio.file.Path.of(rc.directory());
    if (rc.location() == null) return new io.tablegate.service.Rewrites(dir, rc.maxBytes());
    S3Store store = stores.get(rc.store());
    tables.router().add(rc.location(), store);
    return new io.tablegate.service.Rewrites(dir, rc.maxBytes(), store, rc.location());
  }

  /**
   * Delta tables for the Iceberg REST face: their generated Iceberg metadata is kept where
   * rewritten files are (the rewrite prefix in a store, which the rewrites already route, or the
   * local rewrite directory for local tables); off with the rewrites.
   */
  private static io.tablegate.service.IcebergExports icebergExports(
      GatewayConfig config, Map<String, S3Store> stores, Tables tables) {
    var rc = config.rewrites();
    if (!rc.enabled()) return null;
    java.nio.file.Path dir = java.nio.file.Path.of(rc.directory());
    var exporter = new io.tablegate.format.iceberg.DeltaAsIceberg(tables.router()::forLocation);
    if (rc.location() == null)
      return new io.tablegate.service.IcebergExports(exporter, dir, null, null);
    return new io.tablegate.service.IcebergExports(
        exporter, dir, stores.get(rc.store()), rc.location());
  }

  /** How often an instance adds what it counted to the recipients' shared usage counters. */
  static final long USAGE_FLUSH_MS = 5_000;

  /** The URL reuse window in seconds; 0 when off (it needs the Redis cache tier). */
  static long urlReuseWindowSeconds(GatewayConfig config) {
    return config.redis() != null && config.redis().sharedTtlMs() > 0
        ? config.redis().urlReuseWindowSeconds()
        : 0;
  }

  /**
   * Bucket notifications to cache invalidations; catalog changes re-route tables and reload the
   * catalog (another instance's change at once, else at the next poll).
   */
  private static InvalidationService invalidations(
      Vertx vertx,
      GatewayConfig config,
      LiveCatalog live,
      Caches caches,
      Tables tables,
      WorkerExecutor workers,
      WorkerExecutor adminWorkers,
      Telemetry telemetry,
      Clock clock,
      Resources res) {
    InvalidationService invalidations =
        new InvalidationService(
            live.catalog().allTables(), caches.bus(), caches.cache(), workers, clock);
    Timer lag =
        telemetry.histogram(
            "tablegate.invalidation.lag",
            "from a bucket event's eventTime to its table's invalidation here",
            Duration.ofMillis(10),
            Duration.ofMinutes(5));
    invalidations.onLag(lag::record);
    live.onChange(
        view -> {
          tables.route().accept(view.catalog().allTables());
          invalidations.setTables(view.catalog().allTables());
        });
    AdminConfig admin = config.admin();
    if (admin != null) {
      // another instance changed the catalog: reload it now rather than at the next poll
      caches
          .bus()
          .onInvalidate(
              k -> {
                if (CATALOG_CHANGED.equals(k)) adminWorkers.executeBlocking(live::refresh, false);
              });
      AtomicBoolean refreshing = new AtomicBoolean();
      long refreshTimer =
          vertx.setPeriodic(
              admin.refreshIntervalMs(),
              id -> {
                if (refreshing.compareAndSet(false, true)) {
                  adminWorkers
                      .executeBlocking(live::refresh, false)
                      .onComplete(
                          ar -> {
                            refreshing.set(false);
                            if (ar.failed())
                              LOGGER
                                  .atWarn()
                                  .addKeyValue("cause", ar.cause().toString())
                                  .log("Cannot read the live catalog");
                          });
                }
              });
      res.add("catalog refresh", refreshTimer, vertx::cancelTimer);
    }
    if (config.notifications().redisList() != null) {
      RedisListConsumer listConsumer =
          res.add(
              "redis list consumer",
              new RedisListConsumer(
                  vertx,
                  RedisSettings.options(config.redis(), 1),
                  config.notifications().redisList(),
                  invalidations::applyRedisMessage),
              RedisListConsumer::close);
      listConsumer.start();
    }
    return invalidations;
  }

  /**
   * Per-recipient limits, shared by every instance through Redis when configured; null when off.
   */
  private static RateLimitHandler rateLimit(
      Vertx vertx, GatewayConfig config, Clock clock, Resources res) {
    if (config.rateLimit() == null) return null;
    io.vertx.redis.client.Redis limitRedis =
        config.redis() == null
            ? null
            : res.add(
                "rate-limit redis",
                io.vertx.redis.client.Redis.createClient(
                    vertx, RedisSettings.options(config.redis(), 4)),
                io.vertx.redis.client.Redis::close);
    return new RateLimitHandler(
        new RateLimiter(
            config.rateLimit(),
            limitRedis == null ? null : io.vertx.redis.client.RedisAPI.api(limitRedis),
            config.redis() == null ? "" : config.redis().keyPrefix(),
            clock));
  }

  /**
   * The three listeners with their options and connection limits: management first (probes answer
   * while the rest starts), then admin, then sharing; on a failed start the ones started are
   * stopped.
   */
  private static final class Listeners {
    final Vertx vertx;
    final GatewayConfig config;
    final HttpServerOptions sharingOptions;
    final String tlsEngine;
    final ConnectionLimits sharingLimits;
    final ConnectionLimits adminLimits;
    final ConnectionLimits managementLimits;
    final AtomicReference<HttpListener> management = new AtomicReference<>();
    final AtomicReference<HttpListener> admin = new AtomicReference<>();
    final AtomicReference<HttpListener> sharing = new AtomicReference<>();

    Listeners(Vertx vertx, GatewayConfig config) {
      this.vertx = vertx;
      this.config = config;
      // gzip for clients that accept it (CompressionTest). Not Vert.x's content size threshold:
      // with it set (1 KB), no response of ours was compressed at all
      sharingOptions = new HttpServerOptions().setCompressionSupported(true).setHost(config.host());
      tlsEngine = config.tls() == null ? "none" : Tls.configure(sharingOptions, config.tls());
      sharingLimits = new ConnectionLimits(vertx, config.limits());
      sharingLimits.configure(sharingOptions);
      adminLimits = new ConnectionLimits(vertx, config.limits());
      managementLimits = new ConnectionLimits(vertx, config.limits());
    }

    Future<Void> start(
        Supplier<Handler<HttpServerRequest>> sharingHandlers,
        Supplier<Handler<HttpServerRequest>> adminHandlers,
        Supplier<Handler<HttpServerRequest>> managementHandlers) {
      AdminConfig a = config.admin();
      HttpServerOptions managementOptions =
          managementLimits.configure(new HttpServerOptions().setHost(config.management().host()));
      HttpServerOptions adminOptions =
          a == null
              ? null
              : adminLimits.configure(
                  a.tls()
                      ? new HttpServerOptions(sharingOptions).setHost(a.host())
                      : new HttpServerOptions().setHost(a.host()));
      // the admin API and the management listener are light: one event loop each
      return HttpListener.start(
              vertx,
              managementOptions,
              managementLimits,
              managementHandlers,
              config.management().host(),
              config.management().port(),
              1)
          .onSuccess(management::set)
          .compose(
              v ->
                  a == null
                      ? Future.succeededFuture()
                      : HttpListener.start(
                              vertx,
                              adminOptions,
                              adminLimits,
                              adminHandlers,
                              a.host(),
                              a.port(),
                              1)
                          .onSuccess(admin::set))
          .compose(
              v ->
                  HttpListener.start(
                          vertx,
                          sharingOptions,
                          sharingLimits,
                          sharingHandlers,
                          config.host(),
                          config.port(),
                          config.eventLoops())
                      .onSuccess(sharing::set))
          .mapEmpty();
    }

    Future<Void> stop() {
      List<Future<Void>> stopping = new ArrayList<>();
      for (AtomicReference<HttpListener> l : List.of(sharing, admin, management))
        if (l.get() != null) stopping.add(l.get().shutdown(0));
      return Future.join(stopping).<Void>mapEmpty().otherwiseEmpty();
    }
  }

  private static void logServing(GatewayConfig config, String endpoint, Listeners listeners) {
    LOGGER
        .atInfo()
        .addKeyValue("endpoint", endpoint)
        .addKeyValue("bound", config.host() + ":" + listeners.sharing.get().port())
        .addKeyValue("eventLoops", config.eventLoops())
        .addKeyValue("shares", config.shares().size())
        .addKeyValue("auth", config.authEnabled() ? "bearer" : "off")
        .log("Tablegate is serving");
    if (!config.authEnabled())
      LOGGER
          .atWarn()
          .log("No authorization configured: anyone who reaches this port can read every share");
    LOGGER
        .atInfo()
        .addKeyValue("bound", config.management().host() + ":" + listeners.management.get().port())
        .log("Management listening: /livez, /readyz, /metrics");
    AdminConfig admin = config.admin();
    if (listeners.admin.get() != null) {
      LOGGER
          .atInfo()
          .addKeyValue("bound", admin.host() + ":" + listeners.admin.get().port())
          .addKeyValue(
              "catalog",
              admin.catalogLocation() != null ? admin.catalogLocation() : admin.catalogFile())
          .log("Admin API listening");
    }
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

  /**
   * How long startup waits for the warm-up before it serves anyway (unreachable stores must not
   * hold it).
   */
  static final long WARM_UP_MS = 5_000;

  private static final int WARM_UP_TABLES = 16;

  /**
   * Loads the latest snapshot of the first tables (and lists one small table's files once), so that
   * class loading and the JIT's first compilations of Kernel, Parquet and the codecs happen before
   * the gateway says it is serving: the first recipient request is then as fast as the next (a cold
   * first request took about a second, half of the npm client's 2 s timeout). Failures are ignored
   * here: the requests will report them.
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
        LOGGER
            .atDebug()
            .addKeyValue("table", t.qualifiedName())
            .addKeyValue("cause", e.toString())
            .log("Warm-up could not read a table");
      }
    }
    LOGGER
        .atDebug()
        .addKeyValue("tables", Math.min(n, WARM_UP_TABLES))
        .addKeyValue("ms", (System.nanoTime() - started) / 1_000_000)
        .log("Warmed up");
  }

  /**
   * What {@code /readyz} says: the catalog (loaded once the gateway serves), Redis when configured,
   * each store.
   */
  static ManagementRouter.Readiness readiness(
      GatewayConfig config, boolean draining, InvalidationBus bus, StoreProbe probe) {
    String redis = config.redis() == null ? "off" : bus.connected() ? "connected" : "unreachable";
    Map<String, String> stores = probe.results();
    boolean ready =
        !draining
            && !"unreachable".equals(redis)
            && stores.values().stream().allMatch(StoreProbe.REACHABLE::equals);
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

  private static final com.fasterxml.jackson.databind.ObjectMapper READINESS_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** The subsystems' gauges and counters, read when scraped. */
  static void meters(
      Telemetry t,
      GatewayConfig config,
      InvalidationBus bus,
      MetadataCache cache,
      List<CachingTableFormat> formats,
      InvalidationService invalidations,
      ScanGate scans,
      ConnectionLimits sharing,
      ConnectionLimits admin,
      LiveCatalog live,
      SharingService service) {
    if (urlReuseWindowSeconds(config) > 0) {
      String help =
          "complete queries' encoded lines shared through Redis for a URL reuse window: served"
              + " from Redis (hit), written there (recorded), lost by Redis while served (lost)";
      t.counter(
          "tablegate.shared.lines", help, service, s -> s.sharedLinesStats()[0], "result", "hit");
      t.counter(
          "tablegate.shared.lines",
          help,
          service,
          s -> s.sharedLinesStats()[1],
          "result",
          "recorded");
      t.counter(
          "tablegate.shared.lines", help, service, s -> s.sharedLinesStats()[2], "result", "lost");
    }
    String rewriteHelp =
        "data files with deletion vectors served to parquet readers rewritten without the deleted"
            + " rows: found in the rewrite directory (hit), rewritten (rewrite)";
    t.counter(
        "tablegate.rewrites", rewriteHelp, service, s -> s.rewriteStats()[0], "result", "hit");
    t.counter(
        "tablegate.rewrites", rewriteHelp, service, s -> s.rewriteStats()[1], "result", "rewrite");
    t.counter(
        "tablegate.rewrite.bytes",
        "bytes of rewritten data files written",
        service,
        s -> s.rewriteStats()[2]);
    t.counter(
        "tablegate.metadata.lookups",
        "latest-version, snapshot and file-list lookups, by whether a cache tier answered",
        formats,
        fs -> fs.stream().mapToLong(f -> f.lookups() - f.misses()).sum(),
        "result",
        "hit");
    t.counter(
        "tablegate.metadata.lookups",
        "latest-version, snapshot and file-list lookups, by whether a cache tier answered",
        formats,
        fs -> fs.stream().mapToLong(CachingTableFormat::misses).sum(),
        "result",
        "miss");
    if (config.redis() != null) {
      t.gauge(
          "tablegate.redis.connected",
          "1 when invalidations reach every instance through Redis",
          bus,
          b -> b.connected() ? 1 : 0);
    }
    t.gauge(
        "tablegate.cache.entries",
        "entries in the in-process metadata cache",
        cache,
        MetadataCache::size);
    for (String tier : cache.tierStats().keySet()) {
      String help =
          "metadata cache lookups by tier (in-process, redis) and whether the tier had the value";
      t.counter(
          "tablegate.cache.lookups",
          help,
          cache,
          c -> c.tierStats().get(tier).hits(),
          "tier",
          tier,
          "result",
          "hit");
      t.counter(
          "tablegate.cache.lookups",
          help,
          cache,
          c -> c.tierStats().get(tier).misses(),
          "tier",
          tier,
          "result",
          "miss");
    }
    t.gauge("tablegate.scans.open", "table scans holding a slot", scans, ScanGate::open);
    t.gauge("tablegate.scans.queued", "requests waiting for a scan slot", scans, ScanGate::queued);
    t.gauge(
        "tablegate.connections.open",
        "open connections by listener",
        sharing,
        ConnectionLimits::open,
        "listener",
        "sharing");
    t.gauge(
        "tablegate.connections.open",
        "open connections by listener",
        admin,
        ConnectionLimits::open,
        "listener",
        "admin");
    t.counter(
        "tablegate.bucket.events",
        "object events received from bucket notifications",
        invalidations,
        InvalidationService::eventsReceived);
    t.counter(
        "tablegate.event.invalidations",
        "tables invalidated because a bucket notification named their log",
        invalidations,
        InvalidationService::tablesInvalidated);
    t.gauge(
        "tablegate.token.expiry.horizon.seconds",
        "seconds until the next active bearer token expires (absent: none expires)",
        live,
        l -> {
          java.time.Instant now = java.time.Instant.now();
          return l.view().tokensBySha256().values().stream()
              .filter(
                  e -> e.revokedAt() == null && e.expiresAt() != null && e.expiresAt().isAfter(now))
              .mapToDouble(e -> java.time.Duration.between(now, e.expiresAt()).toSeconds())
              .min()
              .orElse(Double.NaN);
        });
  }

  /**
   * The TLS engine serving this gateway: "openssl" (BoringSSL), "jdk", or "none" for plain HTTP.
   */
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
   * streams in flight get up to {@code drain} to finish, then everything closes in the reverse
   * order of its creation. Idempotent.
   */
  public synchronized Future<Void> shutdown(Duration drain) {
    if (closing != null) return closing;
    draining.set(true);
    LOGGER
        .atInfo()
        .addKeyValue("drainMs", drain.toMillis())
        .log("Draining: no new connections, open streams may finish");
    long ms = Math.max(0, drain.toMillis());
    Future<Void> admin = adminServer == null ? Future.succeededFuture() : adminServer.shutdown(ms);
    Future<Void> sharing = server.shutdown(ms);
    // probes keep answering (503 "draining") until the sharing listener has drained
    closing =
        Future.join(sharing, admin)
            .<Void>mapEmpty()
            .otherwiseEmpty()
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
