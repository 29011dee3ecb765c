package io.tablegate.http;

import static io.tablegate.testing.Asserts.assertError;
import static io.tablegate.testing.TestTables.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /version, /metadata, /query and /changes on a table with a known history (see {@link
 * TestTables#writeHistoryTable}), through a real server: happy paths and every error.
 */
class TableEndpointsTest {
  static final String T = "/shares/s/schemas/h/tables/";
  static final String DELTA = "responseformat=delta";
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("hist"));
    TestTables.writeHistoryTable(dir.resolve("moving"));
    TestTables.writeHistoryTable(dir.resolve("broken"));
    // a table whose protocol is upgraded at version 5 (writer features), then written again
    TestTables.writeHistoryTable(dir.resolve("upgraded"));
    var upgrade = TestTables.historyTableWriter(dir.resolve("upgraded"));
    upgrade.commit(
        5,
        List.of(
            DeltaTableWriter.commitInfo("SET TBLPROPERTIES", at(5)),
            "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,"
                + "\"writerFeatures\":[\"appendOnly\",\"invariants\",\"changeDataFeed\"]}}"),
        Instant.ofEpochMilli(at(5)));
    var f6 =
        upgrade.writeFile(
            List.<Object[]>of(new Object[] {60L, "n60", java.time.LocalDate.of(2024, 5, 6)}));
    upgrade.commit(6, List.of(DeltaTableWriter.add(f6, at(6), null)), Instant.ofEpochMilli(at(6)));
    Files.delete(dir.resolve("broken/_delta_log/00000000000000000001.json"));
    try (var s = Files.list(dir.resolve("broken/_delta_log"))) {
      for (Path p : s.filter(p -> p.toString().contains("checkpoint")).toList()) Files.delete(p);
    }
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        shares:
          - name: s
            schemas:
              - name: h
                tables:
                  - {name: hist, location: hist, historyShared: true}
                  - {name: plain, location: hist}
                  - {name: from2, location: hist, historyShared: true, startVersion: 2}
                  - {name: moving, location: moving, historyShared: true}
                  - {name: broken, location: broken, historyShared: true}
                  - {name: upgraded, location: upgraded, historyShared: true}
                  - {name: missing, location: does-not-exist}
        """,
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static List<JsonNode> files(Response r) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode l : r.lines())
      if (l.has("file") || l.has("add") || l.has("remove") || l.has("cdf")) out.add(l);
    return out;
  }

  static Set<String> ids(Response r) {
    Set<String> out = new HashSet<>();
    for (JsonNode l : files(r)) out.add(l.elements().next().get("id").asText());
    return out;
  }

  static Set<String> days(Response r) {
    Set<String> out = new HashSet<>();
    for (JsonNode l : files(r))
      out.add(l.elements().next().get("partitionValues").get("day").asText());
    return out;
  }

  // ---- /version ----

  @Test
  void versionIsTheLatestCommit() {
    Response get = gw.get(T + "hist/version", null);
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.header("Delta-Table-Version")).isEqualTo("4");
    Response head = gw.head(T + "hist", null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Delta-Table-Version")).isEqualTo("4");
    assertThat(head.body()).isEmpty();
  }

  @Test
  void startingTimestampResolvesToTheEarliestVersionAtOrAfterIt() {
    assertThat(
            gw.get(T + "hist/version?startingTimestamp=" + Instant.ofEpochMilli(at(1)), null)
                .header("Delta-Table-Version"))
        .isEqualTo("1");
    assertThat(
            gw.get(T + "hist/version?startingTimestamp=" + Instant.ofEpochMilli(at(1) + 1), null)
                .header("Delta-Table-Version"))
        .isEqualTo("2");
    assertThat(
            gw.get(T + "hist/version?startingTimestamp=2000-01-01T00:00:00Z", null)
                .header("Delta-Table-Version"))
        .isEqualTo("0");
  }

  @Test
  void versionErrors() {
    assertError(
        gw.get(T + "hist/version?startingTimestamp=2099-01-01T00:00:00Z", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/version?startingTimestamp=yesterday", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "plain/version?startingTimestamp=2000-01-01T00:00:00Z", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertThat(gw.head(T + "plain?startingTimestamp=2000-01-01T00:00:00Z", null).status())
        .isEqualTo(400);
  }

  // ---- /metadata ----

  @Test
  void metadataIsExactlyProtocolAndMetadataInParquetFormat() {
    Response r = gw.get(T + "hist/metadata", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/x-ndjson; charset=utf-8");
    assertThat(r.header("Delta-Table-Version")).isEqualTo("4");
    assertThat(r.header("delta-sharing-capabilities")).isEqualTo("responseformat=parquet");
    assertThat(r.text()).endsWith("\n");
    List<JsonNode> lines = r.lines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).toString()).isEqualTo("{\"protocol\":{\"minReaderVersion\":1}}");
    JsonNode m = lines.get(1).get("metaData");
    assertThat(m.get("format").get("provider").asText()).isEqualTo("parquet");
    assertThat(m.get("partitionColumns").toString()).isEqualTo("[\"day\"]");
    assertThat(m.get("configuration").toString()).isEqualTo("{\"enableChangeDataFeed\":\"true\"}");
    assertThat(m.get("schemaString").asText()).contains("display name");
    assertThat(m.has("version")).isFalse();
  }

  @Test
  void metadataInDeltaFormatIsTheRawDeltaAction() {
    Response r =
        gw.get(
            T + "plain/metadata",
            null,
            Map.of("delta-sharing-capabilities", "responseformat=delta,parquet"));
    assertThat(r.header("delta-sharing-capabilities")).isEqualTo("responseformat=parquet");
    r = gw.get(T + "plain/metadata", null, Map.of("delta-sharing-capabilities", DELTA));
    assertThat(r.header("delta-sharing-capabilities")).isEqualTo("responseformat=delta");
    List<JsonNode> lines = r.lines();
    assertThat(lines.get(0).get("protocol").get("deltaProtocol").get("minWriterVersion").asInt())
        .isEqualTo(4);
    JsonNode m = lines.get(1).get("metaData").get("deltaMetadata");
    assertThat(m.get("configuration").get("delta.enableChangeDataFeed").asText()).isEqualTo("true");
    assertThat(m.has("createdTime")).isTrue();
  }

  @Test
  void metadataTimeTravel() {
    Response r = gw.get(T + "hist/metadata?version=1", null);
    assertThat(r.header("Delta-Table-Version")).isEqualTo("1");
    assertThat(r.lines().get(1).get("metaData").get("version").asLong()).isEqualTo(1);
    assertThat(r.lines().get(1).get("metaData").get("schemaString").asText())
        .doesNotContain("display name");
    Response byTime =
        gw.get(T + "hist/metadata?timestamp=" + Instant.ofEpochMilli(at(3) + 1000), null);
    assertThat(byTime.header("Delta-Table-Version")).isEqualTo("3");
  }

  @Test
  void metadataErrors() {
    assertError(
        gw.get(T + "hist/metadata?version=1&timestamp=2024-05-01T00:00:00Z", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(gw.get(T + "hist/metadata?version=-1", null), 400, "INVALID_PARAMETER_VALUE");
    assertError(gw.get(T + "hist/metadata?version=99", null), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/metadata?timestamp=2000-01-01T00:00:00Z", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(gw.get(T + "plain/metadata?version=1", null), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/metadata", null, Map.of("fileidhash", "sha512")),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(
            T + "hist/metadata", null, Map.of("delta-sharing-capabilities", "responseformat=csv")),
        400,
        "INVALID_PARAMETER_VALUE");
  }

  // ---- /query: snapshots ----

  @Test
  void queryReturnsTheActiveFilesWithStableIdsAndWorkingUrls() {
    Response r = gw.post(T + "hist/query", null, "{}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Delta-Table-Version")).isEqualTo("4");
    List<JsonNode> files = files(r);
    assertThat(files).hasSize(3);
    assertThat(days(r)).containsExactlyInAnyOrder("2024-05-02", "2024-05-03", "2024-05-04");
    assertThat(r.lines().get(r.lines().size() - 1).has("file")).isTrue();
    for (JsonNode l : files) {
      JsonNode f = l.get("file");
      assertThat(f.get("id").asText()).matches("[0-9a-f]{32}");
      assertThat(f.get("stats").isTextual()).isTrue();
      assertThat(f.get("stats").asText()).contains("\"numRecords\":3");
      assertThat(f.get("expirationTimestamp").asLong())
          .isGreaterThan(System.currentTimeMillis() + 3000_000L);
      assertThat(f.has("version")).isFalse();
      Response download = gw.fetch(f.get("url").asText(), Map.of());
      assertThat(download.status()).isEqualTo(200);
      assertThat((long) download.body().length).isEqualTo(f.get("size").asLong());
      assertThat(new String(download.body(), 0, 4)).isEqualTo("PAR1");
    }
    assertThat(ids(gw.post(T + "hist/query", null, "{}"))).isEqualTo(ids(r));
  }

  @Test
  void fileIdsFollowTheFormatOrTheFileidhashHeader() {
    Response delta =
        gw.post(T + "hist/query", null, Map.of("delta-sharing-capabilities", DELTA), "{}");
    for (String id : ids(delta)) assertThat(id).matches("[0-9a-f]{64}");
    assertThat(delta.header("fileidhash")).isNull();
    Response parquetIds =
        gw.post(
            T + "hist/query",
            null,
            Map.of("delta-sharing-capabilities", DELTA, "fileidhash", "PARQUET"),
            "{}");
    assertThat(parquetIds.header("fileidhash")).isEqualTo("parquet");
    assertThat(ids(parquetIds)).isEqualTo(ids(gw.post(T + "hist/query", null, "{}")));
    assertError(
        gw.post(T + "hist/query", null, Map.of("fileidhash", "md5"), "{}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, Map.of("fileidhash", " "), "{}"),
        400,
        "INVALID_PARAMETER_VALUE");
    JsonNode add = files(delta).get(0).get("file").get("deltaSingleAction").get("add");
    assertThat(add.get("path").asText()).startsWith("http://");
    assertThat(add.get("dataChange").isBoolean()).isTrue();
    assertThat(add.get("stats").isTextual()).isTrue();
  }

  @Test
  void requestBodyValidation() {
    assertError(gw.post(T + "hist/query", null, ""), 400, "MALFORMED_REQUEST");
    assertError(gw.post(T + "hist/query", null, "not json"), 400, "MALFORMED_REQUEST");
    assertError(gw.post(T + "hist/query", null, "{\"version\": \"x3\"}"), 400, "MALFORMED_REQUEST");
    assertError(
        gw.post(T + "hist/query", null, "{\"predicateHints\": \"a = 1\"}"),
        400,
        "MALFORMED_REQUEST");
    assertError(
        gw.post(T + "hist/query", null, "{\"maxFiles\": 0}"), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"maxFiles\": 3000000000}"), 400, "MALFORMED_REQUEST");
    assertError(
        gw.post(
            T + "hist/query", null, "{\"version\": 1, \"timestamp\": \"2024-05-01T00:00:00Z\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"version\": 1, \"startingVersion\": 1}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"version\": -1}"), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"startingVersion\": -1}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"version\": 1, \"includeRefreshToken\": true}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"refreshToken\": \"abc\", \"version\": 1}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"refreshToken\": \"abc\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"pageToken\": \"abc\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(
            T + "hist/query", null, Map.of("delta-sharing-capabilities", "asyncquery=true"), "{}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertThat(
            gw.post(T + "hist/query", null, "{\"version\": \"2\", \"limitHint\": \"10\"}").status())
        .isEqualTo(200);
  }

  @Test
  void endStreamActionOnlyWhenAskedFor() {
    Response plain = gw.post(T + "hist/query", null, "{}");
    for (JsonNode l : plain.lines()) assertThat(l.has("endStreamAction")).isFalse();
    Response asked =
        gw.post(
            T + "hist/query",
            null,
            Map.of(
                "delta-sharing-capabilities", "responseformat=parquet;includeendstreamaction=true"),
            "{}");
    assertThat(asked.header("delta-sharing-capabilities"))
        .isEqualTo("responseformat=parquet;includeendstreamaction=true");
    List<JsonNode> lines = asked.lines();
    JsonNode end = lines.get(lines.size() - 1).get("endStreamAction");
    assertThat(end).isNotNull();
    long min = Long.MAX_VALUE;
    for (JsonNode f : files(asked))
      min = Math.min(min, f.get("file").get("expirationTimestamp").asLong());
    assertThat(end.get("minUrlExpirationTimestamp").asLong()).isEqualTo(min);
    assertThat(end.has("nextPageToken")).isFalse();
    assertThat(end.has("refreshToken")).isFalse();
  }

  @Test
  void paginatedQueryCoversEveryFileWithIdenticalHeadLines() {
    Response first = gw.post(T + "hist/query", null, "{\"maxFiles\": 1}");
    List<JsonNode> firstLines = first.lines();
    assertThat(firstLines).hasSize(4);
    Set<String> seen = new HashSet<>(ids(first));
    String token = firstLines.get(3).get("endStreamAction").get("nextPageToken").asText();
    assertThat(token).matches("[A-Za-z0-9_-]+");
    int pages = 1;
    while (token != null) {
      Response page =
          gw.post(T + "hist/query", null, "{\"maxFiles\": 1, \"pageToken\": \"" + token + "\"}");
      assertThat(page.status()).as(page.text()).isEqualTo(200);
      assertThat(page.header("Delta-Table-Version")).isEqualTo(first.header("Delta-Table-Version"));
      String[] raw = page.text().split("\n");
      String[] rawFirst = first.text().split("\n");
      assertThat(raw[0]).isEqualTo(rawFirst[0]);
      assertThat(raw[1]).isEqualTo(rawFirst[1]);
      seen.addAll(ids(page));
      JsonNode end = page.lines().get(page.lines().size() - 1).get("endStreamAction");
      token = end.has("nextPageToken") ? end.get("nextPageToken").asText() : null;
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).isEqualTo(ids(gw.post(T + "hist/query", null, "{}")));
    assertError(
        gw.post(
            T + "hist/query",
            null,
            "{\"maxFiles\": 2, \"pageToken\": \""
                + firstLines.get(3).get("endStreamAction").get("nextPageToken").asText()
                + "\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(
            T + "moving/query",
            null,
            "{\"maxFiles\": 1, \"pageToken\": \""
                + firstLines.get(3).get("endStreamAction").get("nextPageToken").asText()
                + "\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
  }

  @Test
  void refreshTokenServesTheVersionItWasIssuedFor() {
    Response first = gw.post(T + "moving/query", null, "{\"includeRefreshToken\": true}");
    List<JsonNode> lines = first.lines();
    String refresh =
        lines.get(lines.size() - 1).get("endStreamAction").get("refreshToken").asText();
    // a new commit lands after the first query
    DeltaTableWriter w =
        new DeltaTableWriter(
            dir.resolve("moving"),
            List.of(
                new DeltaTableWriter.ColumnSpec("id", "long"),
                new DeltaTableWriter.ColumnSpec("name", "string"),
                new DeltaTableWriter.ColumnSpec("day", "date")),
            List.of("day"));
    var f =
        w.writeFile(
            List.<Object[]>of(new Object[] {99L, "n99", java.time.LocalDate.of(2024, 5, 9)}));
    w.commit(5, List.of(DeltaTableWriter.add(f, at(5), null)), Instant.ofEpochMilli(at(5)));
    Response refreshed =
        gw.post(T + "moving/query", null, "{\"refreshToken\": \"" + refresh + "\"}");
    assertThat(refreshed.status()).isEqualTo(200);
    assertThat(refreshed.header("Delta-Table-Version")).isEqualTo("4");
    assertThat(ids(refreshed)).isEqualTo(ids(first));
    assertError(
        gw.post(T + "hist/query", null, "{\"refreshToken\": \"" + refresh + "\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
  }

  @Test
  void limitHintStopsOnceEnoughRowsAreListed() {
    assertThat(files(gw.post(T + "hist/query", null, "{\"limitHint\": 1}"))).hasSize(1);
    assertThat(files(gw.post(T + "hist/query", null, "{\"limitHint\": 4}"))).hasSize(2);
    assertThat(files(gw.post(T + "hist/query", null, "{\"limitHint\": 1000}"))).hasSize(3);
  }

  @Test
  void jsonPredicateHintsPruneByPartitionAndStatsButNeverDropAMatch() {
    String dayEq =
        "{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"day\",\"valueType\":\"date\"},"
            + "{\"op\":\"literal\",\"value\":\"2024-05-03\",\"valueType\":\"date\"}]}";
    assertThat(days(query("{\"jsonPredicateHints\": " + quote(dayEq) + "}")))
        .containsExactly("2024-05-03");
    String idGt =
        "{\"op\":\"greaterThan\",\"children\":[{\"op\":\"column\",\"name\":\"id\",\"valueType\":\"long\"},"
            + "{\"op\":\"literal\",\"value\":\"40\",\"valueType\":\"long\"}]}";
    assertThat(days(query("{\"jsonPredicateHints\": " + quote(idGt) + "}")))
        .containsExactly("2024-05-04");
    String none =
        "{\"op\":\"lessThan\",\"children\":[{\"op\":\"column\",\"name\":\"id\",\"valueType\":\"long\"},"
            + "{\"op\":\"literal\",\"value\":\"0\",\"valueType\":\"long\"}]}";
    assertThat(files(query("{\"jsonPredicateHints\": " + quote(none) + "}"))).isEmpty();
    String or = "{\"op\":\"or\",\"children\":[" + dayEq + "," + idGt + "]}";
    assertThat(days(query("{\"jsonPredicateHints\": " + quote(or) + "}")))
        .containsExactlyInAnyOrder("2024-05-03", "2024-05-04");
    String unknownOp = "{\"op\":\"like\",\"children\":[]}";
    assertThat(files(query("{\"jsonPredicateHints\": " + quote(unknownOp) + "}"))).hasSize(3);
    assertThat(files(query("{\"jsonPredicateHints\": \"not json\"}"))).hasSize(3);
    // a predicate with a limit: the limit is not applied, like the reference server
    assertThat(files(query("{\"limitHint\": 1, \"jsonPredicateHints\": " + quote(or) + "}")))
        .hasSize(2);
  }

  @Test
  void sqlPredicateHintsOnPartitionColumnsPruneAndWhatIsNotUnderstoodIsIgnored() {
    // as the parquet-format Spark connector sends them
    assertThat(days(query("{\"predicateHints\": [\"(day = DATE '2024-05-03')\"]}")))
        .containsExactly("2024-05-03");
    assertThat(days(query("{\"predicateHints\": [\"`day` >= '2024-05-03'\"]}")))
        .containsExactlyInAnyOrder("2024-05-03", "2024-05-04");
    assertThat(days(query("{\"predicateHints\": [\"DAY in ('2024-05-02', '2024-05-04')\"]}")))
        .containsExactlyInAnyOrder("2024-05-02", "2024-05-04");
    assertThat(days(query("{\"predicateHints\": [\"day <> '2024-05-03'\", \"day IS NOT NULL\"]}")))
        .containsExactlyInAnyOrder("2024-05-02", "2024-05-04");
    assertThat(days(query("{\"predicateHints\": [\"'2024-05-03' > day\"]}")))
        .containsExactly("2024-05-02");
    // an AND part on a data column is left out; the partition part still prunes
    assertThat(days(query("{\"predicateHints\": [\"day = '2024-05-03' AND id > 1\"]}")))
        .containsExactly("2024-05-03");
    // with a JSON hint: both prune
    String idGt =
        "{\"op\":\"greaterThan\",\"children\":[{\"op\":\"column\",\"name\":\"id\",\"valueType\":\"long\"},"
            + "{\"op\":\"literal\",\"value\":\"40\",\"valueType\":\"long\"}]}";
    assertThat(
            files(
                query(
                    "{\"predicateHints\": [\"day = '2024-05-03'\"], \"jsonPredicateHints\": "
                        + quote(idGt)
                        + "}")))
        .isEmpty();
    // not understood, so ignored: every file is listed
    for (String hint :
        List.of(
            "id > 40",
            "upper(day) = 'X'",
            "day = ",
            "day = '2024-05-03' OR id > 1",
            "day = 'not a date'",
            "day = '2024-05-03",
            "\u0000; DROP TABLE x")) {
      assertThat(files(query("{\"predicateHints\": [" + quote(hint) + "]}"))).as(hint).hasSize(3);
    }
  }

  @Test
  void historicalProtocolsOnChangesAndStreamingQueriesWhenAskedInDeltaFormat() {
    Map<String, String> delta = Map.of("delta-sharing-capabilities", DELTA);
    for (Response r :
        List.of(
            gw.get(
                T + "upgraded/changes?startingVersion=3&includeHistoricalProtocol=true",
                null,
                delta),
            gw.post(
                T + "upgraded/query",
                null,
                delta,
                "{\"startingVersion\": 3, \"includeHistoricalProtocol\": true}"))) {
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      List<Long> protocols =
          r.lines().stream()
              .filter(l -> l.has("protocol"))
              .map(l -> l.get("protocol").path("version").asLong(-1))
              .toList();
      // the head's protocol, stamped with its version, then the upgrade at version 5
      assertThat(protocols).hasSize(2).endsWith(5L).doesNotContain(-1L);
    }
    // not asked, or the parquet format: the head's protocol only, without a version
    for (Response r :
        List.of(
            gw.get(T + "upgraded/changes?startingVersion=3", null, delta),
            gw.get(
                T + "upgraded/changes?startingVersion=3&includeHistoricalProtocol=true", null))) {
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      List<JsonNode> protocols = r.lines().stream().filter(l -> l.has("protocol")).toList();
      assertThat(protocols).hasSize(1);
      assertThat(protocols.get(0).get("protocol").has("version")).isFalse();
    }
  }

  private static Response query(String body) {
    Response r = gw.post(T + "hist/query", null, body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r;
  }

  private static String quote(String json) {
    return GatewayHarness.MAPPER.getNodeFactory().textNode(json).toString();
  }

  @Test
  void timeTravelByVersionAndTimestamp() {
    Response v1 = gw.post(T + "hist/query", null, "{\"version\": 1}");
    assertThat(v1.header("Delta-Table-Version")).isEqualTo("1");
    assertThat(days(v1)).containsExactlyInAnyOrder("2024-05-01", "2024-05-02", "2024-05-03");
    for (JsonNode l : files(v1)) {
      assertThat(l.get("file").get("version").asLong()).isEqualTo(1);
      assertThat(l.get("file").get("timestamp").asLong()).isEqualTo(at(1));
    }
    Response byTime =
        gw.post(
            T + "hist/query", null, "{\"timestamp\": \"" + Instant.ofEpochMilli(at(2) - 1) + "\"}");
    assertThat(byTime.header("Delta-Table-Version")).isEqualTo("1");
    assertError(
        gw.post(T + "hist/query", null, "{\"version\": 5}"), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"timestamp\": \"1999-01-01T00:00:00Z\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "plain/query", null, "{\"version\": 1}"), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "from2/query", null, "{\"version\": 1}"), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(
            T + "from2/query", null, "{\"timestamp\": \"" + Instant.ofEpochMilli(at(1)) + "\"}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertThat(gw.post(T + "from2/query", null, "{\"version\": 2}").status()).isEqualTo(200);
  }

  // ---- /query: startingVersion ----

  @Test
  void startingVersionReturnsDataChangesAndLaterMetadataInOrder() {
    Response r = gw.post(T + "hist/query", null, "{\"startingVersion\": 1}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.header("Delta-Table-Version")).isEqualTo("1");
    List<JsonNode> lines = r.lines();
    assertThat(lines.get(1).get("metaData").get("version").asLong()).isEqualTo(1);
    List<String> kinds = new ArrayList<>();
    for (JsonNode l : lines.subList(2, lines.size())) {
      String kind = l.fieldNames().next();
      JsonNode body = l.get(kind);
      kinds.add(kind + "@" + body.get("version").asLong());
      if (!kind.equals("metaData"))
        assertThat(body.get("timestamp").asLong()).isEqualTo(at(body.get("version").asInt()));
    }
    assertThat(kinds).containsExactly("add@1", "remove@2", "metaData@3", "add@3");
    Response bounded =
        gw.post(T + "hist/query", null, "{\"startingVersion\": 1, \"endingVersion\": 2}");
    assertThat(files(bounded)).hasSize(2);
  }

  @Test
  void startingVersionPaginationKeepsEveryLine() {
    List<String> all = new ArrayList<>();
    String token = null;
    do {
      Response page =
          gw.post(
              T + "hist/query",
              null,
              "{\"startingVersion\": 0, \"maxFiles\": 2"
                  + (token == null ? "" : ", \"pageToken\": \"" + token + "\"")
                  + "}");
      assertThat(page.status()).as(page.text()).isEqualTo(200);
      List<JsonNode> lines = page.lines();
      for (JsonNode l : lines.subList(2, lines.size() - 1))
        all.add(l.toString().replaceAll("\"(url|expirationTimestamp)\":[^,}]+", ""));
      JsonNode end = lines.get(lines.size() - 1).get("endStreamAction");
      token = end.has("nextPageToken") ? end.get("nextPageToken").asText() : null;
    } while (token != null);
    List<String> whole = new ArrayList<>();
    List<JsonNode> lines = gw.post(T + "hist/query", null, "{\"startingVersion\": 0}").lines();
    for (JsonNode l : lines.subList(2, lines.size()))
      whole.add(l.toString().replaceAll("\"(url|expirationTimestamp)\":[^,}]+", ""));
    assertThat(all).isEqualTo(whole);
  }

  @Test
  void startingVersionErrors() {
    assertError(
        gw.post(T + "hist/query", null, "{\"startingVersion\": 9}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"startingVersion\": 1, \"endingVersion\": 9}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "hist/query", null, "{\"startingVersion\": 3, \"endingVersion\": 2}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "from2/query", null, "{\"startingVersion\": 1}"),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.post(T + "plain/query", null, "{\"startingVersion\": 1}"),
        400,
        "INVALID_PARAMETER_VALUE");
  }

  // ---- /changes ----

  @Test
  void changesReturnCdcFilesOrAddsAndRemovesPerVersion() {
    Response r = gw.get(T + "hist/changes?startingVersion=0", null);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.header("Delta-Table-Version")).isEqualTo("0");
    List<JsonNode> lines = r.lines();
    assertThat(lines.get(1).get("metaData").get("version").asLong()).isEqualTo(4);
    List<String> kinds = new ArrayList<>();
    for (JsonNode l : lines.subList(2, lines.size())) {
      String kind = l.fieldNames().next();
      kinds.add(kind + "@" + l.get(kind).get("version").asLong());
    }
    assertThat(kinds).containsExactly("add@0", "add@0", "add@1", "cdf@2", "add@3");
    Response historical =
        gw.get(
            T + "hist/changes?startingVersion=0&endingVersion=3&includeHistoricalMetadata=True",
            null);
    List<JsonNode> hl = historical.lines();
    assertThat(hl.get(1).get("metaData").get("version").asLong()).isEqualTo(0);
    assertThat(
            hl.stream()
                .filter(l -> l.has("metaData"))
                .map(l -> l.get("metaData").get("version").asLong())
                .toList())
        .containsExactly(0L, 3L);
    Response byTime =
        gw.get(
            T
                + "hist/changes?startingTimestamp="
                + Instant.ofEpochMilli(at(1) - 1)
                + "&endingTimestamp="
                + Instant.ofEpochMilli(at(2) + 1),
            null);
    assertThat(byTime.header("Delta-Table-Version")).isEqualTo("1");
    assertThat(files(byTime)).hasSize(2);
    Response delta =
        gw.get(
            T + "hist/changes?startingVersion=2&endingVersion=2",
            null,
            Map.of("delta-sharing-capabilities", DELTA));
    JsonNode cdc = files(delta).get(0).get("file");
    assertThat(cdc.get("deltaSingleAction").has("cdc")).isTrue();
    assertThat(cdc.get("version").asLong()).isEqualTo(2);
    assertThat(cdc.get("timestamp").asLong()).isEqualTo(at(2));
  }

  @Test
  void changesPaginate() {
    Set<String> seen = new HashSet<>();
    String token = null;
    int pages = 0;
    do {
      Response page =
          gw.get(
              T
                  + "hist/changes?startingVersion=0&maxFiles=2"
                  + (token == null ? "" : "&pageToken=" + token),
              null);
      assertThat(page.status()).as(page.text()).isEqualTo(200);
      seen.addAll(ids(page));
      JsonNode end = page.lines().get(page.lines().size() - 1).get("endStreamAction");
      token = end.has("nextPageToken") ? end.get("nextPageToken").asText() : null;
      pages++;
    } while (token != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).isEqualTo(ids(gw.get(T + "hist/changes?startingVersion=0", null)));
  }

  @Test
  void changesErrors() {
    assertError(gw.get(T + "hist/changes", null), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/changes?startingVersion=0&startingTimestamp=2024-05-01T00:00:00Z", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(
            T
                + "hist/changes?startingVersion=0&endingVersion=1&endingTimestamp=2024-05-01T00:00:00Z",
            null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(gw.get(T + "hist/changes?startingVersion=x", null), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/changes?startingVersion=2&endingVersion=1", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(gw.get(T + "hist/changes?startingVersion=7", null), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/changes?startingVersion=0&endingVersion=7", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/changes?startingTimestamp=2024-05-01", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/changes?startingTimestamp=2099-05-01T00:00:00Z", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/changes?startingVersion=0&maxFiles=0", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "hist/changes?startingVersion=0&maxFiles=x", null),
        400,
        "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "plain/changes?startingVersion=0", null), 400, "INVALID_PARAMETER_VALUE");
    assertError(
        gw.get(T + "from2/changes?startingVersion=1", null), 400, "INVALID_PARAMETER_VALUE");
  }

  // ---- broken tables ----

  @Test
  void aBrokenLogIs500WithoutInternalDetail() {
    Response r = gw.post(T + "broken/query", null, "{\"version\": 2}");
    assertError(r, 500, "INTERNAL_ERROR");
    assertThat(r.text()).doesNotContain(dir.toString()).doesNotContain("Exception");
  }

  @Test
  void aLogThatPointsOutsideTheTableIsNeverServed() throws Exception {
    for (String evil :
        List.of(
            "../hist/day=2024-05-03/x.parquet",
            "%2E%2E/%2E%2E/etc/passwd",
            "file:///etc/passwd",
            "/etc/passwd")) {
      // Given: a table whose log names a file outside its root
      Path root = dir.resolve("escape-" + Math.abs(evil.hashCode()));
      DeltaTableWriter w =
          new DeltaTableWriter(
              root, List.of(new DeltaTableWriter.ColumnSpec("id", "long")), List.of());
      List<String> v0 = new ArrayList<>(w.createActions(Map.of(), 1, 2, null, null));
      v0.add(
          "{\"add\":{\"path\":\""
              + evil
              + "\",\"partitionValues\":{},\"size\":1,\"modificationTime\":0,\"dataChange\":true}}");
      w.commit(0, v0, Instant.now());
      try (GatewayHarness g =
          GatewayHarness.start(
              "version: 1\nhost: 127.0.0.1\nport: 0\nshares:\n  - name: s\n    schemas:\n"
                  + "      - name: h\n        tables:\n          - {name: e, location: \""
                  + root.toUri()
                  + "\"}\n",
              dir)) {
        // When
        Response r =
            g.post(
                T + "e/query",
                null,
                Map.of("delta-sharing-capabilities", "includeendstreamaction=true"),
                "{}");
        // Then
        // (found while opening the stream, before the status line: a plain error response)
        assertThat(r.text()).as(evil).doesNotContain("\"file\":");
        assertError(r, 500, "INTERNAL_ERROR");
      }
    }
  }

  @Test
  void asyncQueryStatusIsUnknown() {
    assertError(gw.post(T + "hist/queries/abc", null, "{}"), 404, "RESOURCE_DOES_NOT_EXIST");
  }

  @Test
  void aLocationWithoutATableIs404() {
    Response r = gw.post(T + "missing/query", null, "{}");
    assertError(r, 404, "RESOURCE_DOES_NOT_EXIST");
    assertThat(r.text()).doesNotContain(dir.toString());
  }
}
