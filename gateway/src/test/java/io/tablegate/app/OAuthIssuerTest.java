package io.tablegate.app;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.config.ConfigLoader;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.MutableClock;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own OAuth 2.0 client-credentials issuer: a gateway token is a client (its id and
 * secret), the token endpoint gives short-lived ES256 JWTs that the sharing API accepts like any
 * bearer token, the JWKS verifies them independently, a revoked or expired client's access tokens
 * stop at once, rotation keeps the old secret for its grace, and rotating the gateway's signing key
 * keeps the previous key's tokens valid. Secrets never reach the logs.
 */
class OAuthIssuerTest {
  static final String ADMIN = "oauth-admin-token-0123456789";
  static final String KEY_1 = "oauth-test-signing-key-one-0123456789";
  static final String KEY_2 = "oauth-test-signing-key-two-0123456789";
  static final String STATIC = "static-client-secret-0123456789";
  @TempDir static Path dir;
  static GatewayHarness gw;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  static String yaml(String signingKey, String previous) {
    return """
        version: 1
        host: 127.0.0.1
        port: 0
        management: {host: 127.0.0.1, port: 0}
        publicEndpoint: https://sharing.example.com/delta-sharing
        signingKey: %s
        previousSigningKeys: [%s]
        admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog.json}
        authorization: {tokens: [{id: static, token: %s, shares: [s]}]}
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: t}
          - name: other
            schemas:
              - name: n
                tables:
                  - {name: t, location: t}
        """
        .formatted(signingKey, previous, ADMIN, STATIC);
  }

  @BeforeAll
  static void start() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    TestTables.writeHistoryTable(dir.resolve("t"));
    gw = GatewayHarness.start(ConfigLoader.parse(yaml(KEY_1, ""), dir).config(), clock);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    gw.close();
  }

  static Response admin(HttpMethod m, String path, String body) {
    return gw.admin(m, path, ADMIN, body);
  }

  /** The token endpoint of {@code g}, with HTTP Basic client authentication as the connectors. */
  static Response token(GatewayHarness g, String clientId, String secret, String form) {
    String basic =
        Base64.getEncoder()
            .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    return g.send(
        HttpMethod.POST,
        "http://127.0.0.1:" + g.gateway.port() + "/delta-sharing/oauth/token",
        null,
        Map.of(
            "Authorization",
            "Basic " + basic,
            "Content-Type",
            "application/x-www-form-urlencoded",
            "Accept",
            "application/json"),
        form);
  }

  static Response shares(GatewayHarness g, String accessToken) {
    return g.send(
        HttpMethod.GET,
        "http://127.0.0.1:" + g.gateway.port() + "/delta-sharing/shares",
        accessToken,
        Map.of(),
        null);
  }

  static String accessToken(GatewayHarness g, String clientId, String secret) {
    Response r = token(g, clientId, secret, "grant_type=client_credentials&scope=sharing");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().get("access_token").asText();
  }

  @Test
  void aClientGetsShortLivedTokensThatReadItsSharesAndVerifyAgainstTheJwks() throws Exception {
    // Given: a recipient's token, with its OAuth profile
    assertThat(
            admin(HttpMethod.POST, "/recipients", "{\"name\": \"acme\", \"shares\": [\"s\"]}")
                .status())
        .isEqualTo(201);
    JsonNode created = admin(HttpMethod.POST, "/recipients/acme/tokens", "{}").json();
    JsonNode profile = created.get("oauthProfile");
    assertThat(profile.get("shareCredentialsVersion").asInt()).isEqualTo(2);
    assertThat(profile.get("type").asText()).isEqualTo("oauth_client_credentials");
    assertThat(profile.get("endpoint").asText())
        .isEqualTo("https://sharing.example.com/delta-sharing");
    assertThat(profile.get("tokenEndpoint").asText())
        .isEqualTo("https://sharing.example.com/delta-sharing/oauth/token");
    String clientId = profile.get("clientId").asText();
    String secret = profile.get("clientSecret").asText();
    assertThat(clientId).isEqualTo(created.get("id").asText());
    // When
    Response r = token(gw, clientId, secret, "grant_type=client_credentials&scope=sharing");
    // Then
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    JsonNode t = r.json();
    assertThat(t.get("token_type").asText()).isEqualTo("Bearer");
    assertThat(t.get("expires_in").asLong()).isEqualTo(3600);
    String jwt = t.get("access_token").asText();
    Response listed = shares(gw, jwt);
    assertThat(listed.status()).as(listed.text()).isEqualTo(200);
    assertThat(listed.json().get("items")).hasSize(1);
    assertThat(listed.json().get("items").get(0).get("name").asText()).isEqualTo("s");
    // form-field client authentication works too
    Response byForm =
        gw.send(
            HttpMethod.POST,
            "http://127.0.0.1:" + gw.gateway.port() + "/delta-sharing/oauth/token",
            null,
            Map.of("Content-Type", "application/x-www-form-urlencoded"),
            "grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + secret);
    assertThat(byForm.status()).isEqualTo(200);
    // the JWKS verifies the token on its own (ES256, the kid in the header)
    JsonNode jwks =
        gw.fetch("http://127.0.0.1:" + gw.gateway.port() + "/delta-sharing/oauth/jwks", Map.of())
            .json();
    String[] parts = jwt.split("\\.");
    JsonNode header = GatewayHarness.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
    JsonNode claims = GatewayHarness.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
    assertThat(header.get("alg").asText()).isEqualTo("ES256");
    assertThat(claims.get("iss").asText()).isEqualTo("https://sharing.example.com/delta-sharing");
    assertThat(claims.get("sub").asText()).isEqualTo(clientId);
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(3600);
    JsonNode key = null;
    for (JsonNode k : jwks.get("keys"))
      if (k.get("kid").asText().equals(header.get("kid").asText())) key = k;
    assertThat(key).isNotNull();
    Signature sig = Signature.getInstance("SHA256withECDSAinP1363Format");
    sig.initVerify(publicKey(key));
    sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(sig.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    // an altered token is refused
    String altered =
        parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + "A" + parts[2].substring(11);
    if (altered.equals(jwt))
      altered = parts[0] + "." + parts[1] + "." + "B" + parts[2].substring(1);
    assertError(shares(gw, altered), 401, "UNAUTHENTICATED");
    // an hour later the token has expired; the client asks for a new one
    clock.advance(Duration.ofSeconds(3601));
    try {
      assertError(shares(gw, jwt), 401, "UNAUTHENTICATED");
      assertThat(shares(gw, accessToken(gw, clientId, secret)).status()).isEqualTo(200);
    } finally {
      clock.advance(Duration.ofSeconds(-3601));
    }
    // revoking the client ends its access tokens at once
    assertThat(admin(HttpMethod.POST, "/tokens/" + clientId + "/revoke", null).status())
        .isEqualTo(200);
    assertError(shares(gw, jwt), 401, "UNAUTHENTICATED");
    assertThat(token(gw, clientId, secret, "grant_type=client_credentials").status())
        .isEqualTo(401);
    // no secret, no id, no token reaches the logs
    for (ILoggingEvent e : GatewayHarness.logged(logs)) {
      String line = e.getFormattedMessage() + " " + e.getKeyValuePairs();
      assertThat(line).doesNotContain(secret).doesNotContain(jwt);
    }
  }

  @Test
  void badRequestsGetOAuthErrors() {
    Response wrong = token(gw, "static", "not-the-secret", "grant_type=client_credentials");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().get("error").asText()).isEqualTo("invalid_client");
    assertThat(wrong.header("WWW-Authenticate")).startsWith("Basic");
    // the right secret under another client's id
    Response mismatched = token(gw, "someone-else", STATIC, "grant_type=client_credentials");
    assertThat(mismatched.status()).isEqualTo(401);
    Response grant = token(gw, "static", STATIC, "grant_type=password&username=a&password=b");
    assertThat(grant.status()).isEqualTo(400);
    assertThat(grant.json().get("error").asText()).isEqualTo("unsupported_grant_type");
    Response missing = token(gw, "static", STATIC, "scope=x");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("error").asText()).isEqualTo("invalid_request");
    Response repeated =
        token(gw, "static", STATIC, "grant_type=client_credentials&grant_type=client_credentials");
    assertThat(repeated.json().get("error").asText()).isEqualTo("invalid_request");
    // a JWT of another issuer is not ours: without OIDC it is not a valid bearer token
    assertError(
        shares(gw, "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2V2aWwifQ.x"), 401, "UNAUTHENTICATED");
  }

  @Test
  void rotationKeepsTheOldSecretForItsGraceAndSigningKeyRotationKeepsIssuedTokens() {
    // Given
    JsonNode created = admin(HttpMethod.POST, "/shares/other/tokens", "{}").json();
    String oldId = created.get("id").asText();
    String oldSecret = created.get("token").asText();
    // When: rotated with an hour of grace
    JsonNode rotated =
        admin(HttpMethod.POST, "/tokens/" + oldId + "/rotate", "{\"graceSeconds\": 3600}").json();
    JsonNode profile = rotated.get("oauthProfile");
    // Then: both work during the grace, only the new one after it
    assertThat(token(gw, oldId, oldSecret, "grant_type=client_credentials").status())
        .isEqualTo(200);
    String fresh =
        accessToken(gw, profile.get("clientId").asText(), profile.get("clientSecret").asText());
    assertThat(shares(gw, fresh).status()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(3601));
    try {
      assertThat(token(gw, oldId, oldSecret, "grant_type=client_credentials").status())
          .isEqualTo(401);
      assertThat(
              token(
                      gw,
                      profile.get("clientId").asText(),
                      profile.get("clientSecret").asText(),
                      "grant_type=client_credentials")
                  .status())
          .isEqualTo(200);
    } finally {
      clock.advance(Duration.ofSeconds(-3601));
    }
    // signing-key rotation: an instance whose new key signs, the old one kept as previous, accepts
    // what the old key signed and publishes both keys
    String issuedWithKey1 = accessToken(gw, "static", STATIC);
    try (GatewayHarness rotatedGw =
        GatewayHarness.start(
            ConfigLoader.parse(yaml(KEY_2, KEY_1), dir.resolve("rotated-instance")).config(),
            clock)) {
      assertThat(shares(rotatedGw, issuedWithKey1).status()).isEqualTo(200);
      JsonNode keys =
          rotatedGw
              .fetch(
                  "http://127.0.0.1:" + rotatedGw.gateway.port() + "/delta-sharing/oauth/jwks",
                  Map.of())
              .json()
              .get("keys");
      assertThat(keys).hasSize(2);
      String issuedWithKey2 = accessToken(rotatedGw, "static", STATIC);
      // the instance still on the old key does not know the new one
      assertError(shares(gw, issuedWithKey2), 401, "UNAUTHENTICATED");
    }
  }

  static java.security.PublicKey publicKey(JsonNode jwk) throws Exception {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
    ECPoint w =
        new ECPoint(
            new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("x").asText())),
            new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("y").asText())));
    return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
  }
}
