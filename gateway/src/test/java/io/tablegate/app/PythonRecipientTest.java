package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.EngineTables;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.OAuth2Server;
import io.tablegate.testing.Python;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Python connector as a recipient: tables written by deltalake and pyiceberg, served by a
 * gateway on a free port, read by {@code delta-sharing} 1.4.2 with pandas in the pytest suite
 * {@code testing/python/recipient} (profiles from the config, the admin API and the CLI, and an
 * OAuth client-credentials profile against a real identity provider, NAV's mock-oauth2-server in
 * its own JVM).
 */
class PythonRecipientTest {
  static final String ADMIN = "python-admin-token-0123456789";
  static final String TOKEN = "python-recipient-token-0123";
  static final String RESTRICTED = "python-restricted-token-0123";
  @TempDir Path dir;

  @Test
  void theDeltaSharingPythonConnectorReadsWhatTheWritersWrote() throws Exception {
    // Given: engine-written tables and a gateway serving them
    Path tables = dir.resolve("tables");
    JsonNode expected = EngineTables.write(tables);
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: 0
        admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog.json}
        authorization:
          tokens:
            - {id: reader, token: %s, shares: [engines, dat]}
            - {id: former, token: expired-token-0123456789, shares: [engines], expiresAt: "2020-01-01T00:00:00Z"}
            - {id: restricted, token: %s, shares: [engines]}
        """
                .formatted(ADMIN, TOKEN, RESTRICTED)
            + EngineTables.sharesYaml(expected)
            // a recipient that may read two columns of the days from 2024-01-02 on
            + """
                policies:
                  - {recipient: restricted, table: w.delta_partitioned, columns: [id, day], filter: "day >= '2024-01-02'"}
            """
            + datShareYaml();
    try (OAuth2Server idp = new OAuth2Server(dir.resolve("idp"), "{\"interactiveLogin\": false}")) {
      theConnectorReads(
          tables,
          yaml.replace(
              "authorization:",
              """
          oidc:
            issuers:
              - {issuer: "%s", audience: tablegate}
          authorization:"""
                  .formatted(idp.issuer("idp"))),
          idp);
    }
  }

  /** Runs the CLI against {@code gw}'s admin API; it must succeed. */
  private static void cli(GatewayHarness gw, String... args) {
    CliTest.Run run = CliTest.cli(gw, ADMIN, args);
    assertThat(run.code()).as(run.out() + run.err()).isZero();
  }

  private void theConnectorReads(Path tables, String yaml, OAuth2Server idp) throws Exception {
    try (GatewayHarness gw = GatewayHarness.start(yaml, dir)) {
      Path profile = writeProfile(dir.resolve("reader.share"), gw.endpoint(), TOKEN);
      Path expiredProfile =
          writeProfile(dir.resolve("expired.share"), gw.endpoint(), "expired-token-0123456789");
      String admin = "http://127.0.0.1:" + gw.gateway.adminPort() + "/api/v1";
      Response created =
          gw.send(
              HttpMethod.POST,
              admin + "/shares/engines/tokens",
              ADMIN,
              Map.of("Content-Type", "application/json"),
              "{\"description\": \"to be revoked\"}");
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      Path revokedProfile = dir.resolve("revoked.share");
      Files.writeString(revokedProfile, created.json().get("profile").toString());
      assertThat(
              gw.send(
                      HttpMethod.POST,
                      admin + "/tokens/" + created.json().get("id").asText() + "/revoke",
                      ADMIN,
                      Map.of(),
                      null)
                  .status())
          .isEqualTo(200);
      Path cliProfile = dir.resolve("cli.share");
      cli(gw, "share", "token", "create", "engines", "--profile", cliProfile.toString());
      // the gateway's own OAuth client credentials (its token endpoint), as the CLI writes them
      Path gatewayOauthProfile = dir.resolve("gateway-oauth.share");
      cli(
          gw,
          "share",
          "token",
          "create",
          "engines",
          "--profile",
          gatewayOauthProfile.toString(),
          "--oauth");
      // an OAuth client-credentials recipient: a policy maps the identity provider's subject to the
      // share
      Response policy =
          gw.send(
              HttpMethod.POST,
              admin + "/recipients",
              ADMIN,
              Map.of("Content-Type", "application/json"),
              """
          {"name": "acme", "shares": ["engines"], "oidc": {"issuer": "%s", "claim": "sub", "value": "acme-client"}}
          """
                  .formatted(idp.issuer("idp")));
      assertThat(policy.status()).as(policy.text()).isEqualTo(201);
      Path oauthProfile = dir.resolve("oauth.share");
      Files.writeString(
          oauthProfile,
          """
          {"shareCredentialsVersion": 2, "type": "oauth_client_credentials", "endpoint": "%s",
           "tokenEndpoint": "%s/token", "clientId": "acme-client", "clientSecret": "secret", "scope": "tablegate"}
          """
              .formatted(gw.endpoint(), idp.issuer("idp")));
      // When / Then: the pytest suite passes
      String output =
          Python.run(
              Map.ofEntries(
                  Map.entry("TABLEGATE_PROFILE", profile.toString()),
                  Map.entry(
                      "TABLEGATE_RESTRICTED_PROFILE",
                      writeProfile(dir.resolve("restricted.share"), gw.endpoint(), RESTRICTED)
                          .toString()),
                  Map.entry("TABLEGATE_EXPECTED", tables.resolve("expected.json").toString()),
                  Map.entry("TABLEGATE_EXPIRED_PROFILE", expiredProfile.toString()),
                  Map.entry("TABLEGATE_REVOKED_PROFILE", revokedProfile.toString()),
                  Map.entry("TABLEGATE_CLI_PROFILE", cliProfile.toString()),
                  Map.entry("TABLEGATE_OAUTH_PROFILE", oauthProfile.toString()),
                  Map.entry("TABLEGATE_GATEWAY_OAUTH_PROFILE", gatewayOauthProfile.toString()),
                  Map.entry("TABLEGATE_DAT", TestTables.dat().toString())),
              900,
              "run_pytest.py",
              Python.repository().resolve("testing/python/recipient").toString(),
              "-q",
              "-p",
              "no:cacheprovider");
      System.out.println(output);
      assertThat(output).contains(" passed").doesNotContain(" failed");
    }
  }

  /**
   * Share {@code dat}, schema {@code cases}: one table per DAT case (the shares list continues).
   */
  static String datShareYaml() throws Exception {
    StringBuilder yaml =
        new StringBuilder("  - name: dat\n    schemas:\n      - name: cases\n        tables:\n");
    try (var cases = Files.list(TestTables.dat())) {
      for (Path c : cases.sorted().toList()) {
        yaml.append("          - {name: ")
            .append(c.getFileName())
            .append(", location: \"")
            .append(c.resolve("delta").toUri())
            .append("\"}\n");
      }
    }
    return yaml.toString();
  }

  static Path writeProfile(Path file, String endpoint, String token) throws Exception {
    Files.writeString(
        file,
        "{\"shareCredentialsVersion\": 1, \"endpoint\": \""
            + endpoint
            + "\", \"bearerToken\": \""
            + token
            + "\"}");
    return file;
  }
}
