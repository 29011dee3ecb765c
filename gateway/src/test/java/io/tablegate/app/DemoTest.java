package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.config.ConfigLoader;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo share that README command 1 starts: every table reads back with the rows it was written
 * with.
 */
class DemoTest {
  @TempDir Path dir;

  @Test
  void theDemoShareServesEveryTable() throws Exception {
    // Given
    Path config = Demo.prepare(dir, 0);
    assertThat(Demo.prepare(dir, 0))
        .isEqualTo(config); // idempotent: a second start keeps the tables
    try (GatewayHarness gw =
        GatewayHarness.start(ConfigLoader.load(config).config(), java.time.Clock.systemUTC())) {
      String token = Demo.TOKEN;
      String dv = "responseformat=delta;readerfeatures=deletionvectors";
      // When / Then
      assertThat(gw.get("/shares/demo/all-tables", token).json().get("items")).hasSize(4);
      assertThat(rows(gw, "tpch/tables/orders", token, Map.of())).hasSize(200);
      assertThat(rows(gw, "tpch/tables/customer", token, Map.of())).hasSize(50);
      assertThat(
              rows(
                  gw,
                  "tpch/tables/orders_with_deletes",
                  token,
                  Map.of("delta-sharing-capabilities", dv)))
          .hasSize(7);
      assertThat(rows(gw, "events/tables/daily_events", token, Map.of())).hasSize(15);
      assertThat(
              gw.get("/shares/demo/schemas/events/tables/daily_events/version", token)
                  .header("Delta-Table-Version"))
          .isEqualTo("4");
      assertThat(
              gw.get(
                      "/shares/demo/schemas/events/tables/daily_events/changes?startingVersion=0",
                      token)
                  .lines())
          .hasSize(7);
      Demo.printWelcome(dir, gw.endpoint(), gw.gateway.adminPort());
      // the demo's admin API: a newcomer creates a token for the demo share with the CLI and reads
      // with it
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int code =
          new Cli(
                  new java.io.PrintStream(out, true),
                  System.err,
                  Map.of(
                      "TABLEGATE_ADMIN_URL",
                      "http://127.0.0.1:" + gw.gateway.adminPort(),
                      "TABLEGATE_ADMIN_TOKEN",
                      Demo.ADMIN_TOKEN))
              .execute(new String[] {"share", "token", "create", "demo", "--json"});
      assertThat(code).isZero();
      String fresh = GatewayHarness.MAPPER.readTree(out.toByteArray()).get("token").asText();
      assertThat(gw.get("/shares/demo/all-tables", fresh).status()).isEqualTo(200);
      assertThat(Files.readString(dir.resolve("demo.share")))
          .contains(gw.endpoint())
          .contains(token);
    }
  }

  private List<String> rows(
      GatewayHarness gw, String table, String token, Map<String, String> headers) throws Exception {
    var r = gw.post("/shares/demo/schemas/" + table + "/query", token, headers, "{}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return KernelRows.readTable(
        Recipient.materialize(gw, r.lines(), dir.resolve("recv-" + table.replace('/', '-'))));
  }
}
