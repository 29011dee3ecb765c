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
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live catalog as one object in the object store, written with conditional PUTs (If-Match /
 * If-None-Match), no shared disk: two instances changing it at once against a real Ceph RGW lose no
 * update; a change reaches the other instance through Redis; with the store down, the last catalog keeps
 * serving and admin writes answer 503.
 */
class ObjectStoreCatalogTest {
  static final String ADMIN = "object-catalog-admin-token-0123";
  @TempDir Path dir;

  static String yaml(String storeYaml, String redis) {
    return """
        version: 1
        host: 127.0.0.1
        port: 0
        stores:
        %s
        %s
        admin: {host: 127.0.0.1, port: 0, token: %s, catalog: "s3://catalog/tablegate/catalog.json", catalogStore: cat}
        shares: []
        """.formatted(storeYaml.stripTrailing(), redis == null ? "" : "redis: {uri: \"" + redis + "\"}", ADMIN);
  }

  static Response admin(GatewayHarness g, HttpMethod method, String path, String body) {
    return g.send(method, "http://127.0.0.1:" + g.gateway.adminPort() + "/api/v1" + path, ADMIN,
        Map.of("Content-Type", "application/json"), body);
  }

  /** An admin client's create: retried while the gateway says 503 (a busy catalog), as the CLI would. */
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
    try (RedisHarness redis = new RedisHarness(dir.resolve("redis"));
        GatewayHarness a = GatewayHarness.start(yaml(rgw.storeYaml("cat"), redis.uri()), dir);
        GatewayHarness b = GatewayHarness.start(yaml(rgw.storeYaml("cat"), redis.uri()), dir)) {
      // a change on one instance reaches the other
      long start = System.nanoTime();
      assertThat(create(a, "first")).isEqualTo(201);
      assertThat(GatewayHarness.eventually(() -> admin(b, HttpMethod.GET, "/shares/first", null).status() == 200)).isTrue();
      System.out.println("[object-catalog] a change on A visible on B after " + (System.nanoTime() - start) / 1_000_000 + " ms");
      // When: an admin on each instance makes 100 changes, both at once
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<List<Integer>>> results = new ArrayList<>();
        for (GatewayHarness g : List.of(a, b)) {
          String prefix = g == a ? "a" : "b";
          results.add(pool.submit(() -> {
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
        assertThat(GatewayHarness.eventually(() -> admin(g, HttpMethod.GET, "/shares", null).json().size() == 201)).isTrue();
      }
      var head = rgw.client.headObject(h -> h.bucket("catalog").key("tablegate/catalog.json"));
      assertThat(head.metadata().get("tablegate-version")).isEqualTo("201");
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
      // Then: recipients are still served from the catalog in memory; admin writes say the store is unavailable
      assertThat(g.get("/shares", bearer).text()).contains("\"kept\"");
      Response refused = admin(g, HttpMethod.POST, "/shares", "{\"name\": \"lost\"}");
      assertThat(refused.status()).as(refused.text()).isEqualTo(503);
      assertThat(g.get("/shares", bearer).status()).isEqualTo(200);
    }
  }
}
