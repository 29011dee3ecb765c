package io.tablegate.admin;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.OAuth2Server;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipients with OAuth2 client-credentials tokens from a real OIDC server: the gateway finds the
 * keys by discovery, verifies the JWT (algorithm allow-list, issuer, audience, expiry, signature)
 * and maps the subject to shares through a recipient policy made with the admin API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OidcTest {
  static final String ADMIN = "oidc-admin-token-0123456789";
  static final String V = "/shares/fixed/schemas/s/tables/events/version";
  @TempDir static Path dir;
  static OAuth2Server idp;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    idp =
        new OAuth2Server(
            dir.resolve("idp"),
            """
        {"interactiveLogin": false, "tokenCallbacks": [{"issuerId": "short", "tokenExpiry": 1,
          "requestMappings": [{"requestParam": "client_id", "match": "*", "claims": {"sub": "acme", "aud": ["tablegate"]}}]}]}
        """);
    TestTables.writeHistoryTable(dir.resolve("events"));
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        admin: {port: 0, token: %s, catalogFile: catalog.json}
        oidc:
          issuers:
            - {issuer: "%s", audience: tablegate}
            - {issuer: "%s", audience: tablegate, clockSkewSeconds: 0}
        shares:
          - name: fixed
            schemas:
              - name: s
                tables:
                  - {name: events, location: events}
            policies:
              - {recipient: acme-idp, table: s.events, exceptColumns: [name]}
          - name: other
            schemas: []
        """
                .formatted(ADMIN, idp.issuer("idp"), idp.issuer("short")),
            dir);
    for (String issuer : new String[] {"idp", "short"}) {
      Response r =
          gw.send(
              HttpMethod.POST,
              "http://127.0.0.1:" + gw.gateway.adminPort() + "/api/v1/recipients",
              ADMIN,
              Map.of("Content-Type", "application/json"),
              """
          {"name": "acme-%s", "shares": ["fixed"], "oidc": {"issuer": "%s", "claim": "sub", "value": "acme"}}
          """
                  .formatted(issuer, idp.issuer(issuer)));
      assertThat(r.status()).as(r.text()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    idp.close();
  }

  static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @Order(1)
  void aGoodTokenReadsTheSharesOfItsRecipientPolicyOnly() throws Exception {
    String token = idp.token("idp", "acme", "tablegate");
    assertThat(gw.get(V, token).status()).isEqualTo(200);
    assertThat(gw.get("/shares", token).text()).contains("\"fixed\"").doesNotContain("\"other\"");
    assertError(gw.get("/shares/other", token), 404, "RESOURCE_DOES_NOT_EXIST");
    // a valid identity that no policy names gets no share
    assertError(gw.get(V, idp.token("idp", "stranger", "tablegate")), 403, "PERMISSION_DENIED");
  }

  @Test
  @Order(1)
  void aColumnPolicyNamingTheRecipientAppliesToItsIdentity() throws Exception {
    // acme-idp's policy hides name; another recipient of the same share (globex) reads it whole
    String metadata = V.replace("/version", "/metadata");
    Response restricted = gw.get(metadata, idp.token("idp", "acme", "tablegate"));
    assertThat(restricted.status()).as(restricted.text()).isEqualTo(200);
    assertThat(restricted.lines().get(1).get("metaData").get("schemaString").asText())
        .contains("\"name\":\"id\"")
        .doesNotContain("\"name\":\"name\"");
    Response created =
        gw.admin(
            HttpMethod.POST,
            "/recipients",
            ADMIN,
            """
            {"name": "globex", "shares": ["fixed"], "oidc": {"issuer": "%s", "claim": "sub", "value": "globex"}}
            """
                .formatted(idp.issuer("idp")));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(
            GatewayHarness.eventually(
                () -> gw.get(metadata, idp.token("idp", "globex", "tablegate")).status() == 200))
        .isTrue();
    Response whole = gw.get(metadata, idp.token("idp", "globex", "tablegate"));
    assertThat(whole.lines().get(1).get("metaData").get("schemaString").asText())
        .contains("\"name\":\"name\"");
  }

  @Test
  @Order(2)
  void wrongIssuerWrongAudienceBadSignatureAndAlgNoneAreRefused() throws Exception {
    assertError(gw.get(V, idp.token("rogue", "acme", "tablegate")), 401, "UNAUTHENTICATED");
    Response aud = gw.get(V, idp.token("idp", "acme", "someone-else"));
    assertError(aud, 401, "UNAUTHENTICATED");
    assertThat(aud.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
    String good = idp.token("idp", "acme", "tablegate");
    String[] parts = good.split("\\.");
    char c = parts[2].charAt(10);
    String tampered =
        parts[0]
            + "."
            + parts[1]
            + "."
            + parts[2].substring(0, 10)
            + (c == 'A' ? 'B' : 'A')
            + parts[2].substring(11);
    assertError(gw.get(V, tampered), 401, "UNAUTHENTICATED");
    String forgedPayload =
        parts[0]
            + "."
            + b64(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace("\"sub\":\"acme\"", "\"sub\":\"admin\""))
            + "."
            + parts[2];
    assertError(gw.get(V, forgedPayload), 401, "UNAUTHENTICATED");
    Response none = gw.get(V, b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".");
    assertError(none, 401, "UNAUTHENTICATED");
    assertThat(none.text()).contains("'none' is not accepted");
    assertError(
        gw.get(V, b64("{\"alg\":\"HS256\",\"kid\":\"idp\"}") + "." + parts[1] + "." + parts[2]),
        401,
        "UNAUTHENTICATED");
    assertThat(gw.get(V, good).status()).isEqualTo(200);
  }

  @Test
  @Order(3)
  void anExpiredTokenIsRefused() throws Exception {
    // Given: this issuer's tokens verify while they are fresh. A token lives 1 s, which a loaded
    // machine can spend on
    // one request (the first one also fetches the issuer's keys), so a fresh token is minted until
    // one is accepted.
    long deadline = System.nanoTime() + 60_000_000_000L;
    int status;
    do {
      status = gw.get(V, idp.token("short", "acme", "tablegate")).status();
    } while (status != 200 && System.nanoTime() < deadline);
    assertThat(status).as("a fresh token of the short-lived issuer").isEqualTo(200);
    // When: a token of it is used after it expired (this issuer allows no clock skew)
    String token = idp.token("short", "acme", "tablegate");
    Thread.sleep(2_100);
    Response r = gw.get(V, token);
    assertError(r, 401, "UNAUTHENTICATED");
    assertThat(r.text()).contains("expired");
  }

  @Test
  @Order(4)
  void aRotatedSigningKeyIsFetchedAgain() throws Exception {
    String before = idp.token("idp", "acme", "tablegate");
    assertThat(gw.get(V, before).status()).isEqualTo(200);
    // When: the provider restarts with a new signing key (under the same kid, as this server names
    // keys by issuer)
    idp.restartWithNewKey();
    String after = idp.token("idp", "acme", "tablegate");
    // Then: the new token verifies (the key set is fetched again), the old one no longer does
    assertThat(gw.get(V, after).status()).isEqualTo(200);
    assertError(gw.get(V, before), 401, "UNAUTHENTICATED");
  }
}
