package io.tablegate.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.EngineTables;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import io.tablegate.testing.S3Harness;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables written straight into an S3 server (s3proxy, which checks SigV4) by the engines' own S3
 * clients: delta-rs (its object store) and pyiceberg (pyarrow's S3 file system). Served with
 * presigned URLs and through the gateway; the rows equal what each engine reads back. (The Iceberg
 * table is shared by its metadata file, as a catalog names it: its manifests and data lie beside
 * that file's directory.)
 */
class EngineWrittenS3TablesTest {
  static final String DELTA_CAPS =
      "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz";
  @TempDir static Path dir;
  static S3Harness s3;
  static GatewayHarness gw;
  static JsonNode expected;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Harness(dir.resolve("s3"));
    s3.createBucket("engines");
    expected =
        EngineTables.writeToS3(
            dir.resolve("expected"),
            s3.endpoint(),
            "engines",
            S3Harness.ACCESS_KEY,
            S3Harness.SECRET_KEY);
    gw =
        GatewayHarness.start(
            "version: 1\nhost: 127.0.0.1\nport: 0\nstores:\n"
                + s3.storeYaml("s3proxy")
                + EngineTables.s3SharesYaml(expected),
            dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (s3 != null) s3.close();
  }

  static List<String> read(String table, String body, String tag) throws Exception {
    Response r =
        gw.post(
            "/shares/engines/schemas/w/tables/" + table + "/query",
            null,
            Map.of("delta-sharing-capabilities", DELTA_CAPS),
            body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return KernelRows.readTable(Recipient.materialize(gw, r.lines(), dir.resolve("recv-" + tag)));
  }

  @Test
  void deltaRsTablesInS3ReadAsDeltaRsReadsThem() throws Exception {
    JsonNode t = expected.get("delta_partitioned");
    for (String table : List.of("delta_presigned", "delta_proxy")) {
      assertThat(read(table, "{}", table))
          .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("latest")));
      for (Iterator<String> it = t.get("versions").fieldNames(); it.hasNext(); ) {
        String v = it.next();
        assertThat(read(table, "{\"version\": " + v + "}", table + v))
            .as(table + " version " + v)
            .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("versions").get(v)));
      }
    }
  }

  @Test
  void pyicebergTablesInS3ReadAsPyicebergReadsThem() throws Exception {
    JsonNode t = expected.get("iceberg_orders");
    for (String table : List.of("iceberg_presigned", "iceberg_proxy")) {
      assertThat(read(table, "{}", table))
          .containsExactlyInAnyOrderElementsOf(EngineTables.rows(t.get("latest")));
    }
  }
}
