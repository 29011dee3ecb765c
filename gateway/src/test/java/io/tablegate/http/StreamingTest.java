package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.config.ConfigLoader;
import io.tablegate.fixtures.SyntheticTables;
import io.tablegate.testing.GatewayHarness;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100,000-file table streamed through a real server: the stream reads the version's file list
 * (its one shared scan, see SharedScans) only as fast as the client takes the response
 * (back-pressure, so memory stays bounded whatever the table size), and a client that goes away
 * mid-stream makes the server close its reader.
 */
class StreamingTest {
  static final int FILES = 100_000;
  static final String QUERY = "/shares/s/schemas/big/tables/t/query";
  @TempDir static Path dir;
  static GatewayHarness gw;
  static final AtomicLong pulled = new AtomicLong();
  static final AtomicInteger opened = new AtomicInteger();
  static final AtomicInteger closed = new AtomicInteger();

  @BeforeAll
  static void start() {
    SyntheticTables.generate(dir.resolve("t"), FILES, 10, true);
    SyntheticTables.generate(dir.resolve("failing"), 20_000, 2, false);
    var config =
        ConfigLoader.parse(
                """
        version: 1
        host: 127.0.0.1
        port: 0
        shares:
          - name: s
            schemas:
              - name: big
                tables:
                  - {name: t, location: t}
                  - {name: failing, location: failing}
        """,
                dir)
            .config();
    var vertx = io.vertx.core.Vertx.vertx();
    gw =
        GatewayHarness.attach(
            vertx,
            GatewayHarness.await(
                io.tablegate.app.Gateway.start(
                    vertx,
                    config,
                    Clock.systemUTC(),
                    f -> new CountingFormat(f, pulled, opened, closed))));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void aFailureAfterTheFirstByteEndsTheStreamWithAnErrorWhenTheClientAskedForEndStreamActions() {
    // Given
    pulled.set(0);
    // When
    GatewayHarness.Response r =
        gw.post(
            "/shares/s/schemas/big/tables/failing/query",
            null,
            java.util.Map.of("delta-sharing-capabilities", "includeendstreamaction=true"),
            "{}");
    // Then
    assertThat(r.status()).isEqualTo(200);
    var lines = r.lines();
    var end = lines.get(lines.size() - 1).get("endStreamAction");
    assertThat(end).isNotNull();
    assertThat(end.get("httpStatusErrorCode").asInt()).isEqualTo(500);
    assertThat(end.get("errorMessage").asText())
        .startsWith("Internal error while streaming (error id ")
        .doesNotContain("simulated");
    assertThat(lines.size()).isLessThan(20_000);
  }

  @Test
  void aFailureAfterTheFirstByteAbortsTheConnectionOtherwise() {
    pulled.set(0);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> gw.post("/shares/s/schemas/big/tables/failing/query", null, "{}"))
        .isInstanceOf(IllegalStateException.class);
  }

  static Future<HttpClientResponse> open(HttpClient client) {
    RequestOptions options =
        new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(gw.endpoint() + QUERY);
    // paused as the headers arrive, on the event loop, so no body chunk is dispatched before the
    // test reads
    return client
        .request(options)
        .compose(req -> req.putHeader("Content-Type", "application/json").send(Buffer.buffer("{}")))
        .map(r -> r.pause());
  }

  static void waitUntilStable(AtomicLong counter) throws InterruptedException {
    long last = -1;
    for (int i = 0; i < 100 && counter.get() != last; i++) {
      last = counter.get();
      Thread.sleep(200);
    }
  }

  @Test
  void aPausedClientPausesTheTableScanAndTheWholeTableStreamsWhenItReads() throws Exception {
    // Given: a client that stops reading after the first chunk
    HttpClient client = gw.vertx.createHttpClient();
    long before = pulled.get();
    int closedBefore = closed.get();
    AtomicLong bytes = new AtomicLong();
    AtomicLong lines = new AtomicLong();
    Promise<Void> ended = Promise.promise();
    HttpClientResponse resp = GatewayHarness.await(open(client));
    assertThat(resp.statusCode()).isEqualTo(200);
    // When
    waitUntilStable(pulled);
    long pulledWhilePaused = pulled.get() - before;
    // Then: the server stopped pulling long before the end of the table
    assertThat(pulledWhilePaused).isLessThan(FILES / 2);
    // When: the client reads everything
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    AtomicLong maxHeap = new AtomicLong();
    long started = System.nanoTime();
    resp.handler(
        b -> {
          bytes.addAndGet(b.length());
          for (int i = 0; i < b.length(); i++) if (b.getByte(i) == '\n') lines.incrementAndGet();
          if (lines.get() % 10_000 < 50)
            maxHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        });
    resp.endHandler(v -> ended.complete());
    resp.exceptionHandler(ended::tryFail);
    resp.resume();
    GatewayHarness.await(ended.future());
    long millis = (System.nanoTime() - started) / 1_000_000;
    // Then
    assertThat(lines.get()).isEqualTo(FILES + 2);
    assertThat(pulled.get() - before).isEqualTo(FILES);
    waitUntilStable(new AtomicLong(closed.get()));
    assertThat(closed.get()).isEqualTo(closedBefore + 1);
    System.out.printf(
        "StreamingTest: %d files, %d bytes in %d ms after resume; paused server pulled %d files; max heap seen %d MiB%n",
        FILES, bytes.get(), millis, pulledWhilePaused, maxHeap.get() >> 20);
    client.close();
  }

  @Test
  void aClientThatDisconnectsMidStreamMakesTheServerCloseTheScan() throws Exception {
    // Given
    HttpClient client = gw.vertx.createHttpClient();
    int closedBefore = closed.get();
    long before = pulled.get();
    HttpClientResponse resp = GatewayHarness.await(open(client));
    waitUntilStable(pulled);
    // When
    resp.request().connection().close();
    // Then
    for (int i = 0; i < 100 && closed.get() == closedBefore; i++) Thread.sleep(100);
    assertThat(closed.get()).isEqualTo(closedBefore + 1);
    assertThat(pulled.get() - before).isLessThan(FILES);
    client.close();
  }
}
