package io.tablegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.RedisHarness;
import io.tablegate.testing.S3Harness;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis tier and invalidation through Redis Cluster and through Sentinel, with real servers.
 */
class RedisModesTest {
  static final String T = "/shares/s/schemas/m/tables/t";
  static final String TOKEN = "webhook-token-0123456789";
  @TempDir Path dir;
  S3Harness s3;

  String yaml(String redis) {
    return """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 600000
        stores:
        %s
        redis: %s
        notifications: {webhookToken: %s}
        shares:
          - name: s
            schemas:
              - name: m
                tables:
                  - {name: t, location: "s3://lake/t", historyShared: true}
        """
        .formatted(s3.storeYaml("main").stripTrailing(), redis, TOKEN);
  }

  void sharedTierAndInvalidationWork(String redisYaml, RedisHarness data) throws Exception {
    TestTables.writeHistoryTable(dir.resolve("t"));
    s3 = new S3Harness(dir.resolve("s3"));
    s3.createBucket("lake");
    s3.upload(dir.resolve("t"), "lake", "t");
    try (GatewayHarness a = GatewayHarness.start(yaml(redisYaml), dir);
        GatewayHarness b = GatewayHarness.start(yaml(redisYaml), dir)) {
      GatewayHarness.eventually(
          () ->
              a.management("/readyz").text().contains("connected")
                  && b.management("/readyz").text().contains("connected"));
      assertThat(a.management("/readyz").text()).contains("\"redis\":\"connected\"");
      assertThat(a.get(T + "/version", null).header("Delta-Table-Version")).isEqualTo("4");
      assertThat(b.get(T + "/version", null).header("Delta-Table-Version")).isEqualTo("4");
      // the shared tier writes into this Redis
      assertThat(a.post(T + "/query", null, "{}").status()).isEqualTo(200);
      assertThat(data.bulk("INFO", "keyspace")).contains("keys=");
      // a new commit, announced to A, is served by B
      DeltaTableWriter w = TestTables.historyTableWriter(dir.resolve("t"));
      var f = w.writeFile(List.<Object[]>of(new Object[] {5L, "n5", LocalDate.of(2024, 6, 1)}));
      w.commit(5, List.of(DeltaTableWriter.add(f, 0, null)), Instant.now());
      s3.upload(dir.resolve("t"), "lake", "t");
      String event =
          "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"lake\"},"
              + "\"object\":{\"key\":\"t/_delta_log/00000000000000000005.json\",\"sequencer\":\"01\"}}}]}";
      var events =
          a.send(
              io.vertx.core.http.HttpMethod.POST,
              a.endpoint().replace("/delta-sharing", "") + "/events",
              null,
              Map.of("Authorization", "Bearer " + TOKEN),
              event);
      assertThat(events.status()).isEqualTo(200);
      GatewayHarness.eventually(
          () -> "5".equals(b.get(T + "/version", null).header("Delta-Table-Version")));
      assertThat(b.get(T + "/version", null).header("Delta-Table-Version")).isEqualTo("5");
    } finally {
      s3.close();
    }
  }

  @Test
  void redisCluster() throws Exception {
    try (RedisHarness cluster = RedisHarness.cluster(dir.resolve("cluster"))) {
      sharedTierAndInvalidationWork(
          "{mode: cluster, endpoints: [\"" + cluster.uri() + "\"]}", cluster);
    }
  }

  @Test
  void redisSentinel() throws Exception {
    try (RedisHarness master = new RedisHarness(dir.resolve("master"));
        RedisHarness sentinel = RedisHarness.sentinel(dir.resolve("sentinel"), master)) {
      sharedTierAndInvalidationWork(
          "{mode: sentinel, masterName: mymaster, endpoints: [\"" + sentinel.uri() + "\"]}",
          master);
    }
  }
}
