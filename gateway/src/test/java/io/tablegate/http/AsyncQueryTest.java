package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.fixtures.SyntheticTables;
import io.tablegate.testing.Asserts;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.MutableClock;
import io.tablegate.testing.TestTables;
import io.vertx.core.Vertx;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Async queries (protocol 2.4): a submission gets a query id at once and the file list is built in
 * the background; polls answer pending, then the result at the version pinned at submission, page
 * by page; the same idempotency key gets the same id; a failed build says so; ids of other
 * recipients, other tables, altered or expired ids are unknown.
 */
class AsyncQueryTest {
  static final String ALICE = "alice-token-0123456789abcdef";
  static final String BOB = "bob-token-0123456789abcdef01";
  static final String T = "/shares/s/schemas/n/tables/";
  static final Map<String, String> ASYNC = Map.of("delta-sharing-capabilities", "asyncquery=true");
  @TempDir static Path dir;
  static MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("hist"));
    SyntheticTables.generate(dir.resolve("failing"), 6_000, 2, false);
    var config =
        ConfigLoader.parse(
                """
            version: 1
            host: 127.0.0.1
            port: 0
            management: {host: 127.0.0.1, port: 0}
            latestVersionTtlMs: 0
            authorization:
              tokens:
                - {id: alice, token: %s, shares: [s]}
                - {id: bob, token: %s, shares: [s]}
            shares:
              - name: s
                schemas:
                  - name: n
                    tables:
                      - {name: hist, location: hist, historyShared: true}
                      - {name: other, location: hist}
                      - {name: failing, location: failing}
            """
                    .formatted(ALICE, BOB),
                dir)
            .config();
    Vertx vertx = Vertx.vertx();
    gw =
        GatewayHarness.attach(
            vertx,
            GatewayHarness.await(
                Gateway.start(vertx, config, clock, f -> new CountingFormat(f, new AtomicLong()))));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Response submit(String table, String token, String body) {
    return gw.post(T + table + "/query", token, ASYNC, body);
  }

  static Response poll(String table, String token, String id, String body) {
    return gw.post(
        T + table + "/queries/" + URLEncoder.encode(id, StandardCharsets.UTF_8), token, body);
  }

  static String queryId(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<JsonNode> lines = r.lines();
    assertThat(lines).hasSize(1);
    JsonNode status = lines.get(0).get("queryStatus");
    assertThat(status.get("status").asText()).isEqualTo("pending");
    return status.get("queryId").asText();
  }

  /** Polls until the result comes (the build runs in the background: poll, generously). */
  static Response result(String table, String token, String id, String body) throws Exception {
    Response r = null;
    for (int i = 0; i < 600; i++) {
      r = poll(table, token, id, body);
      if (r.status() != 200 || !r.lines().get(0).has("queryStatus")) return r;
      assertThat(r.lines().get(0).get("queryStatus").get("queryId").asText()).isEqualTo(id);
      Thread.sleep(100);
    }
    throw new AssertionError("still pending: " + r.text());
  }

  static java.util.Set<String> fileIds(Response r) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonNode l : r.lines()) if (l.has("file")) ids.add(l.get("file").get("id").asText());
    return ids;
  }

  @Test
  void aSubmittedQueryIsPendingThenAnswersAtTheVersionPinnedWhenSubmitted() throws Exception {
    // Given
    Response direct = gw.post(T + "hist/query", ALICE, "{}");
    Response submitted = submit("hist", ALICE, "{\"idempotencyKey\": \"k-1\"}");
    String id = queryId(submitted);
    assertThat(submitted.header("delta-sharing-capabilities")).contains("asyncquery=true");
    assertThat(submitted.header("Delta-Table-Version")).isNull();
    // the same key and parameters (in the Scala client's spelling too): the same query
    assertThat(queryId(submit("hist", ALICE, "{\"idempotency_key\": \"k-1\"}"))).isEqualTo(id);
    assertThat(queryId(submit("hist", ALICE, "{\"idempotencyKey\": \"k-2\"}"))).isNotEqualTo(id);
    // When: a commit lands after the submission
    DeltaTableWriter w = TestTables.historyTableWriter(dir.resolve("hist"));
    var extra =
        w.writeFile(
            List.<Object[]>of(new Object[] {99L, "n99", java.time.LocalDate.of(2024, 5, 9)}));
    w.commit(
        5,
        List.of(
            DeltaTableWriter.commitInfo("WRITE", TestTables.at(5)),
            DeltaTableWriter.add(extra, TestTables.at(5), null)),
        Instant.ofEpochMilli(TestTables.at(5)));
    // Then: the result is the direct query's, at version 4 (the Scala client also sends queryId)
    Response r = result("hist", ALICE, id, "{\"queryId\": \"" + id + "\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Delta-Table-Version")).isEqualTo("4");
    assertThat(fileIds(r)).isEqualTo(fileIds(direct));
    assertThat(r.lines().get(1).get("metaData")).isEqualTo(direct.lines().get(1).get("metaData"));
    assertThat(gw.post(T + "hist/query", ALICE, "{}").header("Delta-Table-Version")).isEqualTo("5");
    // and page by page
    Response first = result("hist", ALICE, id, "{\"maxFiles\": 1}");
    List<JsonNode> lines = first.lines();
    assertThat(lines).hasSize(4);
    String next = lines.get(3).get("endStreamAction").get("nextPageToken").asText();
    Response second = poll("hist", ALICE, id, "{\"maxFiles\": 1, \"pageToken\": \"" + next + "\"}");
    assertThat(second.lines()).hasSize(4);
    assertThat(second.lines().get(2).get("file").get("id").asText())
        .isNotEqualTo(lines.get(2).get("file").get("id").asText());
  }

  @Test
  void otherRecipientsTablesAlteredAndExpiredIdsAreUnknown() throws Exception {
    String id = queryId(submit("hist", ALICE, "{\"idempotencyKey\": \"k-3\"}"));
    assertThat(result("hist", ALICE, id, "{}").status()).isEqualTo(200);
    Asserts.assertError(poll("hist", BOB, id, "{}"), 404, "RESOURCE_DOES_NOT_EXIST");
    Asserts.assertError(poll("other", ALICE, id, "{}"), 404, "RESOURCE_DOES_NOT_EXIST");
    String altered = id.substring(0, 10) + (id.charAt(10) == 'A' ? 'B' : 'A') + id.substring(11);
    Asserts.assertError(poll("hist", ALICE, altered, "{}"), 404, "RESOURCE_DOES_NOT_EXIST");
    Asserts.assertError(poll("hist", ALICE, "x", "{}"), 404, "RESOURCE_DOES_NOT_EXIST");
    Asserts.assertError(
        poll("hist", ALICE, id, "{\"maxFiles\": 0}"), 400, "INVALID_PARAMETER_VALUE");
    // an async query needs its key, as the reference server says
    Asserts.assertError(submit("hist", ALICE, "{}"), 400, "INVALID_PARAMETER_VALUE");
    clock.advance(Duration.ofMinutes(61));
    try {
      Asserts.assertError(poll("hist", ALICE, id, "{}"), 404, "RESOURCE_DOES_NOT_EXIST");
    } finally {
      clock.advance(Duration.ofMinutes(-61));
    }
  }

  @Test
  void aBuildThatFailsAnswersFailedWithAMessage() throws Exception {
    String id = queryId(submit("failing", ALICE, "{\"idempotencyKey\": \"k-4\"}"));
    Response r = null;
    for (int i = 0; i < 600; i++) {
      r = poll("failing", ALICE, id, "{}");
      JsonNode s = r.lines().get(0).get("queryStatus");
      if (s != null && s.get("status").asText().equals("failed")) break;
      Thread.sleep(100);
    }
    JsonNode s = r.lines().get(0).get("queryStatus");
    assertThat(r.lines()).hasSize(1);
    assertThat(s.get("status").asText()).isEqualTo("failed");
    assertThat(s.get("errorMessage").asText()).isNotBlank().doesNotContain("Exception");
  }
}
