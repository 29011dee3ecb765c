package io.tablegate.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.EngineTables;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Python;
import io.tablegate.testing.Recipient;
import io.tablegate.testing.SparkFixture;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables written by Apache Spark (Delta Lake 3.3 and Iceberg 1.10 on Spark 3.5, {@code
 * testing/spark}): checkpoints, DELETE/UPDATE/MERGE with change data feed, deletion vectors, column
 * mapping with a renamed column, and an Iceberg v2 table with position deletes and schema
 * evolution. Served by the gateway and read back as a recipient (Delta Kernel on the materialized
 * response, and the Python connector), the rows equal what Spark itself reads, for the latest
 * version and every earlier one.
 */
class SparkWrittenTablesTest {
  static final String T = "/shares/spark/schemas/w/tables/";
  static final String DELTA_CAPS =
      "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz";
  @TempDir static Path dir;
  static GatewayHarness gw;
  static JsonNode expected;

  @BeforeAll
  static void start() throws Exception {
    Path tables = dir.resolve("tables");
    expected = SparkFixture.write(tables);
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        shares:
          - name: spark
            schemas:
              - name: w
                tables:
                  - {name: spark_partitioned, location: tables/spark_partitioned, historyShared: true}
                  - {name: spark_deletion_vectors, location: tables/spark_deletion_vectors, historyShared: true}
                  - {name: spark_column_mapping, location: tables/spark_column_mapping}
                  - {name: spark_iceberg, location: "%s", format: iceberg, historyShared: true}
        """
                .formatted(expected.get("spark_iceberg").get("metadataLocation").asText()),
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

  static void everyVersion(String table, String caps) throws Exception {
    JsonNode versions = expected.get(table).get("versions");
    for (Iterator<String> it = versions.fieldNames(); it.hasNext(); ) {
      String v = it.next();
      assertThat(read(table, caps, "{\"version\": " + v + "}", table + "-v" + v))
          .as(table + " version " + v)
          .containsExactlyInAnyOrderElementsOf(EngineTables.rows(versions.get(v)));
    }
  }

  @Test
  void sparkPartitionedTableWithCheckpointsAndDmlReadsAsSparkReadsIt() throws Exception {
    List<String> latest = EngineTables.rows(expected.get("spark_partitioned").get("latest"));
    assertThat(read("spark_partitioned", null, "{}", "p-parquet"))
        .containsExactlyInAnyOrderElementsOf(latest);
    assertThat(read("spark_partitioned", DELTA_CAPS, "{}", "p-delta"))
        .containsExactlyInAnyOrderElementsOf(latest);
    everyVersion("spark_partitioned", null);
    Response changes = gw.get(T + "spark_partitioned/changes?startingVersion=1", null);
    assertThat(changes.status()).as(changes.text()).isEqualTo(200);
    assertThat(changes.lines().stream().filter(l -> l.has("cdf")).count())
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  void sparkDeletionVectorsAreServedInTheDeltaFormatAndRewrittenInParquet() throws Exception {
    assertThat(read("spark_deletion_vectors", DELTA_CAPS, "{}", "dv"))
        .containsExactlyInAnyOrderElementsOf(
            EngineTables.rows(expected.get("spark_deletion_vectors").get("latest")));
    everyVersion("spark_deletion_vectors", DELTA_CAPS);
    // a parquet-only reader: the files with deletion vectors come rewritten without those rows
    assertThat(read("spark_deletion_vectors", null, "{}", "dv-parquet"))
        .containsExactlyInAnyOrderElementsOf(
            EngineTables.rows(expected.get("spark_deletion_vectors").get("latest")));
    everyVersion("spark_deletion_vectors", null);
  }

  @Test
  void sparkColumnMappingWithARenamedColumnReadsUnderTheNewName() throws Exception {
    assertThat(read("spark_column_mapping", DELTA_CAPS, "{}", "cm"))
        .containsExactlyInAnyOrderElementsOf(
            EngineTables.rows(expected.get("spark_column_mapping").get("latest")));
    // a parquet-only reader: every file rewritten under the logical (renamed) column names
    assertThat(read("spark_column_mapping", null, "{}", "cm-parquet"))
        .containsExactlyInAnyOrderElementsOf(
            EngineTables.rows(expected.get("spark_column_mapping").get("latest")));
  }

  @Test
  void sparkIcebergTableWithPositionDeletesAndSchemaEvolutionReadsAsSparkReadsIt()
      throws Exception {
    assertThat(expected.get("spark_iceberg").get("deleteFiles").asLong()).isPositive();
    assertThat(read("spark_iceberg", DELTA_CAPS, "{}", "ice"))
        .containsExactlyInAnyOrderElementsOf(
            EngineTables.rows(expected.get("spark_iceberg").get("latest")));
    everyVersion("spark_iceberg", DELTA_CAPS);
  }

  @Test
  void theDeltaSharingPythonConnectorReadsTheSparkTables() throws Exception {
    Python.recipientSuite(
        "test_spark.py",
        gw.endpoint(),
        dir.resolve("spark.share"),
        "TABLEGATE_SPARK_PROFILE",
        dir.resolve("tables/expected.json"));
  }
}
