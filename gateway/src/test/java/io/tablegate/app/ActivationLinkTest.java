package io.tablegate.app;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.config.ConfigLoader;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.MutableClock;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Single-use activation links, as Databricks open sharing hands them out: the recipient downloads
 * its profile once, then the link is gone; concurrent openers get one profile between them; the
 * code never appears in a log.
 */
class ActivationLinkTest {
  static final String ADMIN = "activation-admin-token-0123";
  @TempDir static Path dir;
  static GatewayHarness gw;
  static final MutableClock clock = new MutableClock(Instant.now());
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    TestTables.writeHistoryTable(dir.resolve("t"));
    var config =
        ConfigLoader.parse(
                """
                version: 1
                host: 127.0.0.1
                port: 0
                admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog.json}
                authorization: {tokens: [{id: static, token: static-token-0123456789, shares: [s]}]}
                shares:
                  - name: s
                    schemas:
                      - name: n
                        tables:
                          - {name: t, location: t}
                """
                    .formatted(ADMIN),
                dir)
            .config();
    gw = GatewayHarness.start(config, clock);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    gw.close();
  }

  static Response admin(HttpMethod m, String path, String body) {
    return gw.admin(m, path, ADMIN, body);
  }

  static String cliLink(String... args) throws Exception {
    CliTest.Run run = CliTest.cli(gw, ADMIN, args);
    assertThat(run.code()).as(run.out()).isZero();
    return GatewayHarness.MAPPER.readTree(run.out()).get("activationUrl").asText();
  }

  @Test
  void aLinkDownloadsItsProfileOnceAndTheCodeIsNeverLogged() throws Exception {
    String link =
        cliLink("share", "token", "create", "s", "--activation", "--json", "--expires-in", "30d");
    String code = link.substring(link.lastIndexOf('/') + 1);
    assertThat(link).startsWith(gw.endpoint() + "/activate/");
    // the recipient opens it: no bearer token, a profile file
    Response first = gw.send(HttpMethod.GET, link, null, Map.of(), null);
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.header("Cache-Control")).isEqualTo("no-store");
    JsonNode profile = first.json();
    assertThat(profile.get("endpoint").asText()).isEqualTo(gw.endpoint());
    assertThat(profile.get("expirationTime").asText()).isNotBlank();
    String bearer = profile.get("bearerToken").asText();
    assertThat(gw.get("/shares/s/schemas/n/tables/t/version", bearer).status()).isEqualTo(200);
    // then it is gone, and says so the same way as a link that never was
    assertError(
        gw.send(HttpMethod.GET, link, null, Map.of(), null), 404, "RESOURCE_DOES_NOT_EXIST");
    assertError(
        gw.send(HttpMethod.GET, gw.endpoint() + "/activate/not-a-real-code", null, Map.of(), null),
        404,
        "RESOURCE_DOES_NOT_EXIST");
    // the token is an ordinary one: listed (without secrets) and revocable
    assertThat(admin(HttpMethod.GET, "/shares/s/tokens", null).text()).doesNotContain(bearer);
    // the opens were logged (as the "activate" endpoint), without the code
    assertThat(
            GatewayHarness.eventually(
                () ->
                    GatewayHarness.logged(logs).stream()
                        .anyMatch(e -> String.valueOf(e.getKeyValuePairs()).contains("activate"))))
        .isTrue();
    for (ILoggingEvent e : GatewayHarness.logged(logs)) {
      assertThat(e.getFormattedMessage() + " " + e.getKeyValuePairs())
          .doesNotContain(code)
          .doesNotContain(bearer);
    }
  }

  @Test
  void concurrentOpenersGetOneProfileBetweenThem() throws Exception {
    Response created = admin(HttpMethod.POST, "/shares/s/activations", "{}");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String link = created.json().get("activationUrl").asText();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> opens = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<Integer> open = () -> gw.send(HttpMethod.GET, link, null, Map.of(), null).status();
        opens.add(pool.submit(open));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : opens) statuses.add(f.get());
      assertThat(statuses.stream().filter(s -> s == 200).count())
          .as(statuses.toString())
          .isEqualTo(1);
      assertThat(statuses.stream().filter(s -> s == 404).count()).isEqualTo(7);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void linksExpireAndRecipientLinksCarryTheRecipientsShares() {
    Response r = admin(HttpMethod.POST, "/recipients", "{\"name\": \"acme\", \"shares\": [\"s\"]}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    String expiring =
        admin(HttpMethod.POST, "/recipients/acme/activations", "{\"linkExpiresInSeconds\": 60}")
            .json()
            .get("activationUrl")
            .asText();
    String kept =
        admin(HttpMethod.POST, "/recipients/acme/activations", "{\"linkExpiresInSeconds\": 3600}")
            .json()
            .get("activationUrl")
            .asText();
    clock.advance(Duration.ofSeconds(61));
    assertError(
        gw.send(HttpMethod.GET, expiring, null, Map.of(), null), 404, "RESOURCE_DOES_NOT_EXIST");
    Response ok = gw.send(HttpMethod.GET, kept, null, Map.of(), null);
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
    String bearer = ok.json().get("bearerToken").asText();
    assertThat(gw.get("/shares", bearer).text()).contains("\"s\"");
    // bad requests are refused clearly
    assertThat(admin(HttpMethod.POST, "/recipients/nobody/activations", "{}").status())
        .isEqualTo(404);
    assertThat(
            admin(HttpMethod.POST, "/shares/s/activations", "{\"linkExpiresInSeconds\": 99999999}")
                .status())
        .isEqualTo(400);
  }
}
