package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.MutableClock;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identical unpaginated queries within the response cache's lifetime skip the table scan; nothing
 * else does.
 */
class ResponseCacheTest {
  static final String Q = "/shares/s/schemas/c/tables/t/query";
  @TempDir static Path dir;
  static GatewayHarness gw;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
  static final AtomicInteger scans = new AtomicInteger();

  @BeforeAll
  static void start() {
    TestTables.writeHistoryTable(dir.resolve("t"));
    io.tablegate.fixtures.SyntheticTables.generate(dir.resolve("big"), 2_000, 1, false);
    var config =
        ConfigLoader.parse(
                """
        version: 1
        host: 127.0.0.1
        port: 0
        shares:
          - name: s
            schemas:
              - name: c
                tables:
                  - {name: t, location: t, historyShared: true}
                  - {name: big, location: big}
        """,
                dir)
            .config();
    assertThat(config.responseCacheTtlMs()).isEqualTo(60_000);
    var vertx = io.vertx.core.Vertx.vertx();
    gw =
        GatewayHarness.attach(
            vertx,
            GatewayHarness.await(
                Gateway.start(
                    vertx,
                    config,
                    clock,
                    f -> new CountingFormat(f, new AtomicLong(), scans, new AtomicInteger()))));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void repeatsWithinTheLifetimeAreServedFromTheCacheWithTheirTrueExpiry() {
    // Given: nothing cached from other tests
    clock.advance(Duration.ofSeconds(61));
    int before = scans.get();
    String first = gw.post(Q, null, "{}").text();
    // When
    clock.advance(Duration.ofSeconds(30));
    String second = gw.post(Q, null, "{}").text();
    // Then: the same bytes (URLs keep their original, true expiry) and no second scan
    assertThat(second).isEqualTo(first);
    assertThat(scans.get()).isEqualTo(before + 1);
    // an end-stream trailer is still built per request from the cached body's earliest expiry
    var withEnd =
        gw.post(Q, null, Map.of("delta-sharing-capabilities", "includeendstreamaction=true"), "{}")
            .lines();
    assertThat(
            withEnd.get(withEnd.size() - 1).get("endStreamAction").has("minUrlExpirationTimestamp"))
        .isTrue();
    // When the lifetime has passed, the table is scanned and URLs are signed again
    clock.advance(Duration.ofSeconds(31));
    assertThat(gw.post(Q, null, "{}").text()).isNotEqualTo(first);
    assertThat(scans.get()).isGreaterThan(before + 1);
  }

  @Test
  void cachedBodiesGoOutWholeWithTheirLength() {
    clock.advance(Duration.ofSeconds(61));
    // small: the repeat is one buffer with its length
    var first = gw.post(Q, null, "{}");
    var small = gw.post(Q, null, "{}");
    assertThat(small.text()).isEqualTo(first.text());
    assertThat(small.header("Content-Length")).isEqualTo(Integer.toString(small.body().length));
    assertThat(small.header("Transfer-Encoding")).isNull();
    // large (2,000 files, about 1 MB, above the 256 KB of one buffer): the repeat streams the same
    // bytes
    String big = "/shares/s/schemas/c/tables/big/query";
    var uncached = gw.post(big, null, "{}");
    int scanned = scans.get();
    var cached = gw.post(big, null, "{}");
    assertThat(scans.get()).as("served from the response cache").isEqualTo(scanned);
    assertThat(cached.body().length).isGreaterThan(NdjsonWriter.WHOLE_MAX_BYTES);
    assertThat(cached.text()).isEqualTo(uncached.text());
    assertThat(cached.lines()).hasSize(2_002);
    assertThat(cached.header("Content-Length")).isEqualTo(Integer.toString(cached.body().length));
    assertThat(uncached.header("Transfer-Encoding")).isEqualTo("chunked");
  }

  @Test
  void paginatedRefreshAndOtherVersionQueriesAreNeverServedFromIt() {
    gw.post(Q, null, "{}");
    int before = scans.get();
    gw.post(Q, null, "{\"maxFiles\": 1}");
    gw.post(Q, null, "{\"version\": 2}");
    String refresh =
        gw.post(Q, null, "{\"includeRefreshToken\": true}").lines().stream()
            .filter(l -> l.has("endStreamAction"))
            .findFirst()
            .orElseThrow()
            .get("endStreamAction")
            .get("refreshToken")
            .asText();
    int afterRefreshToken = scans.get();
    gw.post(Q, null, "{\"refreshToken\": \"" + refresh + "\"}");
    assertThat(scans.get()).isEqualTo(afterRefreshToken + 1);
    assertThat(afterRefreshToken).isGreaterThanOrEqualTo(before + 2);
  }
}
