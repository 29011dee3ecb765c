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
import org.apache.iceberg.exceptions.BadRequestException;
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
            shares:
              - name: lake
                directoryAccess: true
                schemas:
                  - name: sales
                    tables:
                      - {name: orders, location: "s3://icy/warehouse/sales/orders", format: iceberg, store: ceph, historyShared: true}
                  - name: delta
                    tables:
                      - {name: hist, location: hist}
              - name: signed
                schemas:
                  - name: sales
                    tables:
                      - {name: orders, location: "s3://icy/warehouse/sales/orders", format: iceberg, store: ceph}
              - name: elsewhere
                schemas:
                  - name: x
                    tables:
                      - {name: hist, location: hist}
            """
                .formatted(READER, OTHER, store.stripTrailing()),
            dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (writerIo != null) writerIo.close();
  }

  static RESTCatalog catalog(String token) {
    return catalog(token, "lake");
  }

  static RESTCatalog catalog(String token, String share) {
    RESTCatalog c = new RESTCatalog();
    c.initialize(
        "tablegate",
        Map.of(
            "uri",
            gw.endpoint() + "/iceberg",
            "token",
            token,
            "warehouse",
            share,
            "io-impl",
            "org.apache.iceberg.aws.s3.S3FileIO",
            "http-client.type",
            "urlconnection"));
    return c;
  }

  @Test
  void icebergsOwnClientReadsTheShareWithVendedCredentials() throws Exception {
    try (RESTCatalog catalog = catalog(READER)) {
      assertThat(catalog.listNamespaces())
          .containsExactlyInAnyOrder(Namespace.of("sales"), Namespace.of("delta"));
      assertThat(catalog.namespaceExists(Namespace.of("sales"))).isTrue();
      assertThat(catalog.listTables(Namespace.of("sales")))
          .containsExactly(TableIdentifier.of("sales", "orders"));
      Table t = catalog.loadTable(TableIdentifier.of("sales", "orders"));
      assertThat(t.currentSnapshot().snapshotId()).isEqualTo(orders.currentSnapshot().snapshotId());
      List<String> rows = IcebergTablesTest.icebergRows(t, t.currentSnapshot().snapshotId());
      assertThat(rows).hasSize(7);
      assertThat(rows)
          .containsExactlyInAnyOrderElementsOf(
              IcebergTablesTest.icebergRows(orders, orders.currentSnapshot().snapshotId()));
      // the vended credentials read this table's directory and nothing else
      assertThatThrownBy(
              () -> t.io().newInputFile("s3://icy/finance/secret.txt").newStream().read())
          .isInstanceOf(Exception.class);
      // a Delta table is refused clearly; an unknown one is not found
      assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("delta", "hist")))
          .isInstanceOf(BadRequestException.class)
          .hasMessageContaining("Iceberg tables only");
      assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("sales", "nope")))
          .isInstanceOf(NoSuchTableException.class);
    }
  }

  @Test
  void withoutDirectoryAccessTheFaceSignsEachReadForIcebergsOwnClient() throws Exception {
    // Given: a share without directory access: no credentials are vended, reads are signed
    try (RESTCatalog catalog = catalog(READER, "signed")) {
      Table t = catalog.loadTable(TableIdentifier.of("sales", "orders"));
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
  void pyicebergReadsTheShareWithVendedCredentials() throws Exception {
    String out =
        io.tablegate.testing.Python.run(
            Map.of(),
            300,
            "read_iceberg_face.py",
            gw.endpoint() + "/iceberg",
            READER,
            "lake",
            "sales.orders");
    JsonNode result = GatewayHarness.MAPPER.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
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
