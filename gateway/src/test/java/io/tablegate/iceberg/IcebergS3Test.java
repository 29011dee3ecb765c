package io.tablegate.iceberg;

import static io.tablegate.iceberg.IcebergTablesTest.SCHEMA;
import static io.tablegate.iceberg.IcebergTablesTest.append;
import static io.tablegate.iceberg.IcebergTablesTest.icebergRows;
import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.IcebergS3Tables;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import io.tablegate.testing.S3Harness;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg tables in object storage (written by Iceberg's own S3FileIO into s3proxy, Hadoop-catalog
 * layout): read through the gateway's S3 client with presigned and proxied file URLs, pinned by a
 * direct metadata.json location, and refreshed by a bucket notification for a new metadata file.
 */
class IcebergS3Test {
  static final String TOKEN = "iceberg-webhook-token-0123456789";
  static final String DELTA_CAPS = IcebergTablesTest.DELTA_CAPS;
  @TempDir static Path dir;
  static S3Harness s3;
  static S3FileIO fileIo;
  static GatewayHarness gw;
  static Table orders;
  static Table live;
  static String pinnedMetadata;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Harness(dir.resolve("s3"));
    s3.createBucket("lake");
    fileIo = IcebergS3Tables.io(s3);
    PartitionSpec spec = PartitionSpec.builderFor(SCHEMA).identity("category").build();
    orders = IcebergS3Tables.create(fileIo, "s3://lake/warehouse/sales/orders", SCHEMA, spec);
    append(orders, "a", 0, 4);
    append(orders, "b", 4, 3);
    pinnedMetadata = ((HasTableOperations) orders).operations().current().metadataFileLocation();
    append(orders, "a", 7, 2);
    live = IcebergS3Tables.create(fileIo, "s3://lake/warehouse/sales/live", SCHEMA, spec);
    append(live, "a", 0, 2);
    // a Delta table whose partition directories hold '=', spaces and '%' (Spark's escaping)
    s3.upload(
        io.tablegate.testing.TestTables.dat().resolve("multi_partitioned_2").resolve("delta"),
        "lake",
        "delta/multi_partitioned_2");
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 600000
        stores:
        %s
        notifications: {webhookToken: %s}
        rewrites: {directory: "%s", location: "s3://lake/tablegate", store: main}
        shares:
          - name: lake
            schemas:
              - name: sales
                tables:
                  - {name: orders, location: "s3://lake/warehouse/sales/orders", format: iceberg, historyShared: true}
                  - {name: proxied, location: "s3://lake/warehouse/sales/orders", format: iceberg, fileAccess: proxy}
                  - {name: pinned, location: "%s", format: iceberg}
                  - {name: live, location: "s3://lake/warehouse/sales/live", format: iceberg}
                  - {name: missing, location: "s3://lake/warehouse/sales/none", format: iceberg}
              - name: delta
                tables:
                  - {name: multi, location: "s3://lake/delta/multi_partitioned_2"}
        """
                .formatted(
                    s3.storeYaml("main").stripTrailing(),
                    TOKEN,
                    dir.resolve("rewrites"),
                    pinnedMetadata),
            dir);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    fileIo.close();
    s3.close();
  }

  static List<String> read(String table, Map<String, String> headers, String body, String tag)
      throws Exception {
    Response r =
        gw.post("/shares/lake/schemas/sales/tables/" + table + "/query", null, headers, body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return KernelRows.readTable(Recipient.materialize(gw, r.lines(), dir.resolve("recv-" + tag)));
  }

  @Test
  void icebergsOwnClientReadsThroughTheIcebergFaceWithSignedReadsOnS3proxy() throws Exception {
    org.apache.iceberg.rest.RESTCatalog catalog =
        IcebergFace.catalog(gw, null, "lake", IcebergFace.S3_FILE_IO);
    try (catalog) {
      // an Iceberg table: partition directories with '=' in their keys
      Table t = catalog.loadTable(org.apache.iceberg.catalog.TableIdentifier.of("sales", "orders"));
      assertThat(t.io().properties()).containsEntry("s3.remote-signing-enabled", "true");
      assertThat(icebergRows(t, t.currentSnapshot().snapshotId()))
          .containsExactlyInAnyOrderElementsOf(
              icebergRows(orders, orders.currentSnapshot().snapshotId()));
      // another table's objects are not signed for this one
      String otherMetadata =
          ((HasTableOperations) live).operations().current().metadataFileLocation();
      assertThatThrownBy(() -> t.io().newInputFile(otherMetadata).newStream().read())
          .isInstanceOf(Exception.class);
      // a Delta table as Iceberg: generated metadata in the store, keys with spaces and '%'
      Table multi =
          catalog.loadTable(org.apache.iceberg.catalog.TableIdentifier.of("delta", "multi"));
      assertThat(DeltaAsIcebergTest.rows(multi))
          .containsExactlyInAnyOrderElementsOf(
              IcebergFace.datExpected(
                  "multi_partitioned_2",
                  IcebergFace.schemaString(gw, "/shares/lake/schemas/delta/tables/multi", null)));
    }
  }

  @Test
  void pyicebergReadsIcebergAndDeltaTablesThroughTheFaceWithSignedReadsOnS3proxy()
      throws Exception {
    // pyiceberg's own signer and fsspec file I/O, as the face's table config names them (with the
    // client-side workaround read_iceberg_face.py describes for s3fs 2026.2.0)
    com.fasterxml.jackson.databind.JsonNode iceberg =
        IcebergFace.pyiceberg(gw, "anonymous", "lake", "sales.orders", "id");
    assertThat(iceberg.get("ids").toString()).isEqualTo("[0,1,2,3,4,5,6,7,8]");
    com.fasterxml.jackson.databind.JsonNode delta =
        IcebergFace.pyiceberg(gw, "anonymous", "lake", "delta.multi", "int");
    List<String> expected =
        IcebergFace.datExpected(
            "multi_partitioned_2",
            IcebergFace.schemaString(gw, "/shares/lake/schemas/delta/tables/multi", null));
    assertThat(delta.get("ids").toString()).isEqualTo(IcebergFace.sortedLongs(expected, "int"));
  }

  @Test
  void presignedAndProxiedReadsEqualIcebergsOwnReader() throws Exception {
    List<String> expected = icebergRows(orders, orders.currentSnapshot().snapshotId());
    assertThat(expected).hasSize(9);
    Response q = gw.post("/shares/lake/schemas/sales/tables/orders/query", null, "{}");
    assertThat(q.lines().get(2).get("file").get("url").asText())
        .startsWith(s3.endpoint() + "/lake/warehouse/sales/orders/data/")
        .contains("X-Amz-Signature=");
    assertThat(read("orders", Map.of(), "{}", "presigned"))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(
            read(
                "orders",
                Map.of("delta-sharing-capabilities", DELTA_CAPS),
                "{}",
                "presigned-delta"))
        .containsExactlyInAnyOrderElementsOf(expected);
    Response p = gw.post("/shares/lake/schemas/sales/tables/proxied/query", null, "{}");
    assertThat(p.lines().get(2).get("file").get("url").asText()).startsWith(gw.endpoint());
    assertThat(read("proxied", Map.of(), "{}", "proxied"))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void timeTravelByVersionOverObjectStorage() throws Exception {
    assertThat(
            gw.get("/shares/lake/schemas/sales/tables/orders/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("3");
    List<Long> ids = new java.util.ArrayList<>();
    orders.history().forEach(h -> ids.add(h.snapshotId()));
    assertThat(read("orders", Map.of(), "{\"version\": 1}", "v1"))
        .containsExactlyInAnyOrderElementsOf(icebergRows(orders, ids.get(0)));
  }

  @Test
  void aMetadataFileLocationPinsThatSnapshot() throws Exception {
    assertThat(
            gw.get("/shares/lake/schemas/sales/tables/pinned/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("2");
    List<Long> ids = new java.util.ArrayList<>();
    orders.history().forEach(h -> ids.add(h.snapshotId()));
    assertThat(read("pinned", Map.of(), "{}", "pinned"))
        .containsExactlyInAnyOrderElementsOf(icebergRows(orders, ids.get(1)));
  }

  @Test
  void aNotificationForANewMetadataFileRefreshesTheTable() throws Exception {
    assertThat(
            gw.get("/shares/lake/schemas/sales/tables/live/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("1");
    append(live, "b", 2, 3);
    // cached for ten minutes: the new snapshot is not visible yet
    assertThat(
            gw.get("/shares/lake/schemas/sales/tables/live/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("1");
    Response data = webhook("warehouse/sales/live/data/category=b/x.parquet");
    assertThat(data.status()).isEqualTo(200);
    assertThat(
            gw.get("/shares/lake/schemas/sales/tables/live/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("1");
    Response hook = webhook("warehouse/sales/live/metadata/v3.metadata.json");
    assertThat(hook.status()).as(hook.text()).isEqualTo(200);
    assertThat(
            gw.get("/shares/lake/schemas/sales/tables/live/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("2");
    assertThat(read("live", Map.of(), "{}", "live"))
        .containsExactlyInAnyOrderElementsOf(
            icebergRows(live, live.currentSnapshot().snapshotId()));
  }

  @Test
  void aTableWithNoMetadataIsNotFound() {
    assertError(
        gw.get("/shares/lake/schemas/sales/tables/missing/version", null),
        404,
        "RESOURCE_DOES_NOT_EXIST");
  }

  static Response webhook(String key) {
    String body =
        """
        {"EventName":"s3:ObjectCreated:Put","Key":"lake/%s","Records":[{"eventVersion":"2.0","eventSource":"minio:s3",
         "eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"lake"},"object":{"key":"%s","size":100,"sequencer":"%s"}}}]}
        """
            .formatted(key, key.replace("/", "%2F"), Long.toHexString(System.nanoTime()));
    return gw.send(
        io.vertx.core.http.HttpMethod.POST,
        gw.endpoint().replace("/delta-sharing", "") + "/events",
        null,
        Map.of("Authorization", "Bearer " + TOKEN),
        body);
  }

  @Test
  void theIcebergFaceSignsReadsOfTheTablesObjectsOnly() throws Exception {
    // Given: the store has no STS, so the face offers S3 remote signing instead of credentials
    Response loaded = gw.get("/iceberg/v1/lake/namespaces/sales/tables/orders", null);
    assertThat(loaded.status()).as(loaded.text()).isEqualTo(200);
    assertThat(loaded.json().get("config").get("s3.remote-signing-enabled").asText())
        .isEqualTo("true");
    assertThat(loaded.json().get("config").has("s3.access-key-id")).isFalse();
    String sign =
        "/iceberg/v1/lake/namespaces/sales/tables/"
            + "orders/sign"; // rest.remote-signing.endpoint, relative to the catalog URI
    assertThat(loaded.json().get("config").get("rest.remote-signing.endpoint").asText())
        .isEqualTo("v1/lake/namespaces/sales/tables/orders/sign");
    String own = s3.endpoint() + "/lake/warehouse/sales/orders/metadata/v1.metadata.json";
    // When: a read of one of the table's objects is signed
    Response signed =
        gw.post(
            sign,
            null,
            "{\"method\": \"GET\", \"region\": \"us-east-1\", \"uri\": \""
                + own
                + "\", \"headers\": {\"Range\": [\"bytes=0-\"]}}");
    assertThat(signed.status()).as(signed.text()).isEqualTo(200);
    // Then: the store accepts it with the signed headers alone (no key with the client)
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(own)).GET();
    signed
        .json()
        .get("headers")
        .fields()
        .forEachRemaining(
            e -> {
              if (!e.getKey().equalsIgnoreCase("host"))
                request.header(e.getKey(), e.getValue().get(0).asText());
            });
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"format-version\"");
    // a write, another table's object, a sub-resource, a traversal, another host: not signed
    String other = s3.endpoint() + "/lake/warehouse/sales/live/metadata/v1.metadata.json";
    for (String body :
        List.of(
            "{\"method\": \"GET\", \"uri\": \"" + other + "\", \"headers\": {}}",
            "{\"method\": \"PUT\", \"uri\": \"" + own + "\", \"headers\": {}}",
            "{\"method\": \"GET\", \"uri\": \"" + own + "?acl\", \"headers\": {}}",
            "{\"method\": \"GET\", \"uri\": \""
                + s3.endpoint()
                + "/lake/warehouse/sales/orders/../live/x\", \"headers\": {}}",
            "{\"method\": \"GET\", \"uri\": \"http://169.254.169.254/lake/warehouse/sales/orders/x\","
                + " \"headers\": {}}")) {
      Response refused = gw.post(sign, null, body);
      assertThat(refused.status()).as(body + " -> " + refused.text()).isEqualTo(403);
      assertThat(refused.json().get("error").get("type").asText()).isEqualTo("ForbiddenException");
    }
  }
}
