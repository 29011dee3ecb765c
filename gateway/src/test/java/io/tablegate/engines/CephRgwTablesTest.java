package io.tablegate.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.CephRgw;
import io.tablegate.testing.EngineTables;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Python;
import io.tablegate.testing.Recipient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real on-prem store: Ceph RGW (Debian's Ceph 16, one host) with tables written into it by
 * delta-rs and pyiceberg, served with presigned URLs (downloaded without credentials, with Range)
 * and through the gateway; the rows equal what each engine reads back.
 */
class CephRgwTablesTest {
  static final String DELTA_CAPS =
      "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz";
  @TempDir static Path dir;
  static CephRgw rgw;
  static GatewayHarness gw;
  static JsonNode expected;

  @BeforeAll
  static void start() throws Exception {
    rgw = CephRgw.shared();
    rgw.client.createBucket(b -> b.bucket("engines"));
    expected =
        EngineTables.writeToS3(
            dir.resolve("expected"), rgw.endpoint, "engines", rgw.accessKey, rgw.secretKey);
    gw =
        GatewayHarness.start(
            "version: 1\nhost: 127.0.0.1\nport: 0\nstores:\n"
                + rgw.storeYaml("ceph")
                + EngineTables.s3SharesYaml(expected),
            dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
  }

  static Response query(String table, String body) {
    Response r =
        gw.post(
            "/shares/engines/schemas/w/tables/" + table + "/query",
            null,
            Map.of("delta-sharing-capabilities", DELTA_CAPS),
            body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r;
  }

  @Test
  void tablesInCephRgwReadAsTheirWritersReadThem() throws Exception {
    for (String table : List.of("delta_presigned", "delta_proxy")) {
      assertThat(
              KernelRows.readTable(
                  Recipient.materialize(
                      gw, query(table, "{}").lines(), dir.resolve("recv-" + table))))
          .as(table)
          .containsExactlyInAnyOrderElementsOf(
              EngineTables.rows(expected.get("delta_partitioned").get("latest")));
    }
    for (String table : List.of("iceberg_presigned", "iceberg_proxy")) {
      assertThat(
              KernelRows.readTable(
                  Recipient.materialize(
                      gw, query(table, "{}").lines(), dir.resolve("recv-" + table))))
          .as(table)
          .containsExactlyInAnyOrderElementsOf(
              EngineTables.rows(expected.get("iceberg_orders").get("latest")));
    }
  }

  @Test
  void theDeltaSharingPythonConnectorReadsTheRgwTables() throws Exception {
    Python.recipientSuite(
        "test_store.py",
        gw.endpoint(),
        dir.resolve("rgw.share"),
        "TABLEGATE_STORE_PROFILE",
        dir.resolve("expected/expected.json"));
  }

  @Test
  void presignedRgwUrlsServeRangesWithoutCredentials() {
    Response r = query("delta_presigned", "{}");
    String url =
        r.lines().stream()
            .filter(l -> l.has("file"))
            .findFirst()
            .orElseThrow()
            .get("file")
            .get("deltaSingleAction")
            .get("add")
            .get("path")
            .asText();
    assertThat(url)
        .startsWith(rgw.endpoint + "/engines/delta_partitioned/")
        .contains("X-Amz-Signature=");
    Response whole = gw.fetch(url, Map.of());
    assertThat(whole.status()).isEqualTo(200);
    Response tail = gw.fetch(url, Map.of("Range", "bytes=-4"));
    assertThat(tail.status()).isEqualTo(206);
    assertThat(new String(tail.body(), java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("PAR1");
    String tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0");
    assertThat(gw.fetch(tampered, Map.of()).status()).isEqualTo(403);
  }
}
