package io.tablegate.http;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit being written (an empty file) is never served as a version; a truncated or garbage
 * commit gives a clear table-level error, never rows from a half-written commit.
 */
class DamagedLogTest {
  static final String T = "/shares/s/schemas/d/tables/";
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("empty"));
    Files.write(dir.resolve("empty/_delta_log/00000000000000000005.json"), new byte[0]);
    TestTables.writeHistoryTable(dir.resolve("truncated"));
    Files.writeString(
        dir.resolve("truncated/_delta_log/00000000000000000005.json"),
        "{\"commitInfo\":{\"timestamp\":1}}\n{\"add\":{\"path\":\"day=2024-05-09/part-0.parq");
    TestTables.writeHistoryTable(dir.resolve("garbage"));
    Files.writeString(
        dir.resolve("garbage/_delta_log/00000000000000000005.json"),
        "\u0000\u0001 not json at all");
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        shares:
          - name: s
            schemas:
              - name: d
                tables:
                  - {name: empty, location: empty, historyShared: true}
                  - {name: truncated, location: truncated}
                  - {name: garbage, location: garbage}
        """,
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void anEmptyLatestCommitIsNotAVersionYet() {
    Response version = gw.get(T + "empty/version", null);
    assertThat(version.header("Delta-Table-Version")).isEqualTo("4");
    Response q = gw.post(T + "empty/query", null, "{}");
    assertThat(q.status()).as(q.text()).isEqualTo(200);
    assertThat(q.header("Delta-Table-Version")).isEqualTo("4");
    assertError(
        gw.post(T + "empty/query", null, "{\"version\": 5}"), 400, "INVALID_PARAMETER_VALUE");
  }

  @Test
  void aTruncatedOrGarbageCommitIsAClearTableError() {
    for (String table : new String[] {"truncated", "garbage"}) {
      Response q = gw.post(T + table + "/query", null, "{}");
      assertError(q, 500, "INTERNAL_ERROR");
      assertThat(q.json().get("message").asText())
          .as(table)
          .contains("truncated or not valid JSON")
          .doesNotContain("Exception");
      Response m = gw.get(T + table + "/metadata", null);
      assertError(m, 500, "INTERNAL_ERROR");
    }
  }
}
