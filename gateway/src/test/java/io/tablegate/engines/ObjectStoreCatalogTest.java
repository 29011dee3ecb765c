package io.tablegate.engines;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.CephRgw;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.RedisHarness;
import io.tablegate.testing.S3Harness;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live catalog as one object in the object store, written with conditional PUTs (If-Match /
 * If-None-Match), no shared disk: two instances changing it at once against a real Ceph RGW lose no
 * update; a change reaches the other instance through Redis; with the store down, the last catalog
 * keeps serving and admin writes answer 503.
 */
class ObjectStoreCatalogTest {
  /** Changes {@link #concurrentChanges} makes: one, 2 x 100 at once, then 5 timed ones. */
  static final int CHANGES = 1 + 200 + 5;

  static final String ADMIN = "object-catalog-admin-token-0123";
  @TempDir Path dir;

  static String yaml(String storeYaml, String redis) {
    return yaml(storeYaml, redis, "catalog", "auto");
  }

  static String yaml(String storeYaml, String redis, String bucket, String writes) {
    return """
        version: 1
        host: 127.0.0.1
        port: 0
        stores:
        %s
        %s
        admin: {host: 127.0.0.1, port: 0, token: %s, catalog: "s3://%s/tablegate/catalog.json", catalogStore: cat, catalogWrites: %s}
        shares: []
        """
        .formatted(
            storeYaml.stripTrailing(),
            redis == null ? "" : "redis: {uri: \"" + redis + "\"}",
            ADMIN,
            bucket,
            writes);
  }

  static Response admin(GatewayHarness g, HttpMethod method, String path, String body) {
    return g.admin(method, path, ADMIN, body);
  }

  /**
   * An admin client's create: retried while the gateway says 503 (a busy catalog), as the CLI
   * would.
   */
  static int create(GatewayHarness g, String name) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      int status = admin(g, HttpMethod.POST, "/shares", "{\"name\": \"" + name + "\"}").status();
      if (status != 503 || attempt > 50) return status;
      Thread.sleep(50);
    }
  }

  @Test
  void twoInstancesWritingAtOnceToRgwLoseNoUpdate() throws Exception {
    CephRgw rgw = CephRgw.shared();
    rgw.client.createBucket(b -> b.bucket("catalog"));
    // RGW honours If-Match: "auto" finds conditional writes (one object, its version in the
    // metadata)
    concurrentChanges(yaml(rgw.storeYaml("cat"), "REDIS", "catalog", "auto"));
    var head = rgw.client.headObject(h -> h.bucket("catalog").key("tablegate/catalog.json"));
    assertThat(head.metadata().get("tablegate-version")).isEqualTo(Integer.toString(CHANGES));
    assertThat(
            rgw.client
                .listObjectsV2(l -> l.bucket("catalog").prefix("tablegate/catalog.json.gen/"))
                .contents())
        .isEmpty();
  }

  @Test
  void withoutConditionalWritesVersionedGenerationsLoseNoUpdateEither() throws Exception {
    // the fallback for stores that ignore If-Match: bucket versioning, and the first version of a
    // generation wins
    CephRgw rgw = CephRgw.shared();
    rgw.client.createBucket(b -> b.bucket("catalog-versioned"));
    rgw.client.putBucketVersioning(
        v ->
            v.bucket("catalog-versioned")
                .versioningConfiguration(
                    c ->
                        c.status(
                            software.amazon.awssdk.services.s3.model.BucketVersioningStatus
                                .ENABLED)));
    concurrentChanges(yaml(rgw.storeYaml("cat"), "REDIS", "catalog-versioned", "versioned"));
    // the last change's generation is the newest; only the last few generations are kept
    var keys =
        rgw.client
            .listObjectsV2(l -> l.bucket("catalog-versioned").prefix("tablegate/catalog.json.gen/"))
            .contents();
    assertThat(keys)
        .last()
        .satisfies(k -> assertThat(k.key()).endsWith(String.format("%020d", CHANGES)));
    assertThat(keys.size()).isLessThanOrEqualTo(17);
  }

  @Test
  void aStoreIgnoringConditionalWritesWithoutVersioningIsRefusedAtStart() throws Exception {
    // s3proxy behind a proxy that drops If-Match and If-None-Match: a store that ignores
    // conditional writes
    S3Harness s3 = new S3Harness(dir.resolve("s3"), true);
    s3.createBucket("catalog");
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpClient upstream = vertx.createHttpClient();
      io.vertx.core.http.HttpServer proxy =
          vertx
              .createHttpServer(
                  new io.vertx.core.http.HttpServerOptions()
                      .setHandle100ContinueAutomatically(true))
              .requestHandler(
                  req ->
                      req.body()
                          .onSuccess(
                              body -> {
                                io.vertx.core.http.RequestOptions options =
                                    new io.vertx.core.http.RequestOptions()
                                        .setMethod(req.method())
                                        .setAbsoluteURI(s3.endpoint() + req.uri());
                                java.util.Set<String> dropped =
                                    java.util.Set.of(
                                        "if-match",
                                        "if-none-match",
                                        "host",
                                        "content-length",
                                        "transfer-encoding",
                                        "connection",
                                        "expect");
                                req.headers()
                                    .forEach(
                                        (k, v) -> {
                                          if (!dropped.contains(
                                              k.toLowerCase(java.util.Locale.ROOT)))
                                            options.addHeader(k, v);
                                        });
                                upstream
                                    .request(options)
                                    .compose(r -> r.send(body))
                                    .onComplete(
                                        ar -> {
                                          if (ar.failed()) {
                                            req.response().setStatusCode(502).end();
                                            return;
                                          }
                                          req.response().setStatusCode(ar.result().statusCode());
                                          ar.result()
                                              .headers()
                                              .forEach(
                                                  (k, v) -> {
                                                    if (!k.equalsIgnoreCase("content-length")
                                                        && !k.equalsIgnoreCase("transfer-encoding")
                                                        && !k.equalsIgnoreCase("connection")) {
                                                      req.response().headers().add(k, v);
                                                    }
                                                  });
                                          ar.result().body().onSuccess(b -> req.response().end(b));
                                        });
                              }))
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      String store =
          s3.storeYaml("cat").replace(s3.endpoint(), "http://127.0.0.1:" + proxy.actualPort());
      var config = io.tablegate.config.ConfigLoader.parse(yaml(store, null), dir).config();
      var started =
          io.tablegate.app.Gateway.start(
              vertx,
              config.withManagement(new io.tablegate.config.ManagementConfig("127.0.0.1", 0)));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> started.toCompletionStage().toCompletableFuture().get())
          .hasMessageContaining("ignores conditional writes")
          .hasMessageContaining("enable versioning");
      // with conditional writes demanded, it starts (the operator's choice, e.g. a single writer)
      var conditional =
          io.tablegate.config.ConfigLoader.parse(yaml(store, null, "catalog", "conditional"), dir)
              .config();
      var gw =
          io.tablegate.app.Gateway.start(
                  vertx,
                  conditional.withManagement(
                      new io.tablegate.config.ManagementConfig("127.0.0.1", 0)))
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      gw.close().toCompletionStage().toCompletableFuture().get();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
      s3.close();
    }
  }

  /**
   * Two instances sharing Redis make 100 changes each at once; both, and the store, end with all of
   * them.
   */
  void concurrentChanges(String yamlWithRedis) throws Exception {
    try (RedisHarness redis = new RedisHarness(dir.resolve("redis"));
        GatewayHarness a = GatewayHarness.start(yamlWithRedis.replace("REDIS", redis.uri()), dir);
        GatewayHarness b = GatewayHarness.start(yamlWithRedis.replace("REDIS", redis.uri()), dir)) {
      // a change on one instance reaches the other
      long start = System.nanoTime();
      assertThat(create(a, "first")).isEqualTo(201);
      assertThat(
              GatewayHarness.eventually(
                  () -> admin(b, HttpMethod.GET, "/shares/first", null).status() == 200))
          .isTrue();
      System.out.println(
          "[object-catalog] a change on A visible on B after "
              + (System.nanoTime() - start) / 1_000_000
              + " ms");
      // When: an admin on each instance makes 100 changes, both at once
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<List<Integer>>> results = new ArrayList<>();
        for (GatewayHarness g : List.of(a, b)) {
          String prefix = g == a ? "a" : "b";
          results.add(
              pool.submit(
                  () -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < 100; i++) statuses.add(create(g, prefix + i));
                    return statuses;
                  }));
        }
        for (Future<List<Integer>> f : results) assertThat(f.get()).containsOnly(201).hasSize(100);
      } finally {
        pool.shutdown();
      }
      // Then: both instances and the object hold all 201 shares
      for (GatewayHarness g : List.of(a, b)) {
        assertThat(
                GatewayHarness.eventually(
                    () -> admin(g, HttpMethod.GET, "/shares", null).json().size() == 201))
            .isTrue();
      }
      // how long a change takes to reach the other instance once both are warm (published, not
      // asserted)
      List<Long> lags = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String name = "lag" + i;
        long t0 = System.nanoTime();
        assertThat(create(a, name)).isEqualTo(201);
        assertThat(
                GatewayHarness.eventually(
                    () -> admin(b, HttpMethod.GET, "/shares/" + name, null).status() == 200))
            .isTrue();
        lags.add((System.nanoTime() - t0) / 1_000_000);
      }
      System.out.println(
          "[object-catalog] warm change on A (write included) visible on B after " + lags + " ms");
    }
  }

  @Test
  void withTheStoreDownTheLastCatalogServesAndAdminWritesAre503() throws Exception {
    S3Harness s3 = new S3Harness(dir.resolve("s3"));
    s3.createBucket("catalog");
    try (GatewayHarness g = GatewayHarness.start(yaml(s3.storeYaml("cat"), null), dir)) {
      assertThat(create(g, "kept")).isEqualTo(201);
      Response token = admin(g, HttpMethod.POST, "/shares/kept/tokens", "{}");
      assertThat(token.status()).as(token.text()).isEqualTo(201);
      String bearer = token.json().get("token").asText();
      // When
      s3.close();
      // Then: recipients are still served from the catalog in memory; admin writes say the store is
      // unavailable
      assertThat(g.get("/shares", bearer).text()).contains("\"kept\"");
      Response refused = admin(g, HttpMethod.POST, "/shares", "{\"name\": \"lost\"}");
      assertThat(refused.status()).as(refused.text()).isEqualTo(503);
      assertThat(g.get("/shares", bearer).status()).isEqualTo(200);
    }
  }

  @Test
  void aStoreThatIsDownAtStartIsWaitedFor() throws Exception {
    // Given: the catalog's store is down when the gateway starts (it comes up a little later)
    S3Harness s3 = new S3Harness(dir.resolve("s3"));
    s3.createBucket("catalog");
    s3.stop();
    ExecutorService starter = Executors.newSingleThreadExecutor();
    try (s3) {
      Future<GatewayHarness> starting =
          starter.submit(() -> GatewayHarness.start(yaml(s3.storeYaml("cat"), null), dir));
      Thread.sleep(2_000);
      assertThat(starting.isDone()).as("start waits for the store").isFalse();
      // When
      s3.restart();
      // Then: the gateway starts and its catalog is the store's
      try (GatewayHarness g = starting.get()) {
        assertThat(create(g, "late")).isEqualTo(201);
        assertThat(s3.client.headObject(b -> b.bucket("catalog").key("tablegate/catalog.json")))
            .isNotNull();
      }
    } finally {
      starter.shutdownNow();
    }
  }
}
