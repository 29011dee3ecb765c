package io.tablegate.http;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.fixtures.DeltaTableWriter.ColumnSpec;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.MutableClock;
import io.tablegate.testing.Recipient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's own signed file URLs and deletion-vector tables, with a controllable clock. */
class FileUrlTest {
  static final String T = "/shares/s/schemas/d/tables/";
  static final String DV = "responseformat=delta;readerfeatures=deletionvectors";
  @TempDir static Path dir;
  static GatewayHarness gw;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @BeforeAll
  static void start() {
    DeltaTableWriter w =
        new DeltaTableWriter(
            dir.resolve("dv"),
            List.of(new ColumnSpec("id", "long"), new ColumnSpec("v", "string")),
            List.of());
    List<Object[]> rows = new ArrayList<>();
    for (long i = 0; i < 10; i++) rows.add(new Object[] {i, "v" + i});
    var file = w.writeFile(rows);
    List<String> v0 =
        new ArrayList<>(
            w.createActions(
                Map.of("delta.enableDeletionVectors", "true"),
                3,
                7,
                List.of("deletionVectors"),
                List.of("deletionVectors")));
    v0.add(DeltaTableWriter.add(file, 0, w.writeDeletionVector(2, 4, 6, 8)));
    w.commit(0, v0, Instant.parse("2025-01-01T00:00:00Z"));
    gw =
        GatewayHarness.start(
            io.tablegate.config.ConfigLoader.parse(
                    """
        version: 1
        host: 127.0.0.1
        port: 0
        preSignedUrlTimeoutSeconds: 900
        rewrites: {directory: rewrites}
        shares:
          - name: s
            schemas:
              - name: d
                tables:
                  - {name: dv, location: dv}
        """,
                    dir)
                .config(),
            clock);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static JsonNode add() {
    Response r = gw.post(T + "dv/query", null, Map.of("delta-sharing-capabilities", DV), "{}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.lines().get(2).get("file").get("deltaSingleAction").get("add");
  }

  @Test
  void deletionVectorsAreServedInDeltaFormatAsSignedAbsoluteUrls() throws Exception {
    Response r = gw.post(T + "dv/query", null, Map.of("delta-sharing-capabilities", DV), "{}");
    JsonNode dv =
        r.lines().get(2).get("file").get("deltaSingleAction").get("add").get("deletionVector");
    assertThat(dv.get("storageType").asText()).isEqualTo("p");
    assertThat(dv.get("pathOrInlineDv").asText()).startsWith(gw.endpoint() + "/files/");
    assertThat(dv.get("cardinality").asLong()).isEqualTo(4);
    assertThat(dv.get("offset").asInt()).isEqualTo(1);
    Path received = Recipient.materialize(gw, r.lines(), dir.resolve("received"));
    assertThat(KernelRows.readTable(received)).hasSize(6).noneMatch(row -> row.startsWith("id=2|"));
  }

  @Test
  void deletionVectorTablesAreServedRewrittenInParquetFormat() throws Exception {
    // When: a reader of the parquet format only
    Response meta = gw.get(T + "dv/metadata", null);
    Response r = gw.post(T + "dv/query", null, "{}");
    // Then: the file comes rewritten by the gateway, without the deleted rows
    assertThat(meta.status()).as(meta.text()).isEqualTo(200);
    assertThat(meta.header("delta-sharing-capabilities")).isEqualTo("responseformat=parquet");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode file = r.lines().get(2).get("file");
    assertThat(file.has("deletionVector")).isFalse();
    assertThat(file.get("url").asText()).startsWith(gw.endpoint() + "/files/");
    assertThat(
            GatewayHarness.MAPPER.readTree(file.get("stats").asText()).get("numRecords").asLong())
        .isEqualTo(6);
    Path received = Recipient.materialize(gw, r.lines(), dir.resolve("received-parquet"));
    assertThat(KernelRows.readTable(received))
        .hasSize(6)
        .noneMatch(row -> row.matches("id=[2468]\\|.*"));
    // rewritten once, into the configured directory; another query (not a replay of the response
    // cache: it has a limit hint) reuses it
    assertThat(gw.post(T + "dv/query", null, "{\"limitHint\": 100}").status()).isEqualTo(200);
    assertThat(java.nio.file.Files.exists(dir.resolve("rewrites"))).isTrue();
    String metrics = gw.management("/metrics").text();
    assertThat(metrics)
        .contains("tablegate_rewrites_total{result=\"rewrite\"} 1.0")
        .contains("tablegate_rewrites_total{result=\"hit\"} 1.0");
  }

  @Test
  void withRewritesOffDeletionVectorTablesAreRefusedInParquetFormat() throws Exception {
    try (GatewayHarness off =
        GatewayHarness.start(
            io.tablegate.config.ConfigLoader.parse(
                    """
        version: 1
        host: 127.0.0.1
        port: 0
        rewrites: {enabled: false}
        shares:
          - name: s
            schemas:
              - name: d
                tables:
                  - {name: dv, location: dv}
        """,
                    dir)
                .config(),
            clock)) {
      assertError(off.post(T + "dv/query", null, "{}"), 400, "UNSUPPORTED_OPERATION");
      assertError(off.get(T + "dv/metadata", null), 400, "UNSUPPORTED_OPERATION");
    }
  }

  @Test
  void deletionVectorTablesAreRefusedToDeltaReadersWithoutTheFeature() {
    assertError(
        gw.post(
            T + "dv/query",
            null,
            Map.of("delta-sharing-capabilities", "responseformat=delta"),
            "{}"),
        400,
        "UNSUPPORTED_OPERATION");
    assertThat(
            gw.get(
                    T + "dv/metadata",
                    null,
                    Map.of(
                        "delta-sharing-capabilities",
                        "responseformat=parquet,delta;readerfeatures=deletionVectors"))
                .header("delta-sharing-capabilities"))
        .isEqualTo("responseformat=delta");
  }

  @Test
  void limitHintCountsRowsLeftAfterDeletionVectors() {
    Response r =
        gw.post(
            T + "dv/query", null, Map.of("delta-sharing-capabilities", DV), "{\"limitHint\": 6}");
    assertThat(r.lines()).hasSize(3);
  }

  @Test
  void rangeRequestsReturnPartialContent() {
    String url = add().get("path").asText();
    byte[] whole = gw.fetch(url, Map.of()).body();
    Response first = gw.fetch(url, Map.of("Range", "bytes=0-9"));
    assertThat(first.status()).isEqualTo(206);
    assertThat(first.header("Content-Range")).isEqualTo("bytes 0-9/" + whole.length);
    assertThat(first.body()).containsExactly(java.util.Arrays.copyOfRange(whole, 0, 10));
    Response tail = gw.fetch(url, Map.of("Range", "bytes=-4"));
    assertThat(tail.body())
        .containsExactly(java.util.Arrays.copyOfRange(whole, whole.length - 4, whole.length));
    assertThat(new String(tail.body())).isEqualTo("PAR1");
    Response open = gw.fetch(url, Map.of("Range", "bytes=" + (whole.length - 8) + "-"));
    assertThat(open.body()).hasSize(8);
    assertThat(gw.fetch(url, Map.of("Range", "bytes=" + whole.length + "-")).status())
        .isEqualTo(416);
  }

  @Test
  void editedOrExpiredUrlsAreForbidden() {
    String url = add().get("path").asText();
    String token = url.substring(url.indexOf("/files/") + 7);
    String base = url.substring(0, url.indexOf("/files/") + 7);
    char c = token.charAt(token.length() / 2);
    String edited =
        base
            + token.substring(0, token.length() / 2)
            + (c == 'A' ? 'B' : 'A')
            + token.substring(token.length() / 2 + 1);
    assertError(gw.fetch(edited, Map.of()), 403, "PERMISSION_DENIED");
    assertError(
        gw.fetch(base + token.substring(0, token.length() - 6), Map.of()),
        403,
        "PERMISSION_DENIED");
    assertThat(gw.fetch(url, Map.of()).status()).isEqualTo(200);
    Response q = gw.post(T + "dv/query", null, Map.of("delta-sharing-capabilities", DV), "{}");
    assertThat(q.lines().get(2).get("file").get("expirationTimestamp").asLong())
        .isEqualTo(clock.millis() + Duration.ofSeconds(900).toMillis());
    clock.advance(Duration.ofSeconds(901));
    try {
      Response expired = gw.fetch(url, Map.of());
      assertError(expired, 403, "PERMISSION_DENIED");
      assertThat(expired.json().get("message").asText()).contains("expired");
      assertError(gw.fetch(url + "?expires=99999999999999", Map.of()), 403, "PERMISSION_DENIED");
    } finally {
      clock.advance(Duration.ofSeconds(-901));
    }
  }
}
