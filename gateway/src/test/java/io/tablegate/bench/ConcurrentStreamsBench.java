package io.tablegate.bench;

import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.fixtures.SyntheticTables;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a test): many concurrent full {@code /query} streams of one large table, half of
 * them slow readers, against one gateway in this JVM (run it with the heap you want to prove, e.g.
 * {@code -Xmx1g}). Prints failures, the peak heap seen, the single-stream rate, and the slowest
 * fast stream's rate as a fraction of it.
 *
 * <p>Run: {@code scripts/bench-query.sh --concurrent [files=1000000] [streams=100]} (HEAP=1g by
 * default there).
 */
public final class ConcurrentStreamsBench {
  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int streams = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    Path root = Path.of("target", "bench", "synthetic-" + files).toAbsolutePath();
    if (!Files.exists(root.resolve("_delta_log/_last_checkpoint"))) {
      System.out.printf("Generating a %d-file table at %s ...%n", files, root);
      SyntheticTables.generate(root, files, Math.max(1, files / 50_000), true);
    }
    var config =
        ConfigLoader.parse(
                """
        version: 1
        host: 127.0.0.1
        port: 0
        responseCacheTtlMs: 0
        shares:
          - name: s
            schemas:
              - name: b
                tables:
                  - {name: t, location: "%s"}
        """
                    .formatted(root),
                Path.of("."))
            .config();
    Vertx vertx = Vertx.vertx();
    Gateway gateway =
        vertx
            .executeBlocking(() -> null)
            .compose(v -> Gateway.start(vertx, config))
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    String url = gateway.endpoint() + "/shares/s/schemas/b/tables/t/query";
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    AtomicLong peakHeap = new AtomicLong();
    long sampler =
        vertx.setPeriodic(
            50, id -> peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max));
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions().setIdleTimeout(0),
            new PoolOptions().setHttp1MaxSize(streams + 10));
    System.out.printf(
        "heap max %d MiB, %d files, %d streams (half slow: 1 MiB then a 500 ms pause)%n",
        Runtime.getRuntime().maxMemory() >> 20, files, streams);

    // one stream alone, twice (the first also lists the table into its shared scan)
    double single = 0;
    for (int i = 0; i < 2; i++) {
      Result r =
          stream(vertx, client, url, false)
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.MINUTES);
      single = Math.max(single, r.lines / r.seconds);
      System.out.printf(
          "single stream #%d: %d lines in %.2f s = %.0f files/s%n",
          i + 1, r.lines, r.seconds, r.lines / r.seconds);
    }
    // all of them at once
    long started = System.nanoTime();
    List<Future<Result>> all = new ArrayList<>();
    for (int i = 0; i < streams; i++) all.add(stream(vertx, client, url, i % 2 == 1));
    AtomicInteger failed = new AtomicInteger();
    double slowestFast = Double.MAX_VALUE;
    double slowestSlow = Double.MAX_VALUE;
    long complete = 0;
    for (int i = 0; i < all.size(); i++) {
      try {
        Result r = all.get(i).toCompletionStage().toCompletableFuture().get(60, TimeUnit.MINUTES);
        if (r.lines != files + 2L) {
          failed.incrementAndGet();
          continue;
        }
        complete++;
        if (i % 2 == 1) slowestSlow = Math.min(slowestSlow, r.lines / r.seconds);
        else slowestFast = Math.min(slowestFast, r.lines / r.seconds);
      } catch (Exception e) {
        failed.incrementAndGet();
        System.out.println("stream " + i + " failed: " + e);
      }
    }
    double total = (System.nanoTime() - started) / 1e9;
    vertx.cancelTimer(sampler);
    System.out.printf(
        "%d concurrent streams: %d complete, %d failed in %.1f s; peak heap seen %d MiB of %d MiB%n",
        streams,
        complete,
        failed.get(),
        total,
        peakHeap.get() >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf(
        "slowest fast stream %.0f files/s = 1/%.1f of the single-stream rate (goal: at least 1/100); slowest slow stream %.0f files/s%n",
        slowestFast, single / slowestFast, slowestSlow);
    client.close();
    gateway.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    vertx.close();
  }

  record Result(long lines, double seconds) {}

  static Future<Result> stream(Vertx vertx, HttpClient client, String url, boolean slow) {
    long t = System.nanoTime();
    AtomicLong lines = new AtomicLong();
    AtomicLong sinceBreak = new AtomicLong();
    Promise<Result> done = Promise.promise();
    client
        .request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url))
        .compose(req -> req.putHeader("Content-Type", "application/json").send(Buffer.buffer("{}")))
        .onSuccess(
            (HttpClientResponse resp) -> {
              if (resp.statusCode() != 200) {
                resp.body()
                    .onComplete(
                        b ->
                            done.tryFail(
                                "status "
                                    + resp.statusCode()
                                    + ": "
                                    + (b.succeeded() ? b.result() : "")));
                return;
              }
              resp.handler(
                  b -> {
                    for (int i = 0; i < b.length(); i++)
                      if (b.getByte(i) == '\n') lines.incrementAndGet();
                    if (slow && sinceBreak.addAndGet(b.length()) > (1 << 20)) {
                      sinceBreak.set(0);
                      resp.pause();
                      vertx.setTimer(500, id -> resp.resume());
                    }
                  });
              resp.exceptionHandler(done::tryFail);
              resp.endHandler(
                  v -> done.tryComplete(new Result(lines.get(), (System.nanoTime() - t) / 1e9)));
            })
        .onFailure(done::tryFail);
    return done.future();
  }
}
