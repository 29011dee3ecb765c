package io.tablegate.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.CephRgw;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A share as an Iceberg REST catalog, read by Iceberg's own {@link RESTCatalog} and {@link
 * S3FileIO} against Ceph RGW: schemas are namespaces, {@code loadTable} answers the table's own
 * metadata with credentials vended by RGW's STS for the table's directory only (the client has no
 * store keys of its own), the rows equal Iceberg's own reader's, and nothing outside the table can
 * be read with them. Delta tables and other recipients' shares are refused in Iceberg's error
 * model.
 */
class IcebergRestFaceTest {
  static final String READER = "iceberg-face-reader-0123456789";
  static final String OTHER = "iceberg-face-other-0123456789";
  @TempDir static Path dir;
  static CephRgw rgw;
  static GatewayHarness gw;
  static S3FileIO writerIo;
  static Table orders;

  @BeforeAll
  static void start() throws Exception {
    rgw = CephRgw.shared();
    rgw.client.createBucket(b -> b.bucket("icy"));
    rgw.client.putObject(
        b -> b.bucket("icy").key("finance/secret.txt"), RequestBody.fromString("not yours"));
    writerIo = new S3FileIO();
    writerIo.initialize(
        Map.of(
            "s3.endpoint",
            rgw.endpoint,
            "s3.path-style-access",
            "true",
            "s3.access-key-id",
            rgw.accessKey,
            "s3.secret-access-key",
            rgw.secretKey,
            "client.region",
            "us-east-1",
            "http-client.type",
            "urlconnection"));
    PartitionSpec spec =
        PartitionSpec.builderFor(IcebergTablesTest.SCHEMA).identity("category").build();
    orders =
        io.tablegate.testing.IcebergS3Tables.create(
            writerIo, "s3://icy/warehouse/sales/orders", IcebergTablesTest.SCHEMA, spec);
    IcebergTablesTest.append(orders, "a", 0, 4);
    IcebergTablesTest.append(orders, "b", 4, 3);
    TestTables.writeHistoryTable(dir.resolve("hist"));
    for (String name : DELTA_TABLES) {
      Path local = TestTables.dat().resolve(name).resolve("delta");
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(local)) {
        for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
          String key = "delta/" + name + "/" + local.relativize(f).toString().replace('\\', '/');
          rgw.client.putObject(b -> b.bucket("icy").key(key), RequestBody.fromFile(f));
        }
      }
    }
    StringBuilder deltaTables = new StringBuilder();
    for (String name : DELTA_TABLES)
      deltaTables
          .append("                      - {name: ")
          .append(name)
          .append(", location: \"s3://icy/delta/")
          .append(name)
          .append("\", store: ceph}\n");
    String store = rgw.storeYamlWithRole("ceph");
    gw =
        GatewayHarness.start(
            """
            version: 1
            host: 127.0.0.1
            port: 0
            management: {host: 127.0.0.1, port: 0}
            authorization:
              tokens:
                - {id: reader, token: %s, shares: [lake, signed]}
                - {id: other, token: %s, shares: [elsewhere]}
            stores:
            %s
            rewrites: {directory: "%s", location: "s3://icy/tablegate", store: ceph}
            shares:
              - name: lake
                directoryAccess: true
                schemas:
                  - name: sales
                    tables:
                      - {name: orders, location: "s3://icy/warehouse/sales/orders", format: iceberg, store: ceph, historyShared: true}
                      - {name: recent, location: "s3://icy/warehouse/sales/orders", format: iceberg, store: ceph, historyShared: true, startVersion: %d}
                  - name: delta
                    tables:
                      - {name: hist, location: hist}
                      - {name: basic_partitioned, location: "s3://icy/delta/basic_partitioned", store: ceph, historyShared: true}
              - name: signed
                schemas:
                  - name: sales
                    tables:
                      - {name: orders, location: "s3://icy/warehouse/sales/orders", format: iceberg, store: ceph}
                  - name: delta
                    tables:
            %s
              - name: elsewhere
                schemas:
                  - name: x
                    tables:
                      - {name: hist, location: hist}
            """
                .formatted(
                    READER,
                    OTHER,
                    store.stripTrailing(),
                    dir.resolve("rewrites"),
                    orders.currentSnapshot().sequenceNumber(),
                    deltaTables.toString().stripTrailing()),
            dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (writerIo != null) writerIo.close();
  }

  /** DAT tables put in RGW: partitions (with escaped values), column mapping, no stats. */
  static final List<String> DELTA_TABLES =
      List.of("basic_partitioned", "column_mapping", "multi_partitioned_2", "no_stats");

  static RESTCatalog catalog(String token) {
    return catalog(token, "lake");
  }

  static RESTCatalog catalog(String token, String share) {
    return IcebergFace.catalog(gw, token, share, IcebergFace.S3_FILE_IO);
  }

  @Test
  void icebergsOwnClientReadsTheShareWithVendedCredentials() throws Exception {
    try (RESTCatalog catalog = catalog(READER)) {
      assertThat(catalog.listNamespaces())
          .containsExactlyInAnyOrder(Namespace.of("sales"), Namespace.of("delta"));
      assertThat(catalog.namespaceExists(Namespace.of("sales"))).isTrue();
      assertThat(catalog.listTables(Namespace.of("sales")))
          .containsExactly(
              TableIdentifier.of("sales", "orders"), TableIdentifier.of("sales", "recent"));
      Table t = catalog.loadTable(TableIdentifier.of("sales", "orders"));
      assertThat(t.currentSnapshot().snapshotId()).isEqualTo(orders.currentSnapshot().snapshotId());
      // shared with its history: every snapshot; from a start version: the snapshots from it
      assertThat(t.snapshots()).hasSize(2);
      Table recent = catalog.loadTable(TableIdentifier.of("sales", "recent"));
      assertThat(recent.snapshots())
          .extracting(org.apache.iceberg.Snapshot::snapshotId)
          .containsExactly(orders.currentSnapshot().snapshotId());
      List<String> rows = IcebergTablesTest.icebergRows(t, t.currentSnapshot().snapshotId());
      assertThat(rows).hasSize(7);
      assertThat(rows)
          .containsExactlyInAnyOrderElementsOf(
              IcebergTablesTest.icebergRows(orders, orders.currentSnapshot().snapshotId()));
      // the vended credentials read this table's directory and nothing else
      assertThatThrownBy(
              () -> t.io().newInputFile("s3://icy/finance/secret.txt").newStream().read())
          .isInstanceOf(Exception.class);
      // an unknown table is not found
      assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("sales", "nope")))
          .isInstanceOf(NoSuchTableException.class);
    }
  }

  @Test
  void withoutDirectoryAccessTheFaceSignsEachReadForIcebergsOwnClient() throws Exception {
    // Given: a share without directory access: no credentials are vended, reads are signed
    try (RESTCatalog catalog = catalog(READER, "signed")) {
      Table t = catalog.loadTable(TableIdentifier.of("sales", "orders"));
      // shared without its history: the current snapshot only, no log of earlier metadata files,
      // and no credentials vended even where directory access is on
      assertThat(t.snapshots()).hasSize(1);
      assertThat(((org.apache.iceberg.HasTableOperations) t).operations().current().previousFiles())
          .isEmpty();
      // Then: partitioned data files (keys with '=') read through RGW with the face's signatures
      assertThat(IcebergTablesTest.icebergRows(t, t.currentSnapshot().snapshotId()))
          .containsExactlyInAnyOrderElementsOf(
              IcebergTablesTest.icebergRows(orders, orders.currentSnapshot().snapshotId()));
      assertThatThrownBy(
              () -> t.io().newInputFile("s3://icy/finance/secret.txt").newStream().read())
          .isInstanceOf(Exception.class);
    }
  }

  @Test
  void icebergsOwnClientReadsDeltaTablesInTheStoreThroughGeneratedMetadataAndSignedReads()
      throws Exception {
    try (RESTCatalog catalog = catalog(READER, "signed")) {
      for (String name : DELTA_TABLES) {
        // When
        Table t = catalog.loadTable(TableIdentifier.of("delta", name));
        // Then: the metadata is generated under the gateway's prefix, the data read in place
        assertThat(t.properties()).containsEntry("tablegate.source-format", "delta");
        assertThat(
                ((org.apache.iceberg.HasTableOperations) t)
                    .operations()
                    .current()
                    .metadataFileLocation())
            .startsWith("s3://icy/tablegate/iceberg/");
        List<String> expected =
            IcebergFace.datExpected(
                name,
                IcebergFace.schemaString(
                    gw, "/shares/signed/schemas/delta/tables/" + name, READER));
        assertThat(DeltaAsIcebergTest.rows(t))
            .as(name)
            .containsExactlyInAnyOrderElementsOf(expected);
        assertThatThrownBy(
                () -> t.io().newInputFile("s3://icy/finance/secret.txt").newStream().read())
            .isInstanceOf(Exception.class);
      }
      // the signing of one table's reads never covers another table's generated metadata (asked
      // directly: Iceberg's client keeps the signatures it was given for the other table)
      Table b = catalog.loadTable(TableIdentifier.of("delta", "no_stats"));
      String otherList = b.currentSnapshot().manifestListLocation();
      assertThat(b.io().newInputFile(otherList).getLength()).isPositive();
      String url = rgw.endpoint + "/" + otherList.substring("s3://".length());
      String body =
          "{\"method\": \"GET\", \"uri\": \""
              + url
              + "\", \"headers\": {}, \"region\": \"us-east-1\"}";
      assertThat(
              gw.post("/iceberg/v1/signed/namespaces/delta/tables/no_stats/sign", READER, body)
                  .status())
          .isEqualTo(200);
      // the answer holds what the client must set, not a header it sent with the same value
      // (pyiceberg adds the answer's headers to its request rather than setting them)
      // (and nothing of a signature reaches the process's output: the gateway runs in this JVM)
      java.io.PrintStream err = System.err;
      java.io.PrintStream out = System.out;
      java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
      Response signed;
      try (java.io.PrintStream capture = new java.io.PrintStream(printed, true)) {
        System.setErr(capture);
        System.setOut(capture);
        signed =
            gw.post(
                "/iceberg/v1/signed/namespaces/delta/tables/no_stats/sign",
                READER,
                body.replace(
                    "\"headers\": {}",
                    "\"headers\": {\"x-amz-content-sha256\": [\"UNSIGNED-PAYLOAD\"]}"));
        // log lines are written by one thread, in order, after the fact: the capture holds
        // everything the request logged once it holds the request's own audit line (its last)
        assertThat(
                GatewayHarness.eventually(
                    () ->
                        printed
                            .toString(java.nio.charset.StandardCharsets.UTF_8)
                            .lines()
                            .anyMatch(
                                l ->
                                    l.contains("tablegate.audit")
                                        && l.contains("method=\"POST\"")
                                        && l.contains("table=\"no_stats\""))))
            .as("the sign request's audit line is captured")
            .isTrue();
      } finally {
        System.setErr(err);
        System.setOut(out);
      }
      assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
          .doesNotContain("Signature=")
          .doesNotContain(signed.json().path("headers").path("Authorization").path(0).asText("-"));
      assertThat(signed.status()).as(signed.text()).isEqualTo(200);
      java.util.Set<String> names = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      signed.json().get("headers").fieldNames().forEachRemaining(names::add);
      assertThat(names)
          .contains("Authorization", "X-Amz-Date")
          .doesNotContain("x-amz-content-sha256");
      Response refused =
          gw.post(
              "/iceberg/v1/signed/namespaces/delta/tables/basic_partitioned/sign", READER, body);
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.json().get("error").get("type").asText()).isEqualTo("ForbiddenException");
    }
    // a share with directory access: credentials vended for the table's directory and this
    // version's generated metadata, nothing else
    try (RESTCatalog catalog = catalog(READER, "lake")) {
      Table t = catalog.loadTable(TableIdentifier.of("delta", "basic_partitioned"));
      assertThat(t.io().properties()).containsKey("s3.session-token");
      assertThat(DeltaAsIcebergTest.rows(t)).hasSize(6);
      assertThatThrownBy(
              () -> t.io().newInputFile("s3://icy/finance/secret.txt").newStream().read())
          .isInstanceOf(Exception.class);
      assertThatThrownBy(
              () ->
                  t.io()
                      .newInputFile("s3://icy/delta/no_stats/_delta_log/00000000000000000000.json")
                      .newStream()
                      .read())
          .isInstanceOf(Exception.class);
    }
  }

  @Test
  void pyicebergReadsADeltaTableInTheStoreWithVendedCredentials() throws Exception {
    JsonNode result =
        IcebergFace.pyiceberg(gw, READER, "lake", "delta.basic_partitioned", "number");
    assertThat(result.get("ids").toString()).isEqualTo("[1,2,3,4,5,6]");
  }

  @Test
  void pyicebergReadsADeltaTableInTheStoreWithSignedReads() throws Exception {
    // the face's config names pyiceberg's signer: each read of the table's objects and of its
    // generated metadata is signed by the face (keys with '=', spaces and '%')
    JsonNode result =
        IcebergFace.pyiceberg(gw, READER, "signed", "delta.multi_partitioned_2", "int");
    try (RESTCatalog catalog = catalog(READER, "signed")) {
      List<String> rows =
          DeltaAsIcebergTest.rows(
              catalog.loadTable(TableIdentifier.of("delta", "multi_partitioned_2")));
      assertThat(result.get("ids").toString()).isEqualTo(IcebergFace.sortedLongs(rows, "int"));
    }
  }

  @Test
  void pyicebergReadsTheShareWithVendedCredentials() throws Exception {
    JsonNode result = IcebergFace.pyiceberg(gw, READER, "lake", "sales.orders", "id");
    assertThat(result.get("namespaces").toString()).isEqualTo("[\"delta\",\"sales\"]");
    assertThat(result.get("ids").toString()).isEqualTo("[0,1,2,3,4,5,6]");
  }

  @Test
  void otherRecipientsAndAnonymousCallersGetIcebergErrors() {
    Response forbidden = gw.get("/iceberg/v1/config?warehouse=lake", OTHER);
    assertThat(forbidden.status()).isIn(403, 404);
    JsonNode error = forbidden.json().get("error");
    assertThat(error.get("code").asInt()).isEqualTo(forbidden.status());
    assertThat(error.get("type").asText()).isIn("ForbiddenException", "NoSuchNamespaceException");
    Response anonymous = gw.get("/iceberg/v1/lake/namespaces", null);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().get("error").get("type").asText())
        .isEqualTo("NotAuthorizedException");
    assertThat(gw.get("/iceberg/v1/config", READER).status()).isEqualTo(400);
  }
}
