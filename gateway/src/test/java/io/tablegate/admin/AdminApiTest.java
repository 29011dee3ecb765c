package io.tablegate.admin;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live admin API across two instances that share one catalog file (no Redis: changes travel by
 * the store's version, polled every 100 ms): shares and tokens made on one instance serve on the
 * other, revocation and expiry take effect everywhere within a second, concurrent admins lose no
 * update, and everything survives a restart.
 */
class AdminApiTest {
  static final String ADMIN = "admin-token-0123456789abcdef";
  static final String Q = "/shares/live/schemas/s/tables/events";
  @TempDir Path dir;
  GatewayHarness a;
  GatewayHarness b;

  String yaml() {
    return """
        version: 1
        host: 127.0.0.1
        port: 0
        admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog/live.json, refreshIntervalMs: 100}
        authorization:
          tokens:
            - {id: static, token: static-token-0123456789, shares: [fixed]}
        shares:
          - name: fixed
            schemas:
              - name: s
                tables:
                  - {name: events, location: events}
        """
        .formatted(ADMIN);
  }

  @BeforeEach
  void start() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("events"));
    a = GatewayHarness.start(yaml(), dir);
    b = GatewayHarness.start(yaml(), dir);
  }

  @AfterEach
  void stop() {
    if (a != null) a.close();
    if (b != null) b.close();
  }

  static String adminUrl(GatewayHarness g, String path) {
    return "http://127.0.0.1:" + g.gateway.adminPort() + "/api/v1" + path;
  }

  static Response admin(GatewayHarness g, HttpMethod m, String path, String body) {
    return g.admin(m, path, ADMIN, body);
  }

  static Response adminOk(GatewayHarness g, HttpMethod m, String path, String body) {
    Response r = admin(g, m, path, body);
    assertThat(r.status()).as(m + " " + path + ": " + r.text()).isBetween(200, 201);
    return r;
  }

  /** Polls {@code check} for at most {@code millis}; returns the milliseconds it took. */
  static long within(long millis, Callable<Boolean> check) throws Exception {
    long start = System.nanoTime();
    while (!check.call()) {
      if (System.nanoTime() - start > millis * 1_000_000)
        throw new AssertionError("not within " + millis + " ms");
      Thread.sleep(10);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  String createLiveShareWithToken() {
    adminOk(a, HttpMethod.POST, "/shares", "{\"name\": \"live\"}");
    adminOk(
        a,
        HttpMethod.POST,
        "/shares/live/schemas/s/tables",
        "{\"name\": \"events\", \"location\": \""
            + dir.resolve("events").toUri()
            + "\", \"historyShared\": true}");
    Response t =
        adminOk(a, HttpMethod.POST, "/shares/live/tokens", "{\"description\": \"acme analytics\"}");
    return t.json().get("token").asText();
  }

  @Test
  void aShareAndTokenMadeOnOneInstanceServeOnTheOther() throws Exception {
    // Given
    Response none = b.get("/shares", null);
    assertError(none, 401, "UNAUTHENTICATED");
    // When
    String token = createLiveShareWithToken();
    // Then: the token is shown once, with a profile; listings never show it
    assertThat(token).startsWith("tgs_").hasSizeGreaterThan(40);
    Response listed = adminOk(a, HttpMethod.GET, "/shares/live/tokens", null);
    assertThat(listed.text())
        .doesNotContain(token)
        .doesNotContain("sha256")
        .contains("acme analytics")
        .contains("\"active\"");
    assertThat(Files.readString(dir.resolve("catalog/live.json"))).doesNotContain(token);
    long took = within(30_000, () -> b.get(Q + "/version", token).status() == 200);
    assertThat(b.get("/shares", token).text()).contains("\"live\"").doesNotContain("\"fixed\"");
    Response q = b.post(Q + "/query", token, "{}");
    assertThat(q.status()).isEqualTo(200);
    assertThat(q.lines()).hasSizeGreaterThan(2);
    System.out.println("share + token visible on the other instance after " + took + " ms");
    // the tree view
    JsonNode tree = adminOk(b, HttpMethod.GET, "/shares/live", null).json();
    assertThat(tree.get("source").asText()).isEqualTo("live");
    assertThat(tree.get("schemas").get("s").get("events").get("format").asText())
        .isEqualTo("delta");
  }

  @Test
  void revocationAndExpiryTakeEffectOnEveryInstance() throws Exception {
    String token = createLiveShareWithToken();
    within(30_000, () -> b.get(Q + "/version", token).status() == 200);
    String id =
        adminOk(a, HttpMethod.GET, "/shares/live/tokens", null).json().get(0).get("id").asText();
    // When: revoked on A
    adminOk(a, HttpMethod.POST, "/tokens/" + id + "/revoke", null);
    // Then: refused on A at once and on B as soon as it hears of it
    assertError(a.get(Q + "/version", token), 401, "UNAUTHENTICATED");
    within(30_000, () -> b.get(Q + "/version", token).status() == 401);
    assertThat(b.get(Q + "/version", token).text()).contains("revoked");
    // Expiry: a token valid for 5 s (ample for the other instance to learn of it, even on a loaded
    // machine) stops
    // working on both instances when it expires
    Instant at = Instant.now().plusMillis(5000);
    String shortLived =
        adminOk(a, HttpMethod.POST, "/shares/live/tokens", "{\"expiresAt\": \"" + at + "\"}")
            .json()
            .get("token")
            .asText();
    within(5000, () -> b.get(Q + "/version", shortLived).status() == 200);
    within(
        30_000,
        () ->
            a.get(Q + "/version", shortLived).status() == 401
                && b.get(Q + "/version", shortLived).status() == 401);
    assertThat(Instant.now()).isAfterOrEqualTo(at);
    assertThat(b.get(Q + "/version", shortLived).text()).contains("expired");
  }

  @Test
  void rotationKeepsTheOldTokenForItsGracePeriodAndRemovingAShareRevokesItsTokens()
      throws Exception {
    String token = createLiveShareWithToken();
    String id =
        adminOk(a, HttpMethod.GET, "/shares/live/tokens", null).json().get(0).get("id").asText();
    JsonNode rotated =
        adminOk(a, HttpMethod.POST, "/tokens/" + id + "/rotate", "{\"graceSeconds\": 3600}").json();
    String fresh = rotated.get("token").asText();
    assertThat(rotated.get("profile").get("bearerToken").asText()).isEqualTo(fresh);
    assertThat(rotated.get("profile").get("endpoint").asText()).isEqualTo(a.endpoint());
    assertThat(a.get(Q + "/version", token).status()).isEqualTo(200);
    assertThat(a.get(Q + "/version", fresh).status()).isEqualTo(200);
    JsonNode old = adminOk(a, HttpMethod.GET, "/tokens?share=live", null).json();
    assertThat(old.toString()).contains("\"expiresAt\"");
    // When: the share is removed
    JsonNode removed = adminOk(a, HttpMethod.DELETE, "/shares/live", null).json();
    // Then: both tokens (they held only that share) are revoked
    assertThat(removed.get("tokensRevoked").asInt()).isEqualTo(2);
    assertError(a.get(Q + "/version", fresh), 401, "UNAUTHENTICATED");
    assertError(a.get("/shares/live", "static-token-0123456789"), 404, "RESOURCE_DOES_NOT_EXIST");
  }

  @Test
  void concurrentAdminsOnTwoInstancesLoseNoUpdate() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        GatewayHarness g = i % 2 == 0 ? a : b;
        String name = "share" + i;
        results.add(
            pool.submit(
                () ->
                    admin(g, HttpMethod.POST, "/shares", "{\"name\": \"" + name + "\"}").status()));
      }
      for (Future<Integer> f : results) assertThat(f.get()).isEqualTo(201);
    } finally {
      pool.shutdown();
    }
    // every instance converges on all 24 live shares + the configured one (a lost update never
    // would)
    within(30_000, () -> adminOk(a, HttpMethod.GET, "/shares", null).json().size() == 25);
    within(30_000, () -> adminOk(b, HttpMethod.GET, "/shares", null).json().size() == 25);
    assertThat(Files.readString(dir.resolve("catalog/live.json")))
        .startsWith("tablegate-catalog 24\n");
  }

  @Test
  void theCatalogSurvivesARestart() throws Exception {
    String token = createLiveShareWithToken();
    a.close();
    b.close();
    a = null;
    b = GatewayHarness.start(yaml(), dir);
    assertThat(b.get(Q + "/version", token).status()).isEqualTo(200);
    assertThat(
            adminOk(b, HttpMethod.GET, "/shares/live", null)
                .json()
                .get("schemas")
                .get("s")
                .has("events"))
        .isTrue();
  }

  @Test
  void adminRoutesAreOnlyOnTheAdminListenerAndOnlyForTheAdminToken() throws Exception {
    String token = createLiveShareWithToken();
    // the public listener has no admin routes
    assertError(
        a.send(
            HttpMethod.GET,
            a.endpoint().replace("/delta-sharing", "") + "/api/v1/shares",
            ADMIN,
            Map.of(),
            null),
        404,
        "RESOURCE_DOES_NOT_EXIST");
    // a recipient token cannot administer; neither can no token
    assertError(
        a.send(HttpMethod.GET, adminUrl(a, "/shares"), token, Map.of(), null),
        401,
        "UNAUTHENTICATED");
    assertError(
        a.send(HttpMethod.GET, adminUrl(a, "/shares"), "static-token-0123456789", Map.of(), null),
        401,
        "UNAUTHENTICATED");
    assertError(
        a.send(HttpMethod.GET, adminUrl(a, "/shares"), null, Map.of(), null),
        401,
        "UNAUTHENTICATED");
  }

  @Test
  void badAdminInputIsAClearError() {
    assertError(admin(a, HttpMethod.POST, "/shares", "{\"name\": "), 400, "MALFORMED_REQUEST");
    assertError(
        admin(a, HttpMethod.POST, "/shares", "{\"name\": \"../etc\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        admin(a, HttpMethod.POST, "/shares", "{\"name\": \"fixed\"}"),
        409,
        "RESOURCE_ALREADY_EXISTS");
    assertError(
        admin(a, HttpMethod.POST, "/shares/fixed/schemas", "{\"name\": \"x\"}"),
        400,
        "UNSUPPORTED_OPERATION");
    adminOk(a, HttpMethod.POST, "/shares", "{\"name\": \"live\"}");
    Response unknownKey =
        admin(
            a,
            HttpMethod.POST,
            "/shares/live/schemas/s/tables",
            "{\"name\": \"t\", \"location\": \"x\", \"colour\": 1}");
    assertError(unknownKey, 400, "INVALID_PARAMETER_VALUE");
    assertThat(unknownKey.text()).contains("colour");
    Response badStore =
        admin(
            a,
            HttpMethod.POST,
            "/shares/live/schemas/s/tables",
            "{\"name\": \"t\", \"location\": \"s3://bucket/t\"}");
    assertError(badStore, 400, "INVALID_PARAMETER_VALUE");
    assertThat(badStore.text()).contains("store");
    assertError(
        admin(a, HttpMethod.POST, "/shares/live/tokens", "{\"expiresAt\": \"yesterday\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        admin(a, HttpMethod.POST, "/shares/nope/tokens", "{}"), 404, "RESOURCE_DOES_NOT_EXIST");
    assertError(
        admin(a, HttpMethod.POST, "/tokens/tok_nope/revoke", null), 404, "RESOURCE_DOES_NOT_EXIST");
    // nothing invalid was stored
    assertThat(adminOk(a, HttpMethod.GET, "/shares/live", null).json().get("schemas").size())
        .isZero();
  }

  @Test
  void withRedisAChangeReachesTheOtherInstanceByPubSubNotByPolling() throws Exception {
    a.close();
    b.close();
    try (io.tablegate.testing.RedisHarness redis =
        new io.tablegate.testing.RedisHarness(dir.resolve("redis"))) {
      // polling every minute: only the pub/sub event can make the other instance see a change well
      // before that
      String slow =
          yaml().replace("refreshIntervalMs: 100", "refreshIntervalMs: 60000")
              + "redis: {uri: \""
              + redis.uri()
              + "\"}\n";
      a = GatewayHarness.start(slow, dir);
      b = GatewayHarness.start(slow, dir);
      Thread.sleep(300); // both subscribed
      String token = createLiveShareWithToken();
      long took = within(30_000, () -> b.get(Q + "/version", token).status() == 200);
      String id =
          adminOk(a, HttpMethod.GET, "/shares/live/tokens", null).json().get(0).get("id").asText();
      adminOk(a, HttpMethod.POST, "/tokens/" + id + "/revoke", null);
      long revoked = within(30_000, () -> b.get(Q + "/version", token).status() == 401);
      System.out.println(
          "through Redis: token usable after " + took + " ms, revoked after " + revoked + " ms");
    }
  }
}
