package io.tablegate.http;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.config.ConfigLoader;
import io.tablegate.crypto.Sealer;
import io.tablegate.protocol.Tokens;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.MutableClock;
import io.tablegate.testing.TestTables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Page and refresh tokens are sealed with the shared signing key and bound to recipient, table,
 * versions and query: an attacker who edits, flips or transplants one gets 400
 * INVALID_PARAMETER_VALUE, never another version, a 500 or a hang. Tokens sealed with the right key
 * but naming versions the table does not allow (as a future bug or a leaked key could produce) are
 * still checked like direct requests.
 */
class QueryTokensTest {
  static final String KEY = "shared-signing-key-0123456789abcdef";
  static final String ALICE = "alice-token-0123456789";
  static final String BOB = "bob-token-0123456789ab";
  static final String T = "/shares/s/schemas/h/tables/";
  @TempDir static Path dir;
  static MutableClock clock = new MutableClock(Instant.now());
  static GatewayHarness a;
  static GatewayHarness b;

  static String yaml(String key) {
    return """
        version: 1
        host: 127.0.0.1
        port: 0
        signingKey: %s
        authorization:
          tokens:
            - {id: alice, token: %s, shares: [s]}
            - {id: bob, token: %s, shares: [s]}
        shares:
          - name: s
            schemas:
              - name: h
                tables:
                  - {name: hist, location: hist, historyShared: true}
                  - {name: nohist, location: hist, startVersion: 2}
                  - {name: other, location: hist, historyShared: true}
        """
        .formatted(key, ALICE, BOB);
  }

  @BeforeAll
  static void start() {
    TestTables.writeHistoryTable(dir.resolve("hist"));
    a = GatewayHarness.start(ConfigLoader.parse(yaml(KEY), dir).config(), clock);
    b = GatewayHarness.start(ConfigLoader.parse(yaml(KEY), dir).config(), clock);
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
  }

  static JsonNode end(Response r) {
    List<JsonNode> lines = r.lines();
    return lines.get(lines.size() - 1).get("endStreamAction");
  }

  static String refreshToken(GatewayHarness g, String table, String who) {
    Response r = g.post(T + table + "/query", who, "{\"includeRefreshToken\": true}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return end(r).get("refreshToken").asText();
  }

  static String pageToken(GatewayHarness g, String table, String who) {
    Response r = g.post(T + table + "/query", who, "{\"maxFiles\": 1}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return end(r).get("nextPageToken").asText();
  }

  static Response refresh(GatewayHarness g, String table, String who, String token) {
    return g.post(T + table + "/query", who, "{\"refreshToken\": \"" + token + "\"}");
  }

  static Response page(GatewayHarness g, String table, String who, String token) {
    return g.post(T + table + "/query", who, "{\"maxFiles\": 1, \"pageToken\": \"" + token + "\"}");
  }

  static String seal(String purpose, Map<String, Object> fields) {
    return new Sealer(KEY.getBytes(StandardCharsets.UTF_8), List.of())
        .seal(purpose, Tokens.bytes(fields));
  }

  static Map<String, Object> refreshFields(String who, String tableId, long version, long expiry) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("w", who);
    t.put("t", tableId);
    t.put("r", version);
    t.put("x", expiry);
    return t;
  }

  static String idOf(String table) {
    for (JsonNode t : a.get(T.substring(0, T.length() - 1), ALICE).json().get("items")) {
      if (t.get("name").asText().equals(table)) return t.get("id").asText();
    }
    throw new IllegalStateException(table);
  }

  @Test
  void tokensAreOpaqueAndWorkOnAnotherInstanceWithTheSharedKey() {
    // Given
    String refresh = refreshToken(a, "nohist", ALICE);
    String pageToken = pageToken(a, "hist", ALICE);
    // Then: nothing readable inside
    for (String token : List.of(refresh, pageToken)) {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.ISO_8859_1);
      assertThat(raw).doesNotContain("alice").doesNotContain("\"r\"").doesNotContain("\"v\"");
    }
    // When / Then: the other instance continues both
    Response r = refresh(b, "nohist", ALICE, refresh);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.header("Delta-Table-Version")).isEqualTo("4");
    Response p = page(b, "hist", ALICE, pageToken);
    assertThat(p.status()).as(p.text()).isEqualTo(200);
  }

  @Test
  void everyFlippedByteIsRefused() {
    // Given
    String refresh = refreshToken(a, "nohist", ALICE);
    String pageToken = pageToken(a, "hist", ALICE);
    // Then
    for (String[] c : new String[][] {{"refresh", refresh}, {"page", pageToken}}) {
      byte[] raw = Base64.getUrlDecoder().decode(c[1]);
      for (int i = 0; i < raw.length; i++) {
        byte[] flipped = raw.clone();
        flipped[i] ^= (byte) (1 << (i % 8));
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(flipped);
        Response r =
            c[0].equals("refresh")
                ? refresh(a, "nohist", ALICE, forged)
                : page(a, "hist", ALICE, forged);
        assertError(r, 400, "INVALID_PARAMETER_VALUE");
      }
    }
    assertError(
        refresh(a, "nohist", ALICE, refresh.substring(0, refresh.length() - 4)),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(refresh(a, "nohist", ALICE, "%%%"), 400, "INVALID_PARAMETER_VALUE");
    assertError(page(a, "hist", ALICE, "e30"), 400, "INVALID_PARAMETER_VALUE"); // base64 of {}
  }

  @Test
  void aTokenOfAnotherTableRecipientPurposeOrKeyIsRefused() {
    // Given
    String refresh = refreshToken(a, "hist", ALICE);
    String pageToken = pageToken(a, "hist", ALICE);
    // Then: another table, another recipient, the other kind of token
    assertError(refresh(a, "other", ALICE, refresh), 400, "INVALID_PARAMETER_VALUE");
    assertError(page(a, "other", ALICE, pageToken), 400, "INVALID_PARAMETER_VALUE");
    assertError(refresh(a, "hist", BOB, refresh), 400, "INVALID_PARAMETER_VALUE");
    assertError(page(a, "hist", BOB, pageToken), 400, "INVALID_PARAMETER_VALUE");
    assertError(refresh(a, "hist", ALICE, pageToken), 400, "INVALID_PARAMETER_VALUE");
    assertError(page(a, "hist", ALICE, refresh), 400, "INVALID_PARAMETER_VALUE");
    // and an instance with another key does not know them
    try (GatewayHarness c =
        GatewayHarness.start(
            ConfigLoader.parse(yaml("another-signing-key-0123456789abcdef"), dir).config(),
            clock)) {
      assertError(refresh(c, "hist", ALICE, refresh), 400, "INVALID_PARAMETER_VALUE");
      assertError(page(c, "hist", ALICE, pageToken), 400, "INVALID_PARAMETER_VALUE");
    }
  }

  @Test
  void aRotatedKeyKeepsOldTokensValid() {
    // Given
    String refresh = refreshToken(a, "hist", ALICE);
    String rotated =
        yaml("a-brand-new-signing-key-0123456789ab")
            .replace("port: 0\n", "port: 0\npreviousSigningKeys: [" + KEY + "]\n");
    // When
    try (GatewayHarness c =
        GatewayHarness.start(ConfigLoader.parse(rotated, dir).config(), clock)) {
      // Then
      Response r = refresh(c, "hist", ALICE, refresh);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      String fresh = refreshToken(c, "hist", ALICE);
      assertError(refresh(a, "hist", ALICE, fresh), 400, "INVALID_PARAMETER_VALUE");
    }
  }

  @Test
  void anExpiredTokenIsRefused() {
    // Given
    String refresh = refreshToken(a, "hist", ALICE);
    String pageToken = pageToken(a, "hist", ALICE);
    // When: past the refresh token's hour, and past the page token's three days
    clock.advance(Duration.ofMillis(3_600_001));
    try {
      // Then
      assertError(refresh(a, "hist", ALICE, refresh), 400, "INVALID_PARAMETER_VALUE");
      assertThat(page(a, "hist", ALICE, pageToken).status()).isEqualTo(200);
      clock.advance(Duration.ofDays(3));
      assertError(page(a, "hist", ALICE, pageToken), 400, "INVALID_PARAMETER_VALUE");
    } finally {
      clock.advance(Duration.ofDays(-3).minusMillis(3_600_001));
    }
  }

  @Test
  void versionsInsideAValidTokenAreCheckedLikeADirectRequest() {
    // Given: tokens sealed with the right key (as a leaked key or a future bug could produce)
    long later = clock.millis() + 60_000;
    String nohist = idOf("nohist");
    String hist = idOf("hist");
    // Then: below the table's startVersion, negative, far past the latest: 400 at once, no hang
    assertError(
        refresh(
            a, "nohist", ALICE, seal("query-refresh", refreshFields("alice", nohist, 1, later))),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        refresh(
            a, "nohist", ALICE, seal("query-refresh", refreshFields("alice", nohist, -1, later))),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        refresh(
            a,
            "hist",
            ALICE,
            seal("query-refresh", refreshFields("alice", hist, Long.MAX_VALUE, later))),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        refresh(
            a,
            "hist",
            ALICE,
            seal("query-refresh", refreshFields("alice", hist, 1_000_000, later))),
        400,
        "INVALID_PARAMETER_VALUE");
    Map<String, Object> fields = refreshFields("alice", hist, 2, later);
    fields.put("r", "2");
    assertError(
        refresh(a, "hist", ALICE, seal("query-refresh", fields)), 400, "INVALID_PARAMETER_VALUE");
    // and a change query's page token whose end version lies past the latest
    Response first = a.post(T + "hist/query", ALICE, "{\"startingVersion\": 0, \"maxFiles\": 1}");
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(end(first).has("nextPageToken")).isTrue();
    Sealer sealer = new Sealer(KEY.getBytes(StandardCharsets.UTF_8), List.of());
    Map<String, Object> page =
        new LinkedHashMap<>(
            Tokens.parse(sealer.open("query-page", end(first).get("nextPageToken").asText())));
    page.put("e", 999_999L);
    assertError(
        a.post(
            T + "hist/query",
            ALICE,
            "{\"startingVersion\": 0, \"maxFiles\": 1, \"pageToken\": \""
                + seal("query-page", page)
                + "\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    page.put("e", 4L);
    page.put("v", 1L);
    assertError(
        a.post(
            T + "hist/query",
            ALICE,
            "{\"startingVersion\": 0, \"maxFiles\": 1, \"pageToken\": \""
                + seal("query-page", page)
                + "\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    page.put("v", 0L);
    Response ok =
        a.post(
            T + "hist/query",
            ALICE,
            "{\"startingVersion\": 0, \"maxFiles\": 1, \"pageToken\": \""
                + seal("query-page", page)
                + "\"}");
    assertThat(ok.status()).as("the untouched fields still work: " + ok.text()).isEqualTo(200);
  }
}
