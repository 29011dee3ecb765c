package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.EngineTables;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.Python;
import io.vertx.core.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Python connector as a recipient: tables written by deltalake and pyiceberg, served by a
 * gateway on a free port, read by {@code delta-sharing} 1.4.2 with pandas in the pytest suite
 * {@code testing/python/recipient} (profiles from the config, the admin API and the CLI).
 */
class PythonRecipientTest {
  static final String ADMIN = "python-admin-token-0123456789";
  static final String TOKEN = "python-recipient-token-0123";
  @TempDir Path dir;

  @Test
  void theDeltaSharingPythonConnectorReadsWhatTheWritersWrote() throws Exception {
    // Given: engine-written tables and a gateway serving them
    Path tables = dir.resolve("tables");
    JsonNode expected = EngineTables.write(tables);
    String yaml = """
        version: 1
        host: 127.0.0.1
        port: 0
        admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog.json}
        authorization:
          tokens:
            - {id: reader, token: %s, shares: [engines]}
            - {id: former, token: expired-token-0123456789, shares: [engines], expiresAt: "2020-01-01T00:00:00Z"}
        """.formatted(ADMIN, TOKEN) + EngineTables.sharesYaml(expected);
    try (GatewayHarness gw = GatewayHarness.start(yaml, dir)) {
      Path profile = writeProfile(dir.resolve("reader.share"), gw.endpoint(), TOKEN);
      Path expiredProfile = writeProfile(dir.resolve("expired.share"), gw.endpoint(), "expired-token-0123456789");
      String admin = "http://127.0.0.1:" + gw.gateway.adminPort() + "/api/v1";
      Response created = gw.send(HttpMethod.POST, admin + "/shares/engines/tokens", ADMIN, Map.of("Content-Type", "application/json"),
          "{\"description\": \"to be revoked\"}");
      assertThat(created.status()).as(created.text()).isEqualTo(201);
      Path revokedProfile = dir.resolve("revoked.share");
      Files.writeString(revokedProfile, created.json().get("profile").toString());
      assertThat(gw.send(HttpMethod.POST, admin + "/tokens/" + created.json().get("id").asText() + "/revoke", ADMIN, Map.of(), null).status())
          .isEqualTo(200);
      Path cliProfile = dir.resolve("cli.share");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
          Map.of("TABLEGATE_ADMIN_URL", "http://127.0.0.1:" + gw.gateway.adminPort(), "TABLEGATE_ADMIN_TOKEN", ADMIN))
          .execute(new String[] {"share", "token", "create", "engines", "--profile", cliProfile.toString()});
      assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
      // When / Then: the pytest suite passes
      String output = Python.run(Map.of("TABLEGATE_PROFILE", profile.toString(), "TABLEGATE_EXPECTED", tables.resolve("expected.json").toString(),
              "TABLEGATE_EXPIRED_PROFILE", expiredProfile.toString(), "TABLEGATE_REVOKED_PROFILE", revokedProfile.toString(),
              "TABLEGATE_CLI_PROFILE", cliProfile.toString()), 900, "run_pytest.py",
          Python.repository().resolve("testing/python/recipient").toString(), "-q", "-p", "no:cacheprovider");
      System.out.println(output);
      assertThat(output).contains(" passed").doesNotContain(" failed");
    }
  }

  static Path writeProfile(Path file, String endpoint, String token) throws Exception {
    Files.writeString(file, "{\"shareCredentialsVersion\": 1, \"endpoint\": \"" + endpoint + "\", \"bearerToken\": \"" + token + "\"}");
    return file;
  }
}
