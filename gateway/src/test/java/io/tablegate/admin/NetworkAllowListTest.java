package io.tablegate.admin;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-recipient network allow-lists, behind a trusted proxy (the tests' client is 127.0.0.1,
 * declared a trusted proxy, so X-Forwarded-For says where a request comes from): checked on every
 * request and on every download through the gateway, for configured tokens and for recipients made
 * with the admin API.
 */
class NetworkAllowListTest {
  static final String OPEN = "open-token-0123456789";
  static final String OFFICE = "office-token-0123456789";
  static final String ADMIN = "allow-list-admin-token-0123";
  static final String V = "/shares/s/schemas/n/tables/t/version";
  static final String Q = "/shares/s/schemas/n/tables/t/query";
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() {
    TestTables.writeHistoryTable(dir.resolve("t"));
    gw =
        GatewayHarness.start(
            """
            version: 1
            host: 127.0.0.1
            port: 0
            network: {trustedProxies: [127.0.0.1/32, "::1"]}
            admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog.json}
            authorization:
              tokens:
                - {id: open, token: %s, shares: [s]}
                - {id: office, token: %s, shares: [s], allowedNetworks: [10.0.0.0/8, "2001:db8::/32"]}
            shares:
              - name: s
                schemas:
                  - name: n
                    tables:
                      - {name: t, location: t, historyShared: true}
            """
                .formatted(ADMIN, OPEN, OFFICE),
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Response from(String forwardedFor, String path, String token) {
    return gw.get(
        path, token, forwardedFor == null ? Map.of() : Map.of("X-Forwarded-For", forwardedFor));
  }

  @Test
  void aRestrictedTokenIsServedOnlyFromItsNetworks() {
    assertThat(from("10.1.2.3", V, OFFICE).status()).isEqualTo(200);
    assertThat(from("2001:db8::7", V, OFFICE).status()).isEqualTo(200);
    assertThat(from("::ffff:10.9.9.9", V, OFFICE).status()).isEqualTo(200);
    // the proxy's own address, another network, a spoofed left entry, garbage: refused
    assertError(from(null, V, OFFICE), 403, "PERMISSION_DENIED");
    assertError(from("192.168.1.1", V, OFFICE), 403, "PERMISSION_DENIED");
    assertError(from("10.1.2.3, 8.8.8.8", V, OFFICE), 403, "PERMISSION_DENIED");
    assertError(from("not-an-address", V, OFFICE), 403, "PERMISSION_DENIED");
    assertError(from("10.1.2.3, evil.example", V, OFFICE), 403, "PERMISSION_DENIED");
    // a trusted hop on the right is skipped
    assertThat(from("10.1.2.3, 127.0.0.1", V, OFFICE).status()).isEqualTo(200);
    // an unrestricted token is served from anywhere
    assertThat(from("192.168.1.1", V, OPEN).status()).isEqualTo(200);
    assertThat(from(null, V, OPEN).status()).isEqualTo(200);
  }

  @Test
  void downloadsThroughTheGatewayAreCheckedToo() {
    Response q =
        gw.send(
            HttpMethod.POST,
            gw.endpoint() + Q,
            OFFICE,
            Map.of("X-Forwarded-For", "10.1.2.3"),
            "{}");
    assertThat(q.status()).as(q.text()).isEqualTo(200);
    String url = firstFileUrl(q);
    assertThat(
            gw.send(HttpMethod.GET, url, null, Map.of("X-Forwarded-For", "10.4.5.6"), null)
                .status())
        .isEqualTo(200);
    assertError(
        gw.send(HttpMethod.GET, url, null, Map.of("X-Forwarded-For", "192.168.1.1"), null),
        403,
        "PERMISSION_DENIED");
    assertError(gw.send(HttpMethod.GET, url, null, Map.of(), null), 403, "PERMISSION_DENIED");
    // an unrestricted recipient's URL downloads from anywhere
    Response open = gw.post(Q, OPEN, "{}");
    String openUrl = firstFileUrl(open);
    assertThat(gw.send(HttpMethod.GET, openUrl, null, Map.of(), null).status()).isEqualTo(200);
  }

  static String firstFileUrl(Response query) {
    return query.lines().stream()
        .filter(l -> l.has("file"))
        .findFirst()
        .orElseThrow()
        .get("file")
        .get("url")
        .asText();
  }

  static Response admin(HttpMethod m, String path, String body) {
    return gw.admin(m, path, ADMIN, body);
  }

  @Test
  void recipientsMadeThroughTheAdminApiCarryTheirNetworksToTheirTokens() {
    Response created =
        admin(
            HttpMethod.POST,
            "/recipients",
            "{\"name\": \"branch\", \"shares\": [\"s\"], \"allowedNetworks\": [\"172.16.0.0/12\"]}");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().get("allowedNetworks").toString()).isEqualTo("[\"172.16.0.0/12\"]");
    Response token = admin(HttpMethod.POST, "/recipients/branch/tokens", "{}");
    String bearer = token.json().get("token").asText();
    assertThat(GatewayHarness.eventually(() -> from("172.20.1.1", V, bearer).status() == 200))
        .isTrue();
    assertError(from("10.1.2.3", V, bearer), 403, "PERMISSION_DENIED");
    // bad networks are refused with the reason
    for (String bad :
        List.of("[\"10.0.0.0/33\"]", "[\"example.com\"]", "[\"10.0.0.0/x\"]", "\"10.0.0.0/8\"")) {
      Response r =
          admin(
              HttpMethod.POST,
              "/recipients",
              "{\"name\": \"bad\", \"shares\": [\"s\"], \"allowedNetworks\": " + bad + "}");
      assertThat(r.status()).as(bad + ": " + r.text()).isEqualTo(400);
    }
    JsonNode recipients = admin(HttpMethod.GET, "/recipients", null).json();
    assertThat(recipients.toString()).doesNotContain("\"bad\"");
  }
}
