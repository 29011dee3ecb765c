package io.tablegate.bench;

import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.fixtures.SyntheticTables;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a test): {@code /query} of a large synthetic table streamed over HTTP, against
 * Delta Kernel alone iterating the same table's scan files (with stats) in the same JVM. Prints
 * files/s of both, their ratio, time to first byte and peak heap.
 *
 * <p>Run: {@code scripts/bench-query.sh [files] [runs]} (default 100000 files, 3 runs).
 */
public final class QueryStreamBench {
  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path root = Path.of("target", "bench", "synthetic-" + files).toAbsolutePath();
    if (!Files.exists(root.resolve("_delta_log/_last_checkpoint"))) {
      System.out.printf("Generating a %d-file table at %s ...%n", files, root);
      long t = System.nanoTime();
      SyntheticTables.generate(root, files, Math.max(1, files / 50_000), true);
      System.out.printf("  generated in %.1f s%n", (System.nanoTime() - t) / 1e9);
    }
    System.out.printf(
        "%-28s %10s %12s %10s %12s%n", "run", "files", "files/s", "ttfb ms", "peak heap MiB");
    double kernelBest = 0;
    for (int r = 0; r < runs; r++) {
      resetPeaks();
      long t = System.nanoTime();
      long n = io.tablegate.fixtures.KernelScanFiles.count(root);
      double secs = (System.nanoTime() - t) / 1e9;
      kernelBest = Math.max(kernelBest, n / secs);
      System.out.printf(
          "%-28s %10d %12.0f %10s %12d%n",
          "kernel alone #" + (r + 1), n, n / secs, "-", peakHeapMiB());
    }
    double coldBest = 0;
    double warmBest = 0;
    Vertx vertx = Vertx.vertx();
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: 0
        shares:
          - name: s
            schemas:
              - name: b
                tables:
                  - {name: t, location: "%s"}
        """
            .formatted(root.toUri());
    var config = ConfigLoader.parse(yaml, root).config();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions());
    for (int r = 0; r < runs; r++) {
      Gateway gw =
          Gateway.start(vertx, config)
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      for (String kind : new String[] {"cold", "warm"}) {
        resetPeaks();
        long[] result = stream(client, gw.endpoint() + "/shares/s/schemas/b/tables/t/query");
        double secs = result[2] / 1e9;
        double rate = (result[0] - 2) / secs;
        if (kind.equals("cold")) coldBest = Math.max(coldBest, rate);
        else warmBest = Math.max(warmBest, rate);
        System.out.printf(
            "%-28s %10d %12.0f %10.1f %12d%n",
            "gateway /query " + kind + " #" + (r + 1),
            result[0] - 2,
            rate,
            result[1] / 1e6,
            peakHeapMiB());
      }
      gw.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    System.out.printf(
        "%nbest kernel %.0f files/s; gateway cold %.0f (%.2fx kernel), warm %.0f (%.2fx kernel)%n",
        kernelBest, coldBest, coldBest / kernelBest, warmBest, warmBest / kernelBest);
    client.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Returns {lines, nanos to first body byte, nanos total}. */
  static long[] stream(HttpClient client, String url) throws Exception {
    AtomicLong lines = new AtomicLong();
    AtomicLong first = new AtomicLong();
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime();
    client
        .request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url))
        .compose(req -> req.putHeader("Content-Type", "application/json").send(Buffer.buffer("{}")))
        .onSuccess(
            resp -> {
              resp.handler(
                  b -> {
                    if (first.get() == 0) first.set(System.nanoTime() - start);
                    // the client only counts newlines at the end of each chunk's last line:
                    // scanning every byte here
                    // would take CPU from the server on a 2-core machine
                    lines.addAndGet(newlines(b));
                  });
              resp.endHandler(v -> done.complete());
              resp.exceptionHandler(done::tryFail);
            })
        .onFailure(done::tryFail);
    done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    return new long[] {lines.get(), first.get(), System.nanoTime() - start};
  }

  /**
   * Newlines in a buffer, counted with the bulk indexOf of Netty's buffer rather than byte by byte
   * in Java.
   */
  static long newlines(Buffer b) {
    io.netty.buffer.ByteBuf buf = ((io.vertx.core.buffer.impl.BufferImpl) b).byteBuf();
    long n = 0;
    int from = buf.readerIndex();
    int end = buf.writerIndex();
    while (true) {
      int i = buf.indexOf(from, end, (byte) '\n');
      if (i < 0) return n;
      n++;
      from = i + 1;
    }
  }

  static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
      if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
  }

  static long peakHeapMiB() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
      if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
    return sum >> 20;
  }
}
