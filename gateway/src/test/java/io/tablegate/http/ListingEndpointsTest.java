package io.tablegate.http;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shares, schemas and tables listings, pagination, auth scoping and errors, through a real server.
 */
class ListingEndpointsTest {
  static final String ADMIN = "admin-token-0123456789";
  static final String ONLY_B = "share-b-token-0123456789";
  static final String EXPIRED = "expired-token-0123456789";

  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() {
    TestTables.writeHistoryTable(dir.resolve("t1"));
    StringBuilder yaml =
        new StringBuilder(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        authorization:
          tokens:
            - {id: admin, token: %s, shares: [share_a, share_b, share_c]}
            - {id: b-only, token: %s, shares: [share_b]}
            - {id: old, token: %s, shares: [share_a], expiresAt: "2020-01-01T00:00:00Z"}
        shares:
        """
                .formatted(ADMIN, ONLY_B, EXPIRED));
    for (String share : List.of("share_a", "share_b", "share_c")) {
      yaml.append("  - name: ").append(share).append("\n    schemas:\n");
      for (String schema : List.of("s1", "s2")) {
        yaml.append("      - name: ").append(schema).append("\n        tables:\n");
        for (String table : List.of("t1", "t2", "t3")) {
          yaml.append("          - {name: ").append(table).append(", location: t1}\n");
        }
      }
    }
    gw = GatewayHarness.start(yaml.toString(), dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void listsSharesInConfigOrderWithoutNextToken() {
    // When
    Response r = gw.get("/shares", ADMIN);
    // Then
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonNode json = r.json();
    assertThat(names(json)).containsExactly("share_a", "share_b", "share_c");
    assertThat(json.has("nextPageToken")).isFalse();
    assertThat(json.get("items").get(0).get("id").asText()).hasSize(36);
  }

  @Test
  void pagesThroughSharesOneByOne() {
    // Given
    List<String> seen = new ArrayList<>();
    String token = null;
    // When
    for (int i = 0; i < 10; i++) {
      Response r =
          gw.get("/shares?maxResults=1" + (token == null ? "" : "&pageToken=" + token), ADMIN);
      assertThat(r.status()).isEqualTo(200);
      seen.addAll(names(r.json()));
      token = r.json().has("nextPageToken") ? r.json().get("nextPageToken").asText() : null;
      if (token == null) break;
      assertThat(token).matches("[A-Za-z0-9_-]+");
    }
    // Then
    assertThat(seen).containsExactly("share_a", "share_b", "share_c");
    assertThat(token).isNull();
  }

  @Test
  void pagesThroughAllTablesAcrossSchemas() {
    List<String> seen = new ArrayList<>();
    String token = null;
    do {
      Response r =
          gw.get(
              "/shares/share_a/all-tables?maxResults=4"
                  + (token == null ? "" : "&pageToken=" + token),
              ADMIN);
      assertThat(r.status()).isEqualTo(200);
      for (JsonNode t : r.json().get("items"))
        seen.add(t.get("schema").asText() + "." + t.get("name").asText());
      token = r.json().has("nextPageToken") ? r.json().get("nextPageToken").asText() : null;
    } while (token != null);
    assertThat(seen).containsExactly("s1.t1", "s1.t2", "s1.t3", "s2.t1", "s2.t2", "s2.t3");
  }

  @Test
  void rejectsBadMaxResultsAndForeignPageTokens() {
    assertError(gw.get("/shares?maxResults=501", ADMIN), 400, "INVALID_PARAMETER_VALUE");
    assertError(gw.get("/shares?maxResults=-1", ADMIN), 400, "INVALID_PARAMETER_VALUE");
    assertError(gw.get("/shares?maxResults=abc", ADMIN), 400, "INVALID_PARAMETER_VALUE");
    String schemasToken =
        gw.get("/shares/share_a/schemas?maxResults=1", ADMIN).json().get("nextPageToken").asText();
    assertError(gw.get("/shares?pageToken=" + schemasToken, ADMIN), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get("/shares/share_b/schemas?pageToken=" + schemasToken, ADMIN),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(gw.get("/shares?pageToken=garbage!!", ADMIN), 400, "INVALID_PARAMETER_VALUE");
  }

  @Test
  void getsShareSchemasAndTablesCaseInsensitively() {
    assertThat(gw.get("/shares/SHARE_A", ADMIN).json().get("share").get("name").asText())
        .isEqualTo("share_a");
    JsonNode schemas = gw.get("/shares/Share_A/schemas", ADMIN).json();
    assertThat(names(schemas)).containsExactly("s1", "s2");
    assertThat(schemas.get("items").get(0).get("share").asText()).isEqualTo("Share_A");
    JsonNode tables = gw.get("/shares/share_a/schemas/S2/tables", ADMIN).json();
    assertThat(names(tables)).containsExactly("t1", "t2", "t3");
    JsonNode t = tables.get("items").get(0);
    assertThat(t.get("schema").asText()).isEqualTo("S2");
    assertThat(t.get("id").asText()).matches("[0-9a-f-]{36}");
    assertThat(t.get("shareId").asText()).matches("[0-9a-f-]{36}");
  }

  @Test
  void unknownNamesAre404WithProtocolErrorBody() {
    assertError(gw.get("/shares/nope", ADMIN), 404, "RESOURCE_DOES_NOT_EXIST");
    assertError(
        gw.get("/shares/share_a/schemas/nope/tables", ADMIN), 404, "RESOURCE_DOES_NOT_EXIST");
    assertError(
        gw.get("/shares/share_a/schemas/s1/tables/nope/metadata", ADMIN),
        404,
        "RESOURCE_DOES_NOT_EXIST");
    assertError(gw.get("/no/such/endpoint", ADMIN), 404, "RESOURCE_DOES_NOT_EXIST");
    Response head = gw.head("/shares/share_a/schemas/s1/tables/nope", ADMIN);
    assertThat(head.status()).isEqualTo(404);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void missingWrongAndExpiredTokensAre401() {
    assertError(gw.get("/shares", null), 401, "UNAUTHENTICATED");
    assertError(gw.get("/shares", "wrong-token-0123456789"), 401, "UNAUTHENTICATED");
    Response expired = gw.get("/shares", EXPIRED);
    assertError(expired, 401, "UNAUTHENTICATED");
    assertThat(expired.json().get("message").asText()).contains("expired");
    assertThat(expired.text()).doesNotContain(EXPIRED);
  }

  @Test
  void tokenSeesOnlyItsShares() {
    assertThat(names(gw.get("/shares", ONLY_B).json())).containsExactly("share_b");
    assertError(gw.get("/shares/share_a", ONLY_B), 404, "RESOURCE_DOES_NOT_EXIST");
    assertError(gw.get("/shares/share_a/all-tables", ONLY_B), 404, "RESOURCE_DOES_NOT_EXIST");
    assertError(
        gw.post("/shares/share_a/schemas/s1/tables/t1/query", ONLY_B, "{}"),
        404,
        "RESOURCE_DOES_NOT_EXIST");
    assertThat(gw.post("/shares/share_b/schemas/s1/tables/t1/query", ONLY_B, "{}").status())
        .isEqualTo(200);
  }

  static List<String> names(JsonNode page) {
    List<String> out = new ArrayList<>();
    for (JsonNode item : page.get("items")) out.add(item.get("name").asText());
    return out;
  }
}
