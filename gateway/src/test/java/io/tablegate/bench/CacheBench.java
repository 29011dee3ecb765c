package io.tablegate.bench;

import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.config.GatewayConfig;
import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.fixtures.SyntheticTables;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.RedisHarness;
import io.tablegate.testing.S3Harness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Benchmark (not a test): {@code /metadata} and {@code /query} of a 10,000-file table in s3proxy,
 * cold (a new instance, empty caches), from the in-process tier, and from the Redis tier (a new
 * instance whose Redis another instance filled); then the time from a webhook POST to instance A
 * until instance B serves the new version, over many commits (HdrHistogram).
 *
 * <p>Run: {@code scripts/bench-query.sh --cache [commits=200]}.
 */
public final class CacheBench {
  static final String TABLE = "/shares/s/schemas/b/tables/t";

  public static void main(String[] args) throws Exception {
    int commits = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int files = 10_000;
    Path work = Files.createTempDirectory("tablegate-cache-bench");
    SyntheticTables.generate(work.resolve("t"), files, 2, true);
    try (S3Harness s3 = new S3Harness(work.resolve("s3"));
        RedisHarness redis = new RedisHarness(work.resolve("redis"))) {
      s3.createBucket("bench");
      s3.upload(work.resolve("t"), "bench", "t");
      String tables =
          """
          shares:
            - name: s
              schemas:
                - name: b
                  tables:
                    - {name: t, location: "s3://bench/t", fileAccess: proxy}
          """;
      String base =
          "version: 1\nhost: 127.0.0.1\nport: 0\nlatestVersionTtlMs: 600000\nstores:\n"
              + s3.storeYaml("s3")
              + tables;
      GatewayConfig noRedis = ConfigLoader.parse(base, work).config();
      GatewayConfig withRedis =
          ConfigLoader.parse(
                  base
                      + "redis: {uri: \""
                      + redis.uri()
                      + "\"}\n"
                      + "notifications: {webhookToken: bench-webhook-token-0123}\n",
                  work)
              .config();
      Vertx vertx = Vertx.vertx();
      HttpClient client = vertx.createHttpClient();
      System.out.printf(
          "%-34s %12s %12s%n", "10,000-file table in s3proxy", "/metadata ms", "/query ms");
      Histogram coldMeta = new Histogram(3);
      Histogram coldQuery = new Histogram(3);
      for (int i = 0; i < 5; i++) {
        Gateway g = start(vertx, noRedis);
        coldMeta.recordValue(timeMetadata(client, g));
        coldQuery.recordValue(timeQuery(client, g));
        g.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      row("cold (new instance, no Redis)", coldMeta, coldQuery);
      Gateway warm = start(vertx, noRedis);
      timeQuery(client, warm);
      Histogram localMeta = new Histogram(3);
      Histogram localQuery = new Histogram(3);
      for (int i = 0; i < 50; i++) {
        localMeta.recordValue(timeMetadata(client, warm));
        localQuery.recordValue(timeQuery(client, warm));
      }
      row("in-process tier (same instance)", localMeta, localQuery);
      warm.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      Gateway filler = start(vertx, withRedis);
      timeQuery(client, filler);
      Histogram redisMeta = new Histogram(3);
      Histogram redisQuery = new Histogram(3);
      for (int i = 0; i < 5; i++) {
        Gateway g = start(vertx, withRedis);
        redisMeta.recordValue(timeMetadata(client, g));
        redisQuery.recordValue(timeQuery(client, g));
        g.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      row("Redis tier (new instance)", redisMeta, redisQuery);

      // invalidation latency: webhook to A, poll B
      Gateway a = filler;
      Gateway b = start(vertx, withRedis);
      GatewayHarness ha = GatewayHarness.attach(vertx, a);
      GatewayHarness hb = GatewayHarness.attach(vertx, b);
      DeltaTableWriter w =
          new DeltaTableWriter(
              work.resolve("t"),
              List.of(
                  new DeltaTableWriter.ColumnSpec("id", "long"),
                  new DeltaTableWriter.ColumnSpec("value", "double"),
                  new DeltaTableWriter.ColumnSpec("part", "string")),
              List.of("part"));
      long version = Long.parseLong(hb.get(TABLE + "/version", null).header("Delta-Table-Version"));
      Histogram visible = new Histogram(3);
      String events = a.endpoint().replace("/delta-sharing", "") + "/events";
      for (int i = 0; i < commits; i++) {
        long v = ++version;
        String log = String.format("_delta_log/%020d.json", v);
        w.commit(
            v,
            List.of(
                "{\"commitInfo\":{\"timestamp\":"
                    + System.currentTimeMillis()
                    + ",\"operation\":\"WRITE\"}}"),
            Instant.now());
        s3.client.putObject(r -> r.bucket("bench").key("t/" + log), work.resolve("t").resolve(log));
        String body =
            "{\"EventName\":\"s3:ObjectCreated:Put\",\"Key\":\"bench/t/"
                + log
                + "\",\"Records\":[{\"eventName\":"
                + "\"s3:ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"bench\"},\"object\":{\"key\":\"t%2F"
                + log.replace("/", "%2F")
                + "\",\"sequencer\":\""
                + Long.toHexString(System.nanoTime())
                + "\"}}}]}";
        long start = System.nanoTime();
        var r =
            ha.send(
                io.vertx.core.http.HttpMethod.POST,
                events,
                null,
                Map.of("Authorization", "Bearer bench-webhook-token-0123"),
                body);
        if (r.status() != 200)
          throw new IllegalStateException("webhook answered " + r.status() + ": " + r.text());
        while (!Long.toString(v)
            .equals(hb.get(TABLE + "/version", null).header("Delta-Table-Version"))) {
          if (System.nanoTime() - start > 10_000_000_000L)
            throw new IllegalStateException("version " + v + " never became visible on B");
        }
        visible.recordValue((System.nanoTime() - start) / 1000);
      }
      System.out.printf(
          "%nwebhook to A until B serves the commit, %d commits: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          commits,
          visible.getValueAtPercentile(50) / 1000.0,
          visible.getValueAtPercentile(90) / 1000.0,
          visible.getValueAtPercentile(99) / 1000.0,
          visible.getMaxValue() / 1000.0);
      a.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      b.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      client.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static Gateway start(Vertx vertx, GatewayConfig c) throws Exception {
    return Gateway.start(vertx, c, Clock.systemUTC())
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  static long timeQuery(HttpClient client, Gateway g) throws Exception {
    long[] r = QueryStreamBench.stream(client, g.endpoint() + TABLE + "/query");
    if (r[0] < 10_002) throw new IllegalStateException("short response: " + r[0] + " lines");
    return r[2] / 1000;
  }

  static long timeMetadata(HttpClient client, Gateway g) throws Exception {
    long start = System.nanoTime();
    var resp =
        client
            .request(
                io.vertx.core.http.HttpMethod.GET,
                g.port(),
                "127.0.0.1",
                "/delta-sharing" + TABLE + "/metadata")
            .compose(req -> req.send())
            .compose(res -> res.body())
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    if (resp.length() == 0) throw new IllegalStateException("empty metadata");
    return (System.nanoTime() - start) / 1000;
  }

  static void row(String name, Histogram meta, Histogram query) {
    System.out.printf(
        "%-34s %5.1f (p50) %5.1f (p50)   max %.1f / %.1f%n",
        name,
        meta.getValueAtPercentile(50) / 1000.0,
        query.getValueAtPercentile(50) / 1000.0,
        meta.getMaxValue() / 1000.0,
        query.getMaxValue() / 1000.0);
  }
}
