package io.tablegate.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.EngineTables;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables written at test time by real engines, delta-rs ({@code deltalake}) and {@code pyiceberg}
 * ({@code testing/python/write_tables.py}), served by the gateway and read back as a recipient: the
 * rows equal what the writing engine itself reads, for the latest version and each earlier one.
 */
class EngineWrittenTablesTest {
  static final String T = "/shares/engines/schemas/w/tables/";
  static final String DELTA_CAPS =
      "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz";
  @TempDir static Path dir;
  static GatewayHarness gw;
  static JsonNode expected;

  @BeforeAll
  static void start() throws Exception {
    expected = EngineTables.write(dir.resolve("tables"));
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        """
                + EngineTables.sharesYaml(expected),
            dir);
  }

  @AfterAll
  static void stop() {
    if (gw != null) gw.close();
  }

  static List<String> read(String table, String caps, String body, String tag) throws Exception {
    Response r =
        gw.post(
            T + table + "/query",
            null,
            caps == null ? Map.of() : Map.of("delta-sharing-capabilities", caps),
            body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return KernelRows.readTable(Recipient.materialize(gw, r.lines(), dir.resolve("recv-" + tag)));
  }

  @Test
  void deltaRsPartitionedTableWithDeleteUpdateMergeAndCheckpointReadsAsDeltaRsReadsIt()
      throws Exception {
    JsonNode t = expected.get("delta_partitioned");
    // latest, in both response formats
    assertThat(read("delta_partitioned", null, "{}", "dp-parquet"))
        .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("latest")));
    assertThat(read("delta_partitioned", DELTA_CAPS, "{}", "dp-delta"))
        .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("latest")));
    // every version by time travel
    for (Iterator<String> it = t.get("versions").fieldNames(); it.hasNext(); ) {
      String v = it.next();
      assertThat(read("delta_partitioned", null, "{\"version\": " + v + "}", "dp-v" + v))
          .as("version " + v)
          .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("versions").get(v)));
    }
    // and the change data feed delta-rs wrote for DELETE, UPDATE and MERGE is served
    Response changes = gw.get(T + "delta_partitioned/changes?startingVersion=1", null);
    assertThat(changes.status()).as(changes.text()).isEqualTo(200);
    assertThat(changes.lines().stream().filter(l -> l.has("cdf")).count())
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  void deltaRsColumnMappedTableWithARenamedColumnReadsInBothFormats() throws Exception {
    JsonNode t = expected.get("delta_column_mapping");
    assertThat(read("delta_column_mapping", DELTA_CAPS, "{}", "cm"))
        .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("latest")));
    // parquet: every file rewritten by the gateway under the logical (renamed) column names
    assertThat(read("delta_column_mapping", null, "{}", "cm-parquet"))
        .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("latest")));
  }

  @Test
  void pyicebergMonthPartitionedTableWithDeletesAndSchemaEvolutionReadsAsPyicebergReadsIt()
      throws Exception {
    JsonNode t = expected.get("iceberg_orders");
    assertThat(read("iceberg_orders", DELTA_CAPS, "{}", "ice"))
        .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("latest")));
    for (Iterator<String> it = t.get("versions").fieldNames(); it.hasNext(); ) {
      String v = it.next();
      assertThat(read("iceberg_orders", DELTA_CAPS, "{\"version\": " + v + "}", "ice-v" + v))
          .as("snapshot with sequence number " + v)
          .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("versions").get(v)));
    }
  }
}
