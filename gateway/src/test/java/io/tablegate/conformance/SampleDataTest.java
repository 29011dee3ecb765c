package io.tablegate.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.ArrowRows;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET .../sample}: a table's first rows read by the gateway itself, deletion vectors, column
 * mapping and partition values applied, as an Arrow IPC stream (read back here with Arrow's own
 * reader) or as JSON, for every DAT table.
 */
class SampleDataTest {
  static final String TOKEN = "dat-token-0123456789";
  static final String OTHER = "other-token-0123456789";
  static GatewayHarness gw;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayHarness.start(
            "version: 1\nhost: 127.0.0.1\nport: 0\n"
                + "authorization: {tokens: [{id: dat, token: "
                + TOKEN
                + ", shares: [dat]}, {id: other, token: "
                + OTHER
                + ", shares: [other]}]}\n"
                + DatConformanceSuite.shareYaml(
                    c -> TestTables.dat().resolve(c).resolve("delta").toUri().toString(), "")
                + "  - name: other\n    schemas:\n      - name: s\n        tables:\n"
                + "          - {name: t, location: \""
                + TestTables.dat().resolve("basic_append").resolve("delta").toUri()
                + "\"}\n",
            work);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static java.util.stream.Stream<String> cases() throws Exception {
    return DatConformanceSuite.cases();
  }

  private static String path(String table) {
    return "/shares/dat/schemas/cases/tables/" + table;
  }

  private static String schemaString(String table) {
    Response metadata =
        gw.get(
            path(table) + "/metadata",
            TOKEN,
            Map.of("delta-sharing-capabilities", DatConformanceSuite.DELTA));
    assertThat(metadata.status()).as(metadata.text()).isEqualTo(200);
    JsonNode meta = metadata.lines().get(1).get("metaData");
    return meta.has("deltaMetadata")
        ? meta.get("deltaMetadata").get("schemaString").asText()
        : meta.get("schemaString").asText();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theArrowSampleHoldsTheTablesRowsWithDeletesAndColumnMappingApplied(String name)
      throws Exception {
    // Given
    String schemaString = schemaString(name);
    Response latest = gw.get(path(name) + "/version", TOKEN);
    // When
    Response sample = gw.get(path(name) + "/sample?limit=10000", TOKEN);
    // Then
    assertThat(sample.status()).as(sample.text()).isEqualTo(200);
    assertThat(sample.header("Content-Type")).isEqualTo("application/vnd.apache.arrow.stream");
    assertThat(sample.header("Delta-Table-Version"))
        .isEqualTo(latest.header("Delta-Table-Version"));
    ArrowRows.Read read = ArrowRows.read(sample.body());
    List<String> names = new ArrayList<>();
    for (JsonNode f : GatewayHarness.MAPPER.readTree(schemaString).get("fields"))
      names.add(f.get("name").asText());
    assertThat(read.schema().getFields()).extracting(Field::getName).isEqualTo(names);
    assertThat(read.schema().getCustomMetadata())
        .containsEntry("tablegate.version", latest.header("Delta-Table-Version"))
        .containsEntry("tablegate.truncated", "false");
    assertThat(read.rows())
        .containsExactlyInAnyOrderElementsOf(
            DatConformanceSuite.expected(name, "latest", schemaString));
  }

  @Test
  void aLimitStopsTheSampleAndTimeTravelReadsAnOlderVersion() throws Exception {
    String schemaString = schemaString("multi_partitioned");
    List<String> all = DatConformanceSuite.expected("multi_partitioned", "latest", schemaString);
    assertThat(all).hasSizeGreaterThan(1);
    Response one = gw.get(path("multi_partitioned") + "/sample?limit=1", TOKEN);
    assertThat(one.status()).as(one.text()).isEqualTo(200);
    assertThat(ArrowRows.read(one.body()).rows()).hasSize(1).isSubsetOf(all);
    for (String v : List.of("0", "1")) {
      Response old = gw.get(path("multi_partitioned") + "/sample?limit=100&version=" + v, TOKEN);
      assertThat(old.status()).as(old.text()).isEqualTo(200);
      assertThat(old.header("Delta-Table-Version")).isEqualTo(v);
      assertThat(ArrowRows.read(old.body()).rows())
          .containsExactlyInAnyOrderElementsOf(
              DatConformanceSuite.expected("multi_partitioned", "v" + v, schemaString));
    }
  }

  @Test
  void jsonRowsForClientsThatAskForJson() throws Exception {
    // Given: a table with a deletion vector
    String schemaString = schemaString("deletion_vectors");
    int expected = DatConformanceSuite.expected("deletion_vectors", "latest", schemaString).size();
    // When
    Response sample =
        gw.get(
            path("deletion_vectors") + "/sample?limit=100",
            TOKEN,
            Map.of("Accept", "application/json"));
    // Then
    assertThat(sample.status()).as(sample.text()).isEqualTo(200);
    assertThat(sample.header("Content-Type")).startsWith("application/json");
    JsonNode body = sample.json();
    assertThat(body.get("schemaString").asText()).isEqualTo(schemaString);
    assertThat(body.get("truncated").asBoolean()).isFalse();
    assertThat(body.get("rows")).hasSize(expected);
    List<String> names = new ArrayList<>();
    for (JsonNode f : GatewayHarness.MAPPER.readTree(schemaString).get("fields"))
      names.add(f.get("name").asText());
    for (JsonNode row : body.get("rows")) {
      List<String> keys = new ArrayList<>();
      row.fieldNames().forEachRemaining(keys::add);
      assertThat(keys).isEqualTo(names);
    }
    // every primitive type as JSON: dates and timestamps ISO-8601, decimals exact, binary base64
    Response primitives =
        gw.get(
            path("all_primitive_types") + "/sample?limit=1",
            TOKEN,
            Map.of("Accept", "application/json"));
    assertThat(primitives.status()).as(primitives.text()).isEqualTo(200);
    JsonNode row = primitives.json().get("rows").get(0);
    assertThat(row.get("date32").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
    assertThat(row.get("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
    assertThat(row.get("decimal").isNumber()).isTrue();
  }

  @Test
  void badParametersAndOtherRecipientsGetProtocolErrors() {
    for (String q : List.of("limit=0", "limit=10001", "limit=ten", "version=-1", "version=999")) {
      Response r = gw.get(path("basic_append") + "/sample?" + q, TOKEN);
      assertThat(r.status()).as(q + ": " + r.text()).isEqualTo(400);
      assertThat(r.json().get("errorCode").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    }
    Response anonymous = gw.get(path("basic_append") + "/sample", null);
    assertThat(anonymous.status()).isEqualTo(401);
    Response other = gw.get(path("basic_append") + "/sample", OTHER);
    assertThat(other.status()).as(other.text()).isIn(403, 404);
    assertThat(other.json().get("errorCode").asText()).isNotBlank();
    Response ok = gw.get("/shares/other/schemas/s/tables/t/sample", OTHER);
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
  }
}
