package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.S3Harness;
import io.tablegate.testing.TestTables;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management listener: probes and metrics on their own port (never the sharing port), a
 * readiness that tells the truth about each store, and Prometheus metrics through Micrometer.
 */
class ManagementTest {
  static final String TOKEN = "management-test-token-0123";
  @TempDir Path dir;

  @Test
  void probesAndMetricsLiveOnTheManagementListenerOnly() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("t"));
    try (S3Harness s3 = new S3Harness(dir.resolve("s3"))) {
      s3.createBucket("lake");
      s3.upload(dir.resolve("t"), "lake", "t");
      try (GatewayHarness gw =
          GatewayHarness.start(
              """
          version: 1
          host: 127.0.0.1
          port: 0
          stores:
          %s
          authorization:
            tokens:
              - {id: reader, token: %s, shares: [s]}
          shares:
            - name: s
              schemas:
                - name: n
                  tables:
                    - {name: t, location: "s3://lake/t"}
          """
                  .formatted(s3.storeYaml("main").stripTrailing(), TOKEN),
              dir)) {
        // the sharing port has none of them
        for (String path : new String[] {"/livez", "/readyz", "/metrics"}) {
          Response r =
              gw.send(
                  io.vertx.core.http.HttpMethod.GET,
                  "http://127.0.0.1:" + gw.gateway.port() + path,
                  null,
                  java.util.Map.of(),
                  null);
          assertThat(r.status()).as(path).isEqualTo(404);
        }
        assertThat(gw.management("/livez").status()).isEqualTo(200);
        // ready once the store answered its probe
        assertThat(GatewayHarness.eventually(() -> gw.management("/readyz").status() == 200))
            .isTrue();
        assertThat(gw.management("/readyz").text())
            .contains("\"status\":\"ok\"")
            .contains("\"main\":\"reachable\"")
            .contains("\"catalog\":\"loaded\"")
            .contains("\"redis\":\"off\"");
        // requests by endpoint and status with percentiles, auth failures, gauges, JVM
        assertThat(gw.get("/shares/s/schemas/n/tables/t/metadata", TOKEN).status()).isEqualTo(200);
        assertThat(
                gw.get("/shares/s/schemas/n/tables/t/metadata", "wrong-token-0123456789").status())
            .isEqualTo(401);
        assertThat(gw.post("/shares/s/schemas/n/tables/t/query", TOKEN, "{}").status())
            .isEqualTo(200);
        assertThat(
                GatewayHarness.eventually(
                    () ->
                        gw.management("/metrics")
                            .text()
                            .contains(
                                "tablegate_requests_seconds_count{endpoint=\"query\",status=\"200\"}")))
            .isTrue();
        String metrics = gw.management("/metrics").text();
        assertThat(metrics)
            .contains("tablegate_requests_seconds_count{endpoint=\"metadata\",status=\"200\"} 1")
            .contains("tablegate_request_latency_seconds{endpoint=\"metadata\",quantile=\"0.99\"}")
            .contains("tablegate_requests_seconds_bucket{endpoint=\"metadata\",status=\"200\",le=")
            .contains("tablegate_auth_failures_total{kind=\"unauthenticated\"} 1")
            .contains("tablegate_response_lines_total{endpoint=\"query\"}")
            .contains("tablegate_response_bytes_sum{endpoint=\"query\"}")
            .contains("tablegate_metadata_lookups_total{result=\"miss\"}")
            .contains("tablegate_scans_open ")
            .contains("tablegate_connections_open{listener=\"sharing\"}")
            .contains("tablegate_bucket_events_total 0")
            .contains("tablegate_cache_lookups_total{result=\"miss\",tier=\"in-process\"}")
            .contains("tablegate_requests_active{endpoint=\"query\"} 0.0")
            .contains("jvm_memory_used_bytes")
            .doesNotContain(TOKEN);
      }
    }
  }

  @Test
  void aStoreThatDoesNotAnswerMakesTheInstanceNotReady() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (GatewayHarness gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        stores:
          - {name: down, endpoint: "http://127.0.0.1:%d", accessKeyId: k, secretAccessKey: s, connectTimeoutMs: 500, requestTimeoutMs: 2000}
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: "s3://lake/t"}
        """
                .formatted(closed),
            dir)) {
      assertThat(gw.management("/livez").status()).isEqualTo(200);
      assertThat(
              GatewayHarness.eventually(
                  () -> gw.management("/readyz").text().contains("\"down\":\"unreachable")))
          .isTrue();
      Response ready = gw.management("/readyz");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.text()).contains("\"status\":\"not ready\"");
    }
  }
}
