package io.tablegate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.config.ConfigLoader;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.RedisHarness;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recipient's usage is reported the same by every instance: each adds what it counted to the
 * recipient's counters in Redis every few seconds, and a report sums them (plus its own last
 * seconds).
 */
class UsageAcrossInstancesTest {
  static final String ADMIN = "usage-admin-token-0123456789";
  @TempDir static Path dir;
  static RedisHarness redis;
  static GatewayHarness a;
  static GatewayHarness b;

  @BeforeAll
  static void start() throws Exception {
    redis = new RedisHarness(dir.resolve("redis"));
    TestTables.writeHistoryTable(dir.resolve("t"));
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: 0
        management: {host: 127.0.0.1, port: 0}
        signingKey: usage-test-signing-key-0123456789
        admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog.json}
        redis: {uri: "%s", timeoutMs: 30000}
        authorization: {tokens: [{id: static, token: static-token-0123456789, shares: [s]}]}
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: t}
        """
            .formatted(ADMIN, redis.uri());
    a = GatewayHarness.start(ConfigLoader.parse(yaml, dir).config(), Clock.systemUTC());
    b = GatewayHarness.start(ConfigLoader.parse(yaml, dir).config(), Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    a.close();
    b.close();
    redis.close();
  }

  static Response admin(GatewayHarness g, HttpMethod m, String path, String body) {
    return g.admin(m, path, ADMIN, body);
  }

  static Response query(GatewayHarness g, String token) {
    return g.send(
        HttpMethod.POST,
        "http://127.0.0.1:" + g.gateway.port() + "/delta-sharing/shares/s/schemas/n/tables/t/query",
        token,
        Map.of(),
        "{}");
  }

  @Test
  void everyInstanceReportsTheReadsOfAll() throws Exception {
    // Given: a recipient made on A, whose token B learns through the shared catalog
    assertThat(
            admin(a, HttpMethod.POST, "/recipients", "{\"name\": \"acme\", \"shares\": [\"s\"]}")
                .status())
        .isEqualTo(201);
    String token =
        admin(a, HttpMethod.POST, "/recipients/acme/tokens", "{}").json().get("token").asText();
    assertThat(GatewayHarness.eventually(() -> query(b, token).status() == 200)).isTrue();
    // When: one more read on A, two more on B (B has one already)
    assertThat(query(a, token).status()).isEqualTo(200);
    assertThat(query(b, token).status()).isEqualTo(200);
    long files = query(b, token).lines().stream().filter(l -> l.has("file")).count();
    // Then: both instances report four reads of the table, and their files
    for (GatewayHarness g : new GatewayHarness[] {a, b}) {
      JsonNode[] usage = new JsonNode[1];
      boolean seen =
          GatewayHarness.eventually(
              () -> {
                usage[0] = admin(g, HttpMethod.GET, "/recipients/acme/usage", null).json();
                JsonNode t = usage[0].path("tables").path("s.n.t");
                return t.path("requests").asLong() == 4;
              });
      assertThat(seen).as(String.valueOf(usage[0])).isTrue();
      assertThat(usage[0].get("scope").asText()).startsWith("all instances");
      assertThat(usage[0].path("tables").path("s.n.t").path("files").asLong()).isEqualTo(4 * files);
    }
  }
}
