package io.tablegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.config.GatewayConfig;
import io.tablegate.fixtures.SyntheticTables;
import io.tablegate.http.CountingFormat;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.MutableClock;
import io.tablegate.testing.RedisHarness;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * URL reuse windows (issue 15, goal 3): file URLs are signed as of their window's start and valid
 * for the lifetime plus the window, and a complete query's encoded lines are kept in Redis for the
 * window, so another instance serves them as they are: the same bytes, no table scan, and every URL
 * still valid for at least the configured lifetime. A new window, another recipient, or a list
 * Redis loses halfway are each handled.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedLinesTest {
  static final int FILES = 3_000; // ~2 MB of lines: more than one Redis chunk
  static final long LIFETIME_S = 3600;
  static final long WINDOW_S = 300;
  static final String QUERY = "/shares/s/schemas/r/tables/t/query";
  static final String HIT = "tablegate_shared_lines_total{result=\"hit\"}";
  static final String ALICE = "alice-token-0123456789abcdef";
  static final String BOB = "bob-token-0123456789abcdef01";
  @TempDir static Path dir;
  static RedisHarness redis;
  static MutableClock clock;
  static GatewayHarness a;
  static GatewayHarness b;
  static final AtomicLong pulledByB = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    redis = new RedisHarness(dir.resolve("redis"));
    SyntheticTables.generate(dir.resolve("t"), FILES, 3, true);
    int portA;
    try (ServerSocket s = new ServerSocket(0)) {
      portA = s.getLocalPort();
    }
    // a window boundary 10 s ago: the first queries fall in the window starting then
    clock =
        new MutableClock(Instant.ofEpochSecond(1_800_000_000L - 1_800_000_000L % WINDOW_S + 10));
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: %d
        management: {host: 127.0.0.1, port: 0}
        publicEndpoint: http://127.0.0.1:%d/delta-sharing
        signingKey: shared-lines-test-signing-key-0123456789
        preSignedUrlTimeoutSeconds: %d
        responseCacheTtlMs: 0
        latestVersionTtlMs: 600000
        redis: {uri: "%s", timeoutMs: 30000, urlReuseWindowSeconds: %d}
        authorization:
          tokens:
            - {id: alice, token: %s, shares: [s]}
            - {id: bob, token: %s, shares: [s]}
        shares:
          - name: s
            schemas:
              - name: r
                tables:
                  - {name: t, location: t}
        """;
    GatewayConfig configA =
        ConfigLoader.parse(
                yaml.formatted(portA, portA, LIFETIME_S, redis.uri(), WINDOW_S, ALICE, BOB), dir)
            .config();
    GatewayConfig configB =
        ConfigLoader.parse(
                yaml.formatted(0, portA, LIFETIME_S, redis.uri(), WINDOW_S, ALICE, BOB), dir)
            .config();
    a = GatewayHarness.start(configA, clock);
    Vertx vertx = Vertx.vertx();
    b =
        GatewayHarness.attach(
            vertx,
            GatewayHarness.await(
                Gateway.start(vertx, configB, clock, f -> new CountingFormat(f, pulledByB))));
  }

  @AfterAll
  static void stop() throws Exception {
    a.close();
    b.close();
    redis.close();
  }

  static List<String> fileLines(Response r) {
    assertThat(r.status()).isEqualTo(200);
    return r.text().lines().filter(l -> l.startsWith("{\"file\"")).toList();
  }

  /** B's own listener (its endpoint() is the public one, which names A). */
  static Response queryB(String token) {
    return b.send(
        io.vertx.core.http.HttpMethod.POST,
        "http://127.0.0.1:" + b.gateway.port() + "/delta-sharing" + QUERY,
        token,
        Map.of(),
        "{}");
  }

  static long windowEnd() {
    long now = clock.millis() / 1000;
    return (now - now % WINDOW_S + WINDOW_S + LIFETIME_S) * 1000;
  }

  static List<String> linesFromB(String token, List<String> expected) throws Exception {
    // A's list becomes visible in Redis once A wrote its last chunk, which may follow its response
    List<String> got = List.of();
    for (int i = 0; i < 120 && !got.equals(expected); i++) {
      got = fileLines(queryB(token));
      if (!got.equals(expected)) Thread.sleep(250);
    }
    return got;
  }

  @Test
  @Order(1)
  void anotherInstanceServesTheSameLinesWithoutScanningAndEveryUrlKeepsItsLifetime()
      throws Exception {
    // Given: A's first query lists, signs and encodes, and keeps the lines in Redis
    List<String> fromA = fileLines(a.post(QUERY, ALICE, "{}"));
    assertThat(fromA).hasSize(FILES);
    // When: the same recipient asks B within the window (the gateway's URLs carry a random nonce:
    // equal bytes can only be A's lines)
    pulledByB.set(0);
    List<String> fromB = linesFromB(ALICE, fromA);
    // Then
    assertThat(fromB).isEqualTo(fromA);
    pulledByB.set(0);
    Response again = queryB(ALICE);
    assertThat(fileLines(again)).isEqualTo(fromA);
    assertThat(pulledByB.get()).isZero();
    assertThat(RedisTierTest.counter(b.management("/metrics").text(), HIT))
        .isGreaterThanOrEqualTo(2);
    long nowPlusLifetime = clock.millis() + LIFETIME_S * 1000;
    for (String line : List.of(fromB.get(0), fromB.get(FILES - 1))) {
      JsonNode f = GatewayHarness.MAPPER.readTree(line).get("file");
      assertThat(f.get("expirationTimestamp").asLong()).isEqualTo(windowEnd());
      assertThat(f.get("expirationTimestamp").asLong()).isGreaterThanOrEqualTo(nowPlusLifetime);
    }
    // the URLs B handed out work, for their whole stated lifetime (the synthetic table has no data
    // files: 404 is a URL the gateway accepted, 403 one it refused)
    String url = GatewayHarness.MAPPER.readTree(fromB.get(7)).get("file").get("url").asText();
    assertThat(a.fetch(url, Map.of()).status()).isEqualTo(404);
    // late in the window the same lines still leave the whole lifetime
    clock.advance(Duration.ofSeconds(WINDOW_S - 20));
    assertThat(fileLines(queryB(ALICE))).isEqualTo(fromA);
    assertThat(windowEnd() - LIFETIME_S * 1000 - clock.millis()).isPositive();
    clock.advance(Duration.ofSeconds(LIFETIME_S + 5));
    assertThat(a.fetch(url, Map.of()).status()).isEqualTo(404);
    clock.advance(Duration.ofSeconds(20));
    assertThat(a.fetch(url, Map.of()).status()).isEqualTo(403);
  }

  @Test
  @Order(2)
  void aNewWindowAndAnotherRecipientGetUrlsOfTheirOwn() throws Exception {
    // Given: lines of this window for alice
    List<String> alice = fileLines(a.post(QUERY, ALICE, "{}"));
    assertThat(linesFromB(ALICE, alice)).isEqualTo(alice);
    // When / Then: bob's URLs name bob (audited downloads): never alice's lines
    List<String> bob = fileLines(queryB(BOB));
    assertThat(bob).hasSize(FILES);
    assertThat(Set.copyOf(bob)).doesNotContainAnyElementsOf(alice);
    // When / Then: the next window signs again, with a later expiry
    clock.advance(Duration.ofSeconds(WINDOW_S));
    List<String> next = fileLines(queryB(ALICE));
    assertThat(next).hasSize(FILES);
    assertThat(Set.copyOf(next)).doesNotContainAnyElementsOf(alice);
    assertThat(
            GatewayHarness.MAPPER
                .readTree(next.get(0))
                .get("file")
                .get("expirationTimestamp")
                .asLong())
        .isEqualTo(windowEnd());
  }

  @Test
  @Order(3)
  void aListRedisLosesHalfwayIsFinishedFromTheTableWithoutGapsOrRepeats() throws Exception {
    // Given: a new window's lines in Redis, then its second chunk lost (evicted, say)
    clock.advance(Duration.ofSeconds(WINDOW_S));
    List<String> full = fileLines(a.post(QUERY, ALICE, "{}"));
    assertThat(linesFromB(ALICE, full)).isEqualTo(full);
    Set<String> chunks = new HashSet<>();
    for (String k : redis.keys("*s:lines@*:1")) chunks.add(k);
    assertThat(chunks).isNotEmpty();
    for (String k : chunks) redis.run("DEL", k);
    // When
    pulledByB.set(0);
    Response r = queryB(ALICE);
    // Then: every file once, in the same order; the table served what Redis lost
    List<String> got = fileLines(r);
    assertThat(ids(got)).isEqualTo(ids(full));
    assertThat(
            RedisTierTest.counter(
                b.management("/metrics").text(), "tablegate_shared_lines_total{result=\"lost\"}"))
        .isEqualTo(1);
  }

  @Test
  @Order(4)
  void anAsyncQuerySubmittedToOneInstanceIsAnsweredByAnother() throws Exception {
    // Given: A takes the query and builds its list (into Redis)
    Response submitted =
        a.post(
            QUERY,
            ALICE,
            Map.of("delta-sharing-capabilities", "asyncquery=true"),
            "{\"idempotencyKey\": \"job-1\"}");
    String id = submitted.lines().get(0).get("queryStatus").get("queryId").asText();
    // When: the recipient's polls reach B
    pulledByB.set(0);
    String poll =
        "http://127.0.0.1:"
            + b.gateway.port()
            + "/delta-sharing/shares/s/schemas/r/tables/t/queries/"
            + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
    Response r = null;
    for (int i = 0; i < 600; i++) {
      r = b.send(io.vertx.core.http.HttpMethod.POST, poll, ALICE, Map.of(), "{}");
      if (r.status() != 200 || !r.lines().get(0).has("queryStatus")) break;
      Thread.sleep(100);
    }
    // Then: B answers the whole result, from what A left in Redis: B never read the table
    assertThat(r.status()).isEqualTo(200);
    assertThat(fileLines(r)).hasSize(FILES);
    assertThat(
            RedisTierTest.counter(
                b.management("/metrics").text(),
                "tablegate_metadata_lookups_total{result=\"miss\"}"))
        .isZero();
  }

  static List<String> ids(List<String> lines) throws Exception {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    for (String l : lines)
      out.add(GatewayHarness.MAPPER.readTree(l).get("file").get("id").asText());
    return out;
  }
}
