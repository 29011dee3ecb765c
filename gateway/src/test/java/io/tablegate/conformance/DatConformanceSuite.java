package io.tablegate.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import io.tablegate.testing.TestTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Delta Acceptance Tests (DAT 0.0.3, 19 tables written by Spark): every table is shared and
 * read back as a recipient does (metadata, query, download each file from its URL, apply partition
 * values, column mapping and deletion vectors), and the rows must equal {@code expected/}. The
 * delta format must serve every table; the parquet format must serve every table that needs no
 * reader feature, and refuse the others with UNSUPPORTED_OPERATION.
 */
abstract class DatConformanceSuite {
  static final String DELTA =
      "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz";

  /** The gateway under test; subclasses start it in {@code @BeforeAll}. */
  abstract GatewayHarness gw();

  /** A scratch directory for received tables. */
  abstract Path work();

  /** The DAT corpus uploaded to a fresh s3proxy, shared with the given {@code fileAccess} mode. */
  record OnS3(io.tablegate.testing.S3Harness s3, GatewayHarness gw) implements AutoCloseable {
    static OnS3 start(Path work, String fileAccess) throws Exception {
      var s3 = new io.tablegate.testing.S3Harness(work.resolve("s3"));
      s3.createBucket("dat");
      for (String c : cases().toList())
        s3.upload(TestTables.dat().resolve(c).resolve("delta"), "dat", "cases/" + c);
      GatewayHarness gw =
          GatewayHarness.start(
              "version: 1\nhost: 127.0.0.1\nport: 0\nstores:\n"
                  + s3.storeYaml("s3proxy")
                  + shareYaml(c -> "s3://dat/cases/" + c, ", fileAccess: " + fileAccess),
              work);
      return new OnS3(s3, gw);
    }

    @Override
    public void close() throws Exception {
      gw.close();
      s3.close();
    }
  }

  /** YAML of share {@code dat}, schema {@code cases}, one history-shared table per DAT case. */
  static String shareYaml(java.util.function.Function<String, String> location, String tableExtras)
      throws Exception {
    StringBuilder yaml =
        new StringBuilder(
            "shares:\n  - name: dat\n    schemas:\n      - name: cases\n        tables:\n");
    for (String c : cases().toList()) {
      yaml.append("          - {name: ")
          .append(c)
          .append(", location: \"")
          .append(location.apply(c))
          .append("\", historyShared: true")
          .append(tableExtras)
          .append("}\n");
    }
    return yaml.toString();
  }

  static Stream<String> cases() throws Exception {
    try (Stream<Path> s = Files.list(TestTables.dat())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void deltaFormatReturnsTheExpectedRows(String name) throws Exception {
    // Given
    String table = "/shares/dat/schemas/cases/tables/" + name;
    Response metadata =
        gw().get(table + "/metadata", null, Map.of("delta-sharing-capabilities", DELTA));
    assertThat(metadata.status()).as(metadata.text()).isEqualTo(200);
    assertThat(metadata.lines()).hasSize(2);
    String schemaString =
        metadata.lines().get(1).get("metaData").get("deltaMetadata").get("schemaString").asText();
    // When
    Response query =
        gw().post(table + "/query", null, Map.of("delta-sharing-capabilities", DELTA), "{}");
    // Then
    assertThat(query.status()).as(query.text()).isEqualTo(200);
    assertThat(query.header("delta-sharing-capabilities")).isEqualTo("responseformat=delta");
    assertThat(query.header("Delta-Table-Version"))
        .isEqualTo(metadata.header("Delta-Table-Version"));
    Path received = Recipient.materialize(gw(), query.lines(), work().resolve(name + "-delta"));
    assertSameRows(KernelRows.readTable(received), expected(name, "latest", schemaString));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void parquetFormatServesPlainTablesAndRefusesFeatureTables(String name) throws Exception {
    // Given
    String table = "/shares/dat/schemas/cases/tables/" + name;
    List<JsonNode> deltaMeta =
        gw().get(table + "/metadata", null, Map.of("delta-sharing-capabilities", DELTA)).lines();
    JsonNode protocol = deltaMeta.get(0).get("protocol").get("deltaProtocol");
    JsonNode configuration =
        deltaMeta.get(1).get("metaData").get("deltaMetadata").get("configuration");
    // deletion vectors alone do not: those files are served rewritten without their deleted rows
    List<String> features =
        protocol.has("readerFeatures")
            ? featuresIgnoringDisabledDvs(protocol, configuration)
            : List.of();
    // and column mapping of top-level columns neither: files are rewritten under logical names
    boolean mapped = !configuration.path("delta.columnMapping.mode").asText("none").equals("none");
    String schemaJson =
        deltaMeta.get(1).get("metaData").get("deltaMetadata").get("schemaString").asText();
    boolean nested = schemaJson.indexOf("\"struct\"") != schemaJson.lastIndexOf("\"struct\"");
    boolean needsFeatures =
        (mapped && nested)
            || features.stream()
                .anyMatch(f -> !f.equals("deletionVectors") && !f.equals("columnMapping"));
    boolean rewritten = features.contains("deletionVectors") || mapped;
    // When
    Response query = gw().post(table + "/query", null, "{}");
    // Then
    if (needsFeatures) {
      assertThat(query.status()).as(query.text()).isEqualTo(400);
      assertThat(query.json().get("errorCode").asText()).isEqualTo("UNSUPPORTED_OPERATION");
      return;
    }
    assertThat(query.status()).as(query.text()).isEqualTo(200);
    assertThat(query.header("delta-sharing-capabilities")).isEqualTo("responseformat=parquet");
    List<JsonNode> lines = query.lines();
    assertThat(lines.get(0).get("protocol").get("minReaderVersion").asInt()).isEqualTo(1);
    for (JsonNode l : lines.subList(2, lines.size())) {
      assertThat(l.get("file").get("id").asText()).matches("[0-9a-f]{32}");
      assertThat(l.get("file").has("deletionVector")).isFalse();
    }
    if (rewritten) assertRewrittenFiles(table, lines);
    String schemaString = lines.get(1).get("metaData").get("schemaString").asText();
    Path received = Recipient.materialize(gw(), lines, work().resolve(name + "-parquet"));
    assertSameRows(KernelRows.readTable(received), expected(name, "latest", schemaString));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void timeTravelReturnsTheExpectedRowsOfEveryRecordedVersion(String name) throws Exception {
    Path expectedDir = TestTables.dat().resolve(name).resolve("expected");
    List<String> versions;
    try (Stream<Path> s = Files.list(expectedDir)) {
      versions =
          s.map(p -> p.getFileName().toString()).filter(v -> v.matches("v\\d+")).sorted().toList();
    }
    for (String v : versions) {
      long version = Long.parseLong(v.substring(1));
      String table = "/shares/dat/schemas/cases/tables/" + name;
      Response query =
          gw().post(
                  table + "/query",
                  null,
                  Map.of("delta-sharing-capabilities", DELTA),
                  "{\"version\": " + version + "}");
      assertThat(query.status()).as(query.text()).isEqualTo(200);
      assertThat(query.header("Delta-Table-Version")).isEqualTo(Long.toString(version));
      List<JsonNode> lines = query.lines();
      for (JsonNode l : lines.subList(2, lines.size())) {
        assertThat(l.get("file").get("version").asLong()).isEqualTo(version);
        assertThat(l.get("file").has("timestamp")).isTrue();
      }
      String schemaString =
          lines.get(1).get("metaData").get("deltaMetadata").get("schemaString").asText();
      Path received = Recipient.materialize(gw(), lines, work().resolve(name + "-" + v));
      assertSameRows(KernelRows.readTable(received), expected(name, v, schemaString));
    }
  }

  /**
   * Files rewritten without their deleted rows come from the gateway: their size is exact, Range
   * reads work, and their stats count the rows they hold.
   */
  private void assertRewrittenFiles(String table, List<JsonNode> lines) throws Exception {
    // as many gateway-served files as the delta format shows files with a deletion vector, at least
    long withDv =
        gw()
            .post(table + "/query", null, Map.of("delta-sharing-capabilities", DELTA), "{}")
            .lines()
            .stream()
            .filter(
                l ->
                    l.has("file")
                        && l.get("file").get("deltaSingleAction").get("add").has("deletionVector"))
            .count();
    long served = 0;
    for (JsonNode l : lines.subList(2, lines.size())) {
      JsonNode file = l.get("file");
      String url = file.get("url").asText();
      if (!url.contains("/files/")) continue;
      Response whole = gw().send(io.vertx.core.http.HttpMethod.GET, url, null, Map.of(), null);
      assertThat(whole.status()).isEqualTo(200);
      assertThat((long) whole.body().length).isEqualTo(file.get("size").asLong());
      Response tail =
          gw().send(
                  io.vertx.core.http.HttpMethod.GET,
                  url,
                  null,
                  Map.of("Range", "bytes=4-11"),
                  null);
      assertThat(tail.status()).isEqualTo(206);
      assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(whole.body(), 4, 12));
      JsonNode stats = GatewayHarness.MAPPER.readTree(file.get("stats").asText());
      Path local = Files.createTempFile(work(), "rewritten", ".parquet");
      Files.write(local, whole.body());
      assertThat(stats.get("numRecords").asLong()).isEqualTo(KernelRows.countParquetRows(local));
      served++;
    }
    assertThat(served).as("files served by the gateway").isGreaterThanOrEqualTo(withDv);
  }

  private static List<String> featuresIgnoringDisabledDvs(
      JsonNode protocol, JsonNode configuration) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : protocol.get("readerFeatures")) {
      String feature = f.asText();
      if (feature.equals("deletionVectors")
          && !configuration.path("delta.enableDeletionVectors").asText("false").equals("true"))
        continue;
      if (feature.equals("columnMapping")
          && configuration.path("delta.columnMapping.mode").asText("none").equals("none")) continue;
      if (feature.equals("v2Checkpoint") || feature.equals("vacuumProtocolCheck")) continue;
      out.add(feature);
    }
    return out;
  }

  static List<String> expected(String name, String version, String schemaString) throws Exception {
    return KernelRows.readParquetDir(
        TestTables.dat()
            .resolve(name)
            .resolve("expected")
            .resolve(version)
            .resolve("table_content"),
        KernelRows.schema(schemaString));
  }

  private static void assertSameRows(List<String> actual, List<String> expected) {
    assertThat(expected).isNotEmpty();
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
  }
}
