package io.tablegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import io.tablegate.testing.S3Harness;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rewritten files kept under a bucket prefix (rewrites.location): two instances behind one public
 * endpoint; what one rewrote, the other serves and reuses without rewriting.
 */
class RewritesInAStoreTest {
  static final String KEY = "rewrites-in-a-store-signing-key-0123456789";
  static final String TABLE = "/shares/dat/schemas/cases/tables/dv";
  @TempDir static Path dir;
  static S3Harness s3;
  static GatewayHarness a;
  static GatewayHarness b;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Harness(dir.resolve("s3"));
    s3.createBucket("dat");
    s3.createBucket("cache");
    s3.upload(TestTables.dat().resolve("deletion_vectors").resolve("delta"), "dat", "dv");
    int portA;
    try (var s = new java.net.ServerSocket(0)) {
      portA = s.getLocalPort();
    }
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: %d
        publicEndpoint: http://127.0.0.1:%d/delta-sharing
        signingKey: %s
        management: {host: 127.0.0.1, port: 0}
        rewrites: {directory: %s, location: "s3://cache/rewritten", store: s3proxy}
        stores:
        %s
        shares:
          - name: dat
            schemas:
              - name: cases
                tables:
                  - {name: dv, location: "s3://dat/dv", fileAccess: presigned}
        """;
    a =
        GatewayHarness.start(
            yaml.formatted(portA, portA, KEY, "work-a", s3.storeYaml("s3proxy")), dir);
    b = GatewayHarness.start(yaml.formatted(0, portA, KEY, "work-b", s3.storeYaml("s3proxy")), dir);
  }

  @AfterAll
  static void stop() throws Exception {
    a.close();
    b.close();
    s3.close();
  }

  static String counter(GatewayHarness g, String result) {
    return g.management("/metrics")
        .text()
        .lines()
        .filter(l -> l.startsWith("tablegate_rewrites_total{result=\"" + result + "\"}"))
        .findFirst()
        .orElse("");
  }

  @Test
  void oneInstanceRewritesAndAnotherServesAndReusesTheFile() throws Exception {
    // When: A lists the table for a parquet reader
    Response q = a.post(TABLE + "/query", null, "{}");
    // Then: the file with a deletion vector comes rewritten, kept in the bucket, not on A's disk
    assertThat(q.status()).as(q.text()).isEqualTo(200);
    JsonNode rewritten = null;
    for (JsonNode l : q.lines())
      if (l.has("file") && l.get("file").get("url").asText().contains("/files/"))
        rewritten = l.get("file");
    assertThat(rewritten).as("a rewritten file").isNotNull();
    assertThat(counter(a, "rewrite")).endsWith(" 1.0");
    try (Stream<Path> local = Files.list(dir.resolve("work-a"))) {
      assertThat(local.filter(p -> p.toString().endsWith(".parquet")).toList()).isEmpty();
    }
    // its URL works through B (which never made it), Range included
    String url = rewritten.get("url").asText();
    String viaB = url.replace("127.0.0.1:" + a.gateway.port(), "127.0.0.1:" + b.gateway.port());
    assertThat(viaB).isNotEqualTo(url);
    Response bytes = b.send(HttpMethod.GET, viaB, null, Map.of(), null);
    assertThat(bytes.status()).isEqualTo(200);
    assertThat((long) bytes.body().length).isEqualTo(rewritten.get("size").asLong());
    Response range = b.send(HttpMethod.GET, viaB, null, Map.of("Range", "bytes=0-3"), null);
    assertThat(range.status()).isEqualTo(206);
    assertThat(new String(range.body(), java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("PAR1");
    // and B's own listing reuses it
    Response fromB =
        b.send(
            HttpMethod.POST,
            "http://127.0.0.1:" + b.gateway.port() + "/delta-sharing" + TABLE + "/query",
            null,
            Map.of(),
            "{}");
    assertThat(fromB.status()).as(fromB.text()).isEqualTo(200);
    assertThat(counter(b, "hit")).endsWith(" 1.0");
    assertThat(counter(b, "rewrite")).endsWith(" 0.0");
    // the rows a parquet reader gets are DAT's expected rows
    List<JsonNode> lines = q.lines();
    assertThat(KernelRows.readTable(Recipient.materialize(a, lines, dir.resolve("received"))))
        .containsExactlyInAnyOrderElementsOf(
            KernelRows.readParquetDir(
                TestTables.dat().resolve("deletion_vectors/expected/latest/table_content"),
                KernelRows.schema(lines.get(1).get("metaData").get("schemaString").asText())));
  }
}
