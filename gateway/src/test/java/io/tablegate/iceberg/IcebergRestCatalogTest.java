package io.tablegate.iceberg;

import static io.tablegate.iceberg.IcebergTablesTest.SCHEMA;
import static io.tablegate.iceberg.IcebergTablesTest.append;
import static io.tablegate.iceberg.IcebergTablesTest.icebergRows;
import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.IcebergRestCatalogServer;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg tables behind a real Iceberg REST catalog server (Iceberg's own RESTCatalogServer in its
 * own JVM), written through the REST API by Iceberg's client and shared beside a Delta table: the
 * gateway asks the catalog (with OAuth2 client credentials) for the current metadata and serves the
 * table like any other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IcebergRestCatalogTest {
  @TempDir static Path dir;
  static IcebergRestCatalogServer server;
  static RESTCatalog writer;
  static Table orders;
  static List<Long> snapshots = new ArrayList<>();
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    server = new IcebergRestCatalogServer(dir.resolve("rest"));
    writer = server.client();
    writer.createNamespace(Namespace.of("sales"));
    orders =
        writer.createTable(
            TableIdentifier.of("sales", "orders"),
            SCHEMA,
            PartitionSpec.builderFor(SCHEMA).identity("category").build(),
            Map.of("format-version", "2"));
    snapshots.add(append(orders, "a", 0, 3));
    snapshots.add(append(orders, "b", 3, 4));
    io.tablegate.testing.TestTables.writeHistoryTable(dir.resolve("delta"));
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 0
        icebergCatalogs:
          - {name: lake, uri: "%s", credential: "tablegate:secret"}
        shares:
          - name: lake
            schemas:
              - name: sales
                tables:
                  - {name: orders, catalog: lake, table: sales.orders, historyShared: true}
                  - {name: ghost, catalog: lake, table: sales.ghost}
                  - {name: events, location: delta}
        """
                .formatted(server.uri()),
            dir);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    writer.close();
    server.close();
  }

  static List<String> read(String body, String tag) throws Exception {
    Response r = gw.post("/shares/lake/schemas/sales/tables/orders/query", null, body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return KernelRows.readTable(Recipient.materialize(gw, r.lines(), dir.resolve("recv-" + tag)));
  }

  @Test
  @Order(1)
  void aCatalogTableReadsLikeIcebergsOwnReaderWithTimeTravel() throws Exception {
    assertThat(
            gw.get("/shares/lake/schemas/sales/tables/orders/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("2");
    assertThat(read("{}", "latest"))
        .containsExactlyInAnyOrderElementsOf(icebergRows(orders, snapshots.get(1)));
    assertThat(read("{\"version\": 1}", "v1"))
        .containsExactlyInAnyOrderElementsOf(icebergRows(orders, snapshots.get(0)));
    Response m = gw.get("/shares/lake/schemas/sales/tables/orders/metadata", null);
    assertThat(m.lines().get(1).get("metaData").get("partitionColumns").toString())
        .isEqualTo("[\"category\"]");
    // the Delta table of the same share, with the same client code
    Response delta = gw.post("/shares/lake/schemas/sales/tables/events/query", null, "{}");
    assertThat(
            KernelRows.readTable(
                Recipient.materialize(gw, delta.lines(), dir.resolve("recv-delta"))))
        .hasSize(9);
  }

  @Test
  @Order(2)
  void aCommitThroughTheCatalogIsServedNext() throws Exception {
    snapshots.add(append(orders, "a", 7, 2));
    assertThat(
            gw.get("/shares/lake/schemas/sales/tables/orders/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("3");
    assertThat(read("{}", "v3"))
        .hasSize(9)
        .containsExactlyInAnyOrderElementsOf(icebergRows(orders, snapshots.get(2)));
  }

  @Test
  @Order(3)
  void aTableTheCatalogDoesNotKnowIsNotFound() {
    assertError(
        gw.get("/shares/lake/schemas/sales/tables/ghost/version", null),
        404,
        "RESOURCE_DOES_NOT_EXIST");
  }

  @Test
  @Order(4)
  void aCatalogThatIsDownIsAServiceUnavailableError() throws Exception {
    server.close();
    Response r = gw.get("/shares/lake/schemas/sales/tables/orders/version", null);
    assertThat(r.status()).as(r.text()).isEqualTo(503);
    assertThat(r.text()).doesNotContain("secret");
  }
}
