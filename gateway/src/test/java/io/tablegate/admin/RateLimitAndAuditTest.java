package io.tablegate.admin;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tablegate.config.ConfigLoader;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.MutableClock;
import io.tablegate.testing.RedisHarness;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Per-recipient rate limits (per instance, and shared through Redis) and the per-request audit log.
 */
class RateLimitAndAuditTest {
  static final String V = "/shares/s/schemas/n/tables/t/version";
  @TempDir static Path dir;

  @BeforeAll
  static void tables() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("t"));
  }

  static String yaml(String extra) {
    return """
        version: 1
        host: 127.0.0.1
        port: 0
        rateLimit: {requestsPerSecond: 2, burst: 5}
        authorization:
          tokens:
            - {id: alice, token: alice-token-0123456789, shares: [s]}
            - {id: bob, token: bob-token-0123456789ab, shares: [s]}
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: t, historyShared: true}
        """
        + extra;
  }

  static int ok(GatewayHarness g, String token, int n) {
    int ok = 0;
    for (int i = 0; i < n; i++) if (g.get(V, token).status() == 200) ok++;
    return ok;
  }

  @Test
  void aRecipientOverItsLimitGets429WithRetryAfterAndOthersAreUnaffected() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (GatewayHarness g =
        GatewayHarness.start(ConfigLoader.parse(yaml(""), dir).config(), clock)) {
      assertThat(ok(g, "alice-token-0123456789", 5)).isEqualTo(5);
      Response limited = g.get(V, "alice-token-0123456789");
      assertError(limited, 429, "RESOURCE_EXHAUSTED");
      assertThat(limited.header("Retry-After")).isEqualTo("1");
      assertThat(ok(g, "bob-token-0123456789ab", 5)).isEqualTo(5);
      // two requests per second refill
      clock.advance(Duration.ofSeconds(1));
      assertThat(ok(g, "alice-token-0123456789", 3)).isEqualTo(2);
    }
  }

  @Test
  void withRedisOneTokenBucketOnRedisClockIsSharedByEveryInstance() throws Exception {
    // Given: a burst of 5 refilled at one request per 20 s, shared through Redis (the instances'
    // own clocks are frozen:
    // only Redis's clock counts)
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    String config =
        yaml("redis: {uri: \"%s\"}\n").replace("requestsPerSecond: 2", "requestsPerSecond: 0.05");
    try (RedisHarness redis = new RedisHarness(dir.resolve("redis"));
        GatewayHarness a =
            GatewayHarness.start(
                ConfigLoader.parse(config.formatted(redis.uri()), dir).config(), clock);
        GatewayHarness b =
            GatewayHarness.start(
                ConfigLoader.parse(config.formatted(redis.uri()), dir).config(), clock)) {
      long started = System.nanoTime();
      // When: 13 + 12 requests alternate between the instances (the fixed window used to pass 21 of
      // 25 at rps 2)
      int served = 0;
      for (int i = 0; i < 25; i++) served += ok(i % 2 == 0 ? a : b, "alice-token-0123456789", 1);
      double elapsed = (System.nanoTime() - started) / 1e9;
      // Then: the burst, plus at most what Redis's clock refilled meanwhile
      assertThat(served).isBetween(5, 5 + (int) Math.ceil(elapsed * 0.05));
      Response limited = b.get(V, "alice-token-0123456789");
      assertError(limited, 429, "RESOURCE_EXHAUSTED");
      assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 20L);
      // another recipient has its own bucket
      assertThat(ok(a, "bob-token-0123456789ab", 5)).isEqualTo(5);
    }
  }

  @Test
  void everyRequestWritesOneAuditLineWithoutSecrets() throws Exception {
    Logger audit = (Logger) LoggerFactory.getLogger("tablegate.audit");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    audit.addAppender(lines);
    try (GatewayHarness g = GatewayHarness.start(yaml(""), dir)) {
      Response q =
          g.post(
              "/shares/s/schemas/n/tables/t/query", "alice-token-0123456789", "{\"version\": 2}");
      assertThat(q.status()).isEqualTo(200);
      String url = q.lines().get(2).get("file").get("url").asText();
      assertThat(g.fetch(url, Map.of()).status()).isEqualTo(200);
      assertThat(g.get(V, "wrong-token-0123456789").status()).isEqualTo(401);
      // end handlers run after the response: wait for the three lines (query, file, refused
      // request)
      GatewayHarness.eventually(
          () -> {
            synchronized (lines) {
              return GatewayHarness.logged(lines).size() >= 3;
            }
          });
    } finally {
      audit.detachAppender(lines);
    }
    Map<String, Map<String, String>> byEndpoint = new HashMap<>();
    for (ILoggingEvent e : GatewayHarness.logged(lines)) {
      Map<String, String> kv =
          e.getKeyValuePairs().stream()
              .collect(Collectors.toMap(p -> p.key, p -> String.valueOf(p.value)));
      byEndpoint.put(kv.get("endpoint") + ":" + kv.get("status"), kv);
      String all = e.getFormattedMessage() + " " + kv;
      assertThat(all)
          .doesNotContain("alice-token")
          .doesNotContain("wrong-token")
          .doesNotContain("sig=")
          .doesNotContain("X-Amz");
    }
    Map<String, String> query = byEndpoint.get("query:200");
    assertThat(query)
        .containsEntry("recipient", "alice")
        .containsEntry("share", "s")
        .containsEntry("schema", "n")
        .containsEntry("table", "t")
        .containsEntry("version", "2")
        .containsKey("durationMs");
    assertThat(Long.parseLong(query.get("actions"))).isPositive();
    assertThat(byEndpoint).containsKey("file:200").containsKey("version:401");
    assertThat(byEndpoint.get("file:200"))
        .as("a download is audited as the recipient the URL was issued to")
        .containsEntry("recipient", "alice");
    assertThat(byEndpoint.get("version:401")).containsEntry("recipient", "-");
  }
}
