package io.tablegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.fixtures.SyntheticTables;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.RedisHarness;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis tier: a million-file list written by one instance's first scan is served by another
 * instance from Redis alone (the table is gone from storage by then), chunk by chunk, at the pace
 * of its client.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisTierTest {
  static final int FILES = 1_000_000;
  static final String QUERY = "/shares/s/schemas/r/tables/t/query";
  @TempDir static Path dir;
  static RedisHarness redis;
  static GatewayHarness a;
  static GatewayHarness b;
  static final AtomicLong pulledByB = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    redis = new RedisHarness(dir.resolve("redis"));
    SyntheticTables.generate(dir.resolve("t"), FILES, 20, true);
    var config =
        ConfigLoader.parse(
                """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 600000
        redis: {uri: "%s", timeoutMs: 30000, urlReuseWindowSeconds: 0}
        shares:
          - name: s
            schemas:
              - name: r
                tables:
                  - {name: t, location: t}
        """
                    .formatted(redis.uri()),
                dir)
            .config();
    a = GatewayHarness.start(config, Clock.systemUTC());
    Vertx vertx = Vertx.vertx();
    b =
        GatewayHarness.attach(
            vertx,
            GatewayHarness.await(
                Gateway.start(
                    vertx,
                    config,
                    Clock.systemUTC(),
                    f -> new io.tablegate.http.CountingFormat(f, pulledByB))));
  }

  @AfterAll
  static void stop() throws Exception {
    a.close();
    b.close();
    redis.close();
  }

  /** Streams a query, counting lines without keeping the body. */
  static long countLines(GatewayHarness gw) {
    HttpClient client = gw.vertx.createHttpClient();
    AtomicLong lines = new AtomicLong();
    Promise<Void> done = Promise.promise();
    client
        .request(
            new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(gw.endpoint() + QUERY))
        .compose(req -> req.putHeader("Content-Type", "application/json").send(Buffer.buffer("{}")))
        .onSuccess(
            resp -> {
              resp.handler(
                  buf -> {
                    long n = 0;
                    for (byte x : buf.getBytes()) if (x == '\n') n++;
                    lines.addAndGet(n);
                  });
              resp.endHandler(v -> done.complete());
              resp.exceptionHandler(done::tryFail);
            })
        .onFailure(done::tryFail);
    GatewayHarness.await(done.future());
    client.close();
    return lines.get();
  }

  @Test
  @Order(1)
  void aSecondInstanceServesTheFileListFromRedisAlone() throws Exception {
    // Given: instance A's first query scans the table and fills Redis
    assertThat(countLines(a)).isEqualTo(FILES + 2);
    String headA = a.get("/shares/s/schemas/r/tables/t/metadata", null).text();
    // When: the table disappears from storage, so that only Redis can answer
    Files.move(dir.resolve("t"), dir.resolve("t-gone"));
    // Then (A may still be finishing its write to Redis after its response ended: poll, generously)
    assertThat(b.get("/shares/s/schemas/r/tables/t/version", null).header("Delta-Table-Version"))
        .isEqualTo("19");
    assertThat(b.get("/shares/s/schemas/r/tables/t/metadata", null).text()).isEqualTo(headA);
    long lines = -1;
    for (int attempt = 0; attempt < 60 && lines != FILES + 2; attempt++) {
      pulledByB.set(0);
      try {
        lines = countLines(b);
      } catch (IllegalStateException e) {
        lines = -1; // the list was not complete in Redis yet, and the table is gone
      }
      if (lines != FILES + 2) Thread.sleep(500);
    }
    assertThat(lines).isEqualTo(FILES + 2);
    assertThat(pulledByB.get()).isEqualTo(FILES);
    // and B's metrics say so: the Redis tier answered, B's own in-process tier had missed first
    String metrics = b.management("/metrics").text();
    assertThat(counter(metrics, "tablegate_cache_lookups_total{result=\"hit\",tier=\"redis\"}"))
        .isPositive();
    assertThat(
            counter(metrics, "tablegate_cache_lookups_total{result=\"miss\",tier=\"in-process\"}"))
        .isPositive();
  }

  static double counter(String metrics, String series) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " "))
        return Double.parseDouble(line.substring(series.length() + 1).trim());
    }
    throw new AssertionError(
        "no "
            + series
            + " in\n"
            + metrics.lines().filter(l -> l.startsWith("tablegate_cache")).toList());
  }

  @Test
  @Order(2)
  void readingFromRedisFollowsTheClientsPace() throws Exception {
    // Given
    HttpClient client = b.vertx.createHttpClient();
    long before = pulledByB.get();
    HttpClientResponse resp =
        GatewayHarness.await(
            client
                .request(
                    new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setAbsoluteURI(b.endpoint() + QUERY))
                .compose(
                    req ->
                        req.putHeader("Content-Type", "application/json").send(Buffer.buffer("{}")))
                .map(r -> r.pause()));
    // When
    long last = -1;
    for (int i = 0; i < 100 && pulledByB.get() != last; i++) {
      last = pulledByB.get();
      Thread.sleep(200);
    }
    // Then: a paused client holds the server to a small part of the list
    assertThat(pulledByB.get() - before).isLessThan(FILES / 10);
    resp.request().connection().close();
    client.close();
  }

  @Test
  @Order(3)
  void whenRedisDiesMidListTheStreamContinuesFromTheTable() throws Exception {
    // Given: the table is back in storage, and B streams its list from Redis to a paused client
    Files.move(dir.resolve("t-gone"), dir.resolve("t"));
    HttpClient client = b.vertx.createHttpClient();
    AtomicLong lines = new AtomicLong();
    Promise<Void> done = Promise.promise();
    HttpClientResponse resp =
        GatewayHarness.await(
            client
                .request(
                    new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setAbsoluteURI(b.endpoint() + QUERY))
                .compose(
                    req ->
                        req.putHeader("Content-Type", "application/json").send(Buffer.buffer("{}")))
                .map(r -> r.pause()));
    resp.handler(
        buf -> {
          long n = 0;
          for (byte x : buf.getBytes()) if (x == '\n') n++;
          lines.addAndGet(n);
        });
    resp.endHandler(v -> done.complete());
    resp.exceptionHandler(done::tryFail);
    Thread.sleep(500);
    // When
    redis.kill();
    resp.resume();
    // Then: every line arrives, once
    GatewayHarness.await(done.future());
    assertThat(lines.get()).isEqualTo(FILES + 2);
    client.close();
  }
}
