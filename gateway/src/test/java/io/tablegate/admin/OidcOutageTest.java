package io.tablegate.admin;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An identity provider that accepts connections and never answers must not slow anyone else down:
 * its key set is fetched asynchronously by one request at a time (single flight), off the table-io
 * pool, recipients with bearer tokens are served meanwhile, and after the fetch fails the next ones
 * fail fast (503) during a backoff instead of fetching again.
 */
class OidcOutageTest {
  static final String TOKEN = "static-recipient-token-0123";
  @TempDir Path dir;

  static String jwt(String issuer) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString(
            "{\"alg\":\"RS256\",\"kid\":\"unknown-key\",\"typ\":\"JWT\"}"
                .getBytes(StandardCharsets.UTF_8));
    String payload =
        b64.encodeToString(
            ("{\"iss\":\""
                    + issuer
                    + "\",\"sub\":\"acme\",\"aud\":\"tablegate\",\"exp\":4102444800}")
                .getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + "." + b64.encodeToString(new byte[256]);
  }

  @Test
  void aHangingIdentityProviderDelaysNobodyElse() throws Exception {
    // Given: an IdP that accepts and then says nothing
    List<Socket> held = new CopyOnWriteArrayList<>();
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket idp = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(idp.accept());
                    accepted.incrementAndGet();
                  }
                } catch (Exception e) {
                  // closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      String issuer = "http://127.0.0.1:" + idp.getLocalPort();
      TestTables.writeHistoryTable(dir.resolve("t"));
      String yaml =
          """
          version: 1
          host: 127.0.0.1
          port: 0
          workerPoolSize: 2
          snapshotCacheSize: 0
          responseCacheTtlMs: 0
          latestVersionTtlMs: 0
          oidc:
            issuers:
              - {issuer: "%s", audience: tablegate, jwksUri: "%s/jwks"}
          authorization:
            tokens:
              - {id: static, token: %s, shares: [s]}
          shares:
            - name: s
              schemas:
                - name: n
                  tables:
                    - {name: t, location: t, historyShared: true}
          """
              .formatted(issuer, issuer, TOKEN);
      ch.qos.logback.classic.Logger oidcLog =
          (ch.qos.logback.classic.Logger)
              org.slf4j.LoggerFactory.getLogger(io.tablegate.auth.OidcAuthenticator.class);
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> warnings =
          new ch.qos.logback.core.read.ListAppender<>();
      warnings.start();
      oidcLog.addAppender(warnings);
      try (GatewayHarness gw = GatewayHarness.start(yaml, dir)) {
        // When: ten OIDC recipients arrive at once
        // (their own client: the harness client's connection pool must stay free for the token
        // recipients)
        io.vertx.ext.web.client.WebClient oidcClient =
            io.vertx.ext.web.client.WebClient.create(
                gw.vertx,
                new io.vertx.ext.web.client.WebClientOptions(),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(20));
        List<Future<HttpResponse<Buffer>>> oidc = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          oidc.add(
              oidcClient
                  .getAbs(gw.endpoint() + "/shares/s/schemas/n/tables/t/version")
                  .putHeader("Authorization", "Bearer " + jwt(issuer))
                  .send());
        }
        for (int i = 0; i < 600 && accepted.get() == 0; i++) Thread.sleep(50);
        // Then: one fetch for all of them, and token recipients are served while it hangs
        for (int v = 0; v <= 4; v++) {
          Response r =
              gw.post("/shares/s/schemas/n/tables/t/query", TOKEN, "{\"version\": " + v + "}");
          assertThat(r.status()).as(r.text()).isEqualTo(200);
        }
        assertThat(oidc.stream().filter(Future::isComplete).count())
            .as("OIDC requests answered while the IdP hangs")
            .isZero();
        assertThat(accepted.get()).isEqualTo(1);
        // When: the fetch times out (10 s)
        for (Future<HttpResponse<Buffer>> f : oidc) {
          HttpResponse<Buffer> r = GatewayHarness.await(f);
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
        }
        // Then: during the backoff the next one fails fast, without another connection
        assertError(
            gw.get("/shares/s/schemas/n/tables/t/version", jwt(issuer)),
            503,
            "TEMPORARILY_UNAVAILABLE");
        assertThat(accepted.get()).isEqualTo(1);
        // and the outage is logged once per failed fetch, not once per request
        assertThat(
                GatewayHarness.logged(warnings).stream()
                    .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                    .count())
            .isEqualTo(1);
        oidcClient.close();
      } finally {
        oidcLog.detachAppender(warnings);
      }
    } finally {
      for (Socket s : held) s.close();
    }
  }
}
