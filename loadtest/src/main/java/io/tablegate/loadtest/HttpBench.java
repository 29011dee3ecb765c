package io.tablegate.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The load client of the benchmarks, the same for every target (the gateway, nginx serving the same
 * bytes, a load balancer): closed loop over N connections, or open loop at a fixed rate (latency
 * measured from the intended start, so queueing is not hidden), latencies in an HdrHistogram.
 * Prints one line: requests/s, MB/s, p50/p90/p99/max, errors.
 *
 * <pre>
 * HttpBench --url URL [--method POST --body '{}'] [--header 'Authorization: Bearer x']... [--connections 32]
 *           [--duration 15] [--warmup 5] [--rate R] [--new-connections] [--trust-all] [--label NAME]
 * </pre>
 */
public final class HttpBench {
  private HttpBench() {}

  record Result(
      String label, long requests, long errors, double seconds, long bytes, Histogram latency) {
    double rps() {
      return requests / seconds;
    }

    String line() {
      return String.format(
          "%-34s %9.0f req/s %8.1f MB/s  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %8.2f ms  errors %d",
          label,
          rps(),
          bytes / seconds / 1e6,
          latency.getValueAtPercentile(50) / 1e3,
          latency.getValueAtPercentile(90) / 1e3,
          latency.getValueAtPercentile(99) / 1e3,
          latency.getMaxValue() / 1e3,
          errors);
    }
  }

  public static void main(String[] args) throws Exception {
    String url = null;
    String label = null;
    HttpMethod method = HttpMethod.GET;
    String body = null;
    List<String[]> headers = new ArrayList<>();
    int connections = 32;
    int duration = 15;
    int warmup = 5;
    double rate = 0;
    boolean fresh = false;
    boolean trustAll = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--url" -> url = args[++i];
        case "--label" -> label = args[++i];
        case "--method" -> method = HttpMethod.valueOf(args[++i]);
        case "--body" -> body = args[++i];
        case "--header" -> {
          String h = args[++i];
          headers.add(
              new String[] {
                h.substring(0, h.indexOf(':')).trim(), h.substring(h.indexOf(':') + 1).trim()
              });
        }
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--duration" -> duration = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        case "--new-connections" -> fresh = true;
        case "--trust-all" -> trustAll = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (url == null) throw new IllegalArgumentException("--url is required");
    Vertx vertx = Vertx.vertx();
    try {
      if (warmup > 0)
        run(
            vertx,
            url,
            method,
            body,
            headers,
            connections,
            warmup,
            rate,
            fresh,
            trustAll,
            "warmup");
      Result r =
          run(
              vertx,
              url,
              method,
              body,
              headers,
              connections,
              duration,
              rate,
              fresh,
              trustAll,
              label == null ? url : label);
      System.out.println(r.line());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static Result run(
      Vertx vertx,
      String url,
      HttpMethod method,
      String body,
      List<String[]> headers,
      int connections,
      int seconds,
      double rate,
      boolean fresh,
      boolean trustAll,
      String label)
      throws Exception {
    HttpClientOptions options =
        new HttpClientOptions()
            .setKeepAlive(!fresh)
            .setProtocolVersion(HttpVersion.HTTP_1_1)
            .setTrustAll(trustAll)
            .setVerifyHost(!trustAll)
            .setMaxInitialLineLength(8192);
    HttpClient client =
        vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connections));
    Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong requests = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    Buffer payload = body == null ? null : Buffer.buffer(body);
    Promise<Void> done = Promise.promise();
    AtomicLong outstanding = new AtomicLong();
    Runnable[] finish = new Runnable[1];
    finish[0] =
        () -> {
          if (System.nanoTime() >= end && outstanding.get() == 0) done.tryComplete();
        };
    java.util.function.Function<Long, Future<Void>> send =
        intended -> {
          outstanding.incrementAndGet();
          Promise<Void> completed = Promise.promise();
          RequestOptions ro = new RequestOptions().setAbsoluteURI(url).setMethod(method);
          for (String[] h : headers) ro.addHeader(h[0], h[1]);
          client
              .request(ro)
              .compose(req -> payload == null ? req.send() : req.send(payload))
              .compose(
                  resp ->
                      resp.body()
                          .map(
                              b -> {
                                bytes.addAndGet(b.length());
                                return resp.statusCode();
                              }))
              .onComplete(
                  ar -> {
                    long now = System.nanoTime();
                    synchronized (latency) {
                      latency.recordValue(
                          Math.min(
                              latency.getHighestTrackableValue(),
                              Math.max(1, (now - intended) / 1000)));
                    }
                    if (ar.failed() || ar.result() >= 400) errors.incrementAndGet();
                    requests.incrementAndGet();
                    outstanding.decrementAndGet();
                    finish[0].run();
                    completed.complete();
                  });
          return completed.future();
        };
    if (rate <= 0) {
      // closed loop: each connection sends its next request when the previous one completed
      for (int c = 0; c < connections; c++) {
        vertx.runOnContext(v -> loop(send, end));
      }
      vertx.setPeriodic(
          50,
          id -> {
            if (System.nanoTime() >= end) {
              vertx.cancelTimer(id);
              finish[0].run();
            }
          });
    } else {
      // open loop: requests start on schedule whether or not earlier ones finished
      double perMs = rate / 1000.0;
      double[] owed = {0};
      vertx.setPeriodic(
          1,
          id -> {
            long now = System.nanoTime();
            if (now >= end) {
              vertx.cancelTimer(id);
              finish[0].run();
              return;
            }
            owed[0] += perMs;
            while (owed[0] >= 1) {
              owed[0] -= 1;
              send.apply(now);
            }
          });
    }
    done.future().toCompletionStage().toCompletableFuture().get(seconds + 120L, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - start) / 1e9;
    client.close();
    return new Result(label, requests.get(), errors.get(), secs, bytes.get(), latency);
  }

  private static void loop(java.util.function.Function<Long, Future<Void>> send, long end) {
    if (System.nanoTime() >= end) return;
    send.apply(System.nanoTime()).onComplete(ar -> loop(send, end));
  }
}
