package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.fixtures.SyntheticTables;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a running gateway (its own JVM, started as {@code java ... Main --config}): a stream
 * in flight finishes, the gateway closes in order and exits 0 without waiting out its drain
 * deadline and without an exception in its log.
 */
class ShutdownTest {
  static final int FILES = 60_000;
  @TempDir Path dir;

  @Test
  void sigtermDrainsTheOpenStreamAndExitsZero() throws Exception {
    // Given: a gateway process and a client in the middle of a large stream, not reading
    SyntheticTables.generate(dir.resolve("t"), FILES, 10, true);
    Files.writeString(
        dir.resolve("tablegate.yaml"),
        """
        version: 1
        host: 127.0.0.1
        port: 0
        management: {host: 127.0.0.1, port: 0}
        limits: {shutdownDrainMs: 60000}
        shares:
          - name: s
            schemas:
              - name: big
                tables:
                  - {name: t, location: t}
        """);
    Path log = dir.resolve("gateway.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process gateway =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx512m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.tablegate.app.Main",
                    "--config",
                    dir.resolve("tablegate.yaml").toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Vertx vertx = Vertx.vertx();
    try {
      String endpoint = null;
      for (int i = 0; i < 1200 && endpoint == null && gateway.isAlive(); i++) {
        Matcher m =
            Pattern.compile("endpoint=\"(http://[^\"]+)\"")
                .matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) endpoint = m.group(1);
        else Thread.sleep(100);
      }
      assertThat(endpoint).as(Files.readString(log)).isNotNull();
      HttpClient client = vertx.createHttpClient();
      RequestOptions query =
          new RequestOptions()
              .setMethod(HttpMethod.POST)
              .setAbsoluteURI(endpoint + "/shares/s/schemas/big/tables/t/query");
      HttpClientResponse resp =
          client
              .request(query)
              .compose(
                  req ->
                      req.putHeader("Content-Type", "application/json").send(Buffer.buffer("{}")))
              .map(HttpClientResponse::pause)
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      assertThat(resp.statusCode()).isEqualTo(200);
      AtomicLong lines = new AtomicLong();
      Promise<Void> ended = Promise.promise();
      resp.handler(
          b -> {
            for (int i = 0; i < b.length(); i++) if (b.getByte(i) == '\n') lines.incrementAndGet();
          });
      resp.endHandler(v -> ended.tryComplete());
      resp.exceptionHandler(ended::tryFail);
      // When: SIGTERM, then the client reads on
      gateway.destroy();
      for (int i = 0; i < 600 && !Files.readString(log).contains("Draining"); i++) Thread.sleep(50);
      // Then: while the stream drains, the management listener tells probes the instance is not
      // ready
      Matcher mgmt =
          Pattern.compile("Management listening.*bound=\"127\\.0\\.0\\.1:(\\d+)\"")
              .matcher(Files.readString(log));
      assertThat(mgmt.find()).as(Files.readString(log)).isTrue();
      String ready =
          client
              .request(
                  new RequestOptions()
                      .setAbsoluteURI("http://127.0.0.1:" + mgmt.group(1) + "/readyz"))
              .compose(req -> req.send().compose(r -> r.body().map(b -> r.statusCode() + " " + b)))
              .toCompletionStage()
              .toCompletableFuture()
              .get(60, TimeUnit.SECONDS);
      assertThat(ready).startsWith("503 ").contains("draining");
      resp.resume();
      ended.future().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      // Then: the whole stream arrived, and the process exits 0, cleanly
      assertThat(lines.get()).isEqualTo(FILES + 2);
      assertThat(gateway.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(gateway.exitValue()).as(output).isZero();
      assertThat(output)
          .contains("Tablegate stopped")
          // the drained stream's audit line was written before the process ended
          .containsPattern("tablegate.audit - request .*endpoint=\"query\".*status=\"200\"")
          .doesNotContain("did not finish cleanly")
          .doesNotContain("Exception");
      client.close();
    } finally {
      gateway.destroyForcibly();
      vertx.close();
    }
  }
}
