package io.tablegate.http;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.fixtures.SyntheticTables;
import io.tablegate.testing.GatewayHarness;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot query's stream reads its version's one shared scan and holds no scan slot, so a client
 * that stops reading blocks nobody. A change query holds its slot while it streams: with every slot
 * taken by one whose client stopped reading, another waits for its queue timeout and gets 503
 * TEMPORARILY_UNAVAILABLE with Retry-After, while requests that scan nothing are served; once the
 * stream's client leaves, change queries run again.
 */
class ScanLimitTest {
  static final String T = "/shares/s/schemas/big/tables/t";
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() {
    SyntheticTables.generate(dir.resolve("t"), 60_000, 10, true);
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        responseCacheTtlMs: 0
        limits: {maxConcurrentScans: 1, scanQueueTimeoutMs: 200}
        shares:
          - name: s
            schemas:
              - name: big
                tables:
                  - {name: t, location: t, historyShared: true}
        """,
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static HttpClientResponse pausedStream(HttpClient client, String body) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(gw.endpoint() + T + "/query");
    HttpClientResponse held =
        GatewayHarness.await(
            client
                .request(options)
                .compose(
                    req ->
                        req.putHeader("Content-Type", "application/json").send(Buffer.buffer(body)))
                .map(HttpClientResponse::pause));
    assertThat(held.statusCode()).isEqualTo(200);
    return held;
  }

  @Test
  void pausedSnapshotStreamsHoldNoSlot() {
    // Given: two clients in the middle of the whole table, not reading
    HttpClient client = gw.vertx.createHttpClient();
    HttpClientResponse first = pausedStream(client, "{}");
    HttpClientResponse second = pausedStream(client, "{}");
    // Then: others are still served, from the same shared scan
    assertThat(gw.post(T + "/query", null, "{\"maxFiles\": 10}").status()).isEqualTo(200);
    first.request().connection().close();
    second.request().connection().close();
    client.close();
  }

  @Test
  void aFullGateAnswers503WithRetryAfterAndFreesWhenTheStreamEnds() throws Exception {
    // Given: a change query that holds the only slot and whose client stops reading
    HttpClient client = gw.vertx.createHttpClient();
    HttpClientResponse held = pausedStream(client, "{\"startingVersion\": 0}");
    // When / Then
    GatewayHarness.Response busy = gw.post(T + "/query", null, "{\"startingVersion\": 0}");
    assertError(busy, 503, "TEMPORARILY_UNAVAILABLE");
    assertThat(busy.header("Retry-After")).isNotBlank();
    assertThat(gw.get(T + "/metadata", null).status()).isEqualTo(200);
    // When: the client goes away
    held.request().connection().close();
    // Then: the slot comes back (polled, with a generous deadline)
    int status = 0;
    for (int i = 0; i < 300 && status != 200; i++) {
      status = gw.post(T + "/query", null, "{\"startingVersion\": 0, \"maxFiles\": 1}").status();
      if (status != 200) Thread.sleep(100);
    }
    assertThat(status).isEqualTo(200);
    client.close();
  }
}
