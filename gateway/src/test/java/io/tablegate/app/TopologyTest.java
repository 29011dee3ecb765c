package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.Python;
import io.tablegate.testing.RedisHarness;
import io.tablegate.testing.S3Harness;
import io.tablegate.testing.TestTables;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment the design is for, without containers: nginx (streaming, no buffering) in front of
 * two gateway processes sharing Redis, a signing key and a table in S3 (s3proxy). The Python
 * connector reads through the balancer without pause while each instance in turn is stopped with
 * SIGTERM (it drains) and started again: no read fails.
 */
class TopologyTest {
  static final String SIGNING_KEY = "topology-shared-signing-key-0123456789";
  @TempDir Path dir;
  final List<Process> processes = new ArrayList<>();

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void thePythonConnectorReadsThroughNginxWhileEachInstanceRestarts() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("t"));
    try (RedisHarness redis = new RedisHarness(dir.resolve("redis"));
        S3Harness s3 = new S3Harness(dir.resolve("s3"))) {
      s3.createBucket("lake");
      s3.upload(dir.resolve("t"), "lake", "t");
      int lb = freePort();
      int[] ports = {freePort(), freePort()};
      Path[] configs = new Path[2];
      for (int i = 0; i < 2; i++) {
        configs[i] = dir.resolve("gw" + i + ".yaml");
        Files.writeString(
            configs[i],
            """
            version: 1
            host: 127.0.0.1
            port: %d
            management: {host: 127.0.0.1, port: 0}
            publicEndpoint: http://127.0.0.1:%d/delta-sharing
            signingKey: %s
            redis: {uri: "%s"}
            limits: {shutdownDrainMs: 20000}
            stores:
            %s
            shares:
              - name: s
                schemas:
                  - name: n
                    tables:
                      - {name: t, location: "s3://lake/t", fileAccess: proxy}
            """
                .formatted(
                    ports[i], lb, SIGNING_KEY, redis.uri(), s3.storeYaml("main").stripTrailing()));
      }
      Process[] gateways = {start(configs[0], 0), start(configs[1], 1)};
      Files.createDirectories(dir.resolve("nginx/logs"));
      Files.writeString(
          dir.resolve("nginx/nginx.conf"),
          """
          worker_processes 1;
          pid %1$s/nginx.pid;
          error_log %1$s/logs/error.log;
          events { worker_connections 1024; }
          http {
            access_log off;
            client_body_temp_path %1$s/body;
            proxy_temp_path %1$s/proxy;
            upstream gateways { server 127.0.0.1:%2$d max_fails=0; server 127.0.0.1:%3$d max_fails=0; keepalive 16; }
            server {
              listen 127.0.0.1:%4$d;
              location / {
                proxy_pass http://gateways;
                proxy_http_version 1.1;
                proxy_set_header Connection "";
                proxy_buffering off;
                # a refused or reset connection never reached a gateway: the next one may take the request, POST too
                proxy_next_upstream error timeout non_idempotent;
              }
            }
          }
          """
              .formatted(dir.resolve("nginx"), ports[0], ports[1], lb));
      Process nginx =
          new ProcessBuilder(
                  nginxBinary(),
                  "-p",
                  dir.resolve("nginx").toString(),
                  "-c",
                  dir.resolve("nginx/nginx.conf").toString(),
                  "-g",
                  "daemon off;")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("nginx/out.log").toFile())
              .start();
      processes.add(nginx);
      Path profile = dir.resolve("lb.share");
      Files.writeString(
          profile,
          "{\"shareCredentialsVersion\": 1, \"endpoint\": \"http://127.0.0.1:"
              + lb
              + "/delta-sharing\", \"bearerToken\": \"unused\"}");
      assertThat(
              GatewayHarness.eventually(
                  () -> httpStatus("http://127.0.0.1:" + lb + "/delta-sharing/shares") == 200))
          .isTrue();
      // When: the connector reads in a loop while each instance is stopped (SIGTERM) and started
      // again
      Path stop = dir.resolve("stop");
      Path progress = dir.resolve("reads.log");
      Process reader =
          new ProcessBuilder(
                  Python.interpreter().toString(),
                  Python.repository().resolve("testing/python/read_loop.py").toString(),
                  profile.toString(),
                  "s.n.t",
                  stop.toString())
              .redirectErrorStream(true)
              .redirectOutput(progress.toFile())
              .start();
      processes.add(reader);
      for (int i = 0; i < 2; i++) {
        int readsBefore = reads(progress);
        assertThat(GatewayHarness.eventually(() -> reads(progress) >= readsBefore + 2))
            .as(Files.readString(progress))
            .isTrue();
        gateways[i].destroy(); // SIGTERM
        assertThat(gateways[i].waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gateways[i].exitValue()).isZero();
        int readsWhileDown = reads(progress);
        assertThat(GatewayHarness.eventually(() -> reads(progress) >= readsWhileDown + 2))
            .as(Files.readString(progress))
            .isTrue();
        gateways[i] = start(configs[i], i);
      }
      int last = reads(progress);
      assertThat(GatewayHarness.eventually(() -> reads(progress) >= last + 2)).isTrue();
      Files.writeString(stop, "");
      assertThat(reader.waitFor(300, TimeUnit.SECONDS)).isTrue();
      // Then: every read succeeded, and all read the same rows
      String[] lines = Files.readString(progress).strip().split("\n");
      JsonNode summary = GatewayHarness.MAPPER.readTree(lines[lines.length - 1]);
      assertThat(summary.get("failures").asInt()).as(summary.toString()).isZero();
      assertThat(summary.get("reads").asInt()).isGreaterThanOrEqualTo(8);
      assertThat(summary.get("counts")).hasSize(1);
      assertThat(summary.get("counts").get(0).asInt()).isPositive();
      System.out.println("[topology] " + summary);
    } finally {
      for (Process p : processes) {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
      }
    }
  }

  static String nginxBinary() {
    for (String candidate : new String[] {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
      if (Files.isExecutable(Path.of(candidate))) return candidate;
    }
    throw new IllegalStateException("nginx is missing: scripts/ensure-tools.sh --test installs it");
  }

  /** Starts a gateway process and waits until it serves. */
  Process start(Path config, int i) throws Exception {
    Path log = dir.resolve("gw" + i + "-" + System.nanoTime() + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx384m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.tablegate.app.Main",
                    "--config",
                    config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    processes.add(p);
    assertThat(
            GatewayHarness.eventually(
                () -> !p.isAlive() || Files.readString(log).contains("Tablegate is serving")))
        .isTrue();
    assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
    return p;
  }

  static int reads(Path progress) throws IOException {
    if (!Files.exists(progress)) return 0;
    String text = Files.readString(progress, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) return 0;
    String last = text.substring(text.lastIndexOf('\n') + 1);
    try {
      return GatewayHarness.MAPPER.readTree(last).path("reads").asInt(0);
    } catch (IOException e) {
      return 0;
    }
  }

  static int httpStatus(String url) {
    try {
      java.net.HttpURLConnection c =
          (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
      c.setConnectTimeout(2000);
      return c.getResponseCode();
    } catch (IOException e) {
      return -1;
    }
  }
}
