package io.tablegate.storage;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.RedisHarness;
import io.tablegate.testing.S3Harness;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway instances share a real Redis and one table in a real S3 server, with a long staleness
 * bound: bucket notifications (MinIO webhook to either instance, or MinIO's Redis list) make a new
 * commit visible on both at once; Redis going away degrades to local invalidation and comes back by
 * itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotificationsTest {
  static final String TOKEN = "webhook-token-0123456789";
  static final String Q = "/shares/s/schemas/n/tables/t/version";
  @TempDir static Path dir;
  static S3Harness s3;
  static RedisHarness redis;
  static GatewayHarness a;
  static GatewayHarness b;
  static DeltaTableWriter writer;
  static long next = 5;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Harness(dir.resolve("s3"));
    redis = new RedisHarness(dir.resolve("redis"));
    TestTables.writeHistoryTable(dir.resolve("t"));
    s3.createBucket("lake");
    s3.upload(dir.resolve("t"), "lake", "tables/t");
    writer = TestTables.historyTableWriter(dir.resolve("t"));
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 600000
        stores:
        %s
        redis: {uri: "%s"}
        notifications: {webhookToken: %s, redisList: minio-events, snsHosts: [localhost]}
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: "s3://lake/tables/t", historyShared: true}
        """
            .formatted(s3.storeYaml("main").stripTrailing(), redis.uri(), TOKEN);
    a = GatewayHarness.start(yaml, dir);
    b = GatewayHarness.start(yaml, dir);
  }

  @AfterAll
  static void stop() throws Exception {
    a.close();
    b.close();
    redis.close();
    s3.close();
  }

  /**
   * Writes commit {@code next} locally and uploads it: the store has a new version nobody was told
   * about.
   */
  static String commit() throws Exception {
    long v = next++;
    var f =
        writer.writeFile(List.<Object[]>of(new Object[] {v, "n" + v, LocalDate.of(2024, 6, 1)}));
    writer.commit(
        v, List.of(DeltaTableWriter.add(f, Instant.now().toEpochMilli(), null)), Instant.now());
    String log = String.format("_delta_log/%020d.json", v);
    s3.client.putObject(
        r -> r.bucket("lake").key("tables/t/" + f.path()), dir.resolve("t").resolve(f.path()));
    s3.client.putObject(
        r -> r.bucket("lake").key("tables/t/" + log), dir.resolve("t").resolve(log));
    return "tables/t/" + log;
  }

  static String minioEvent(String key) {
    return minioEvent(key, Instant.now());
  }

  static String minioEvent(String key, Instant eventTime) {
    String escaped = key.replace("/", "%2F");
    return """
        {"EventName":"s3:ObjectCreated:Put","Key":"lake/%s","Records":[{"eventVersion":"2.0","eventSource":"minio:s3",
         "eventTime":"%s","eventName":"s3:ObjectCreated:Put",
         "s3":{"bucket":{"name":"lake"},"object":{"key":"%s","size":100,"sequencer":"%s"}}}]}
        """
        .formatted(key, eventTime, escaped, Long.toHexString(System.nanoTime()));
  }

  static double metric(GatewayHarness gw, String name) {
    for (String line : gw.management("/metrics").text().split("\n")) {
      if (line.startsWith(name + " "))
        return Double.parseDouble(line.substring(name.length() + 1).trim());
    }
    return Double.NaN;
  }

  static Response webhook(GatewayHarness gw, String token, String body) {
    Map<String, String> headers =
        token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    return gw.send(
        io.vertx.core.http.HttpMethod.POST,
        gw.endpoint().replace("/delta-sharing", "") + "/events",
        null,
        headers,
        body);
  }

  static String version(GatewayHarness gw) {
    Response r = gw.get(Q, null);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.header("Delta-Table-Version");
  }

  static void awaitVersion(GatewayHarness gw, long v) throws InterruptedException {
    GatewayHarness.eventually(() -> version(gw).equals(Long.toString(v)));
    assertThat(version(gw)).isEqualTo(Long.toString(v));
  }

  @Test
  @Order(1)
  void aWebhookToOneInstanceMakesTheCommitVisibleOnBoth() throws Exception {
    // Given: both instances have cached version 4 for ten minutes
    assertThat(version(a)).isEqualTo("4");
    assertThat(version(b)).isEqualTo("4");
    String key = commit();
    assertThat(version(a)).isEqualTo("4");
    // When: the store says the commit happened two minutes ago (a delayed notification)
    Response r = webhook(a, TOKEN, minioEvent(key, Instant.now().minusSeconds(120)));
    // Then
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("invalidatedTables").asInt()).isEqualTo(1);
    assertThat(version(a)).isEqualTo("5");
    awaitVersion(b, 5);
    // and the invalidation lag (event time to invalidation) was measured from the event's own time
    assertThat(metric(a, "tablegate_invalidation_lag_seconds_count")).isEqualTo(1.0);
    assertThat(metric(a, "tablegate_invalidation_lag_seconds_sum")).isGreaterThanOrEqualTo(120.0);
  }

  @Test
  @Order(2)
  void minioRedisTargetMessagesInvalidateToo() throws Exception {
    String key = commit();
    String record = minioEvent(key);
    String inner = record.substring(record.indexOf("\"Records\":[") + 11, record.lastIndexOf(']'));
    assertThat(
            redis.run(
                "RPUSH",
                "minio-events",
                "[{\"Event\":[" + inner + "],\"EventTime\":\"2026-11-25T00:00:00Z\"}]"))
        .startsWith(":");
    awaitVersion(a, 6);
    awaitVersion(b, 6);
  }

  @Test
  @Order(3)
  void badAndIrrelevantEventsInvalidateNothing() throws Exception {
    String key = commit(); // version 7 exists in the store, but nobody says so correctly
    assertError(webhook(a, null, minioEvent(key)), 401, "UNAUTHENTICATED");
    assertError(webhook(a, "wrong-token-0123456789", minioEvent(key)), 401, "UNAUTHENTICATED");
    assertError(webhook(a, TOKEN, "{not json"), 400, "MALFORMED_REQUEST");
    Response dataFile = webhook(a, TOKEN, minioEvent("tables/t/day=2024-06-01/part-0.parquet"));
    assertThat(dataFile.json().get("invalidatedTables").asInt()).isZero();
    Response otherBucket =
        webhook(a, TOKEN, minioEvent(key).replace("\"name\":\"lake\"", "\"name\":\"other\""));
    assertThat(otherBucket.json().get("invalidatedTables").asInt()).isZero();
    assertThat(webhook(a, TOKEN, "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\"}").status())
        .isEqualTo(200);
    assertThat(version(a)).isEqualTo("6");
    assertThat(version(b)).isEqualTo("6");
    // MinIO's liveness probe
    assertThat(
            a.send(
                    io.vertx.core.http.HttpMethod.HEAD,
                    a.endpoint().replace("/delta-sharing", "") + "/events",
                    null,
                    Map.of(),
                    null)
                .status())
        .isEqualTo(200);
    // the right event, sent twice, is harmless
    String event = minioEvent(key);
    assertThat(webhook(b, TOKEN, event).status()).isEqualTo(200);
    assertThat(webhook(b, TOKEN, event).status()).isEqualTo(200);
    awaitVersion(a, 7);
    awaitVersion(b, 7);
  }

  @Test
  @Order(4)
  void withoutRedisInvalidationsStayLocalAndNoRequestFails() throws Exception {
    // Given
    redis.kill();
    GatewayHarness.eventually(() -> a.management("/readyz").text().contains("unreachable"));
    assertThat(a.management("/readyz").text()).contains("unreachable");
    assertThat(a.management("/metrics").text()).contains("tablegate_redis_connected 0.0");
    String key = commit(); // version 8
    // When
    Response r = webhook(a, TOKEN, minioEvent(key));
    // Then: the receiving instance is fresh, the other keeps its cached version, nobody fails
    assertThat(r.status()).isEqualTo(200);
    assertThat(version(a)).isEqualTo("8");
    assertThat(version(b)).isEqualTo("7");
    // When Redis comes back, the instances reconnect by themselves
    redis.start();
    GatewayHarness.eventually(
        () -> a.management("/readyz").text().contains("\"redis\":\"connected\""));
    GatewayHarness.eventually(
        () -> b.management("/readyz").text().contains("\"redis\":\"connected\""));
    assertThat(a.management("/metrics").text()).contains("tablegate_redis_connected 1.0");
    key = commit(); // version 9
    assertThat(webhook(a, TOKEN, minioEvent(key)).status()).isEqualTo(200);
    awaitVersion(b, 9);
  }

  @Test
  @Order(5)
  void aLostEventOnlyDelaysFreshnessByTheStalenessBound() throws Exception {
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 300
        stores:
        %s
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: "s3://lake/tables/t", historyShared: true}
        """
            .formatted(s3.storeYaml("main").stripTrailing());
    try (GatewayHarness c = GatewayHarness.start(yaml, dir)) {
      String before = version(c);
      commit(); // no event at all
      long v = next - 1;
      assertThat(before).isEqualTo(Long.toString(v - 1));
      Thread.sleep(350);
      assertThat(version(c)).isEqualTo(Long.toString(v));
    }
  }

  static Response webhookUrl(GatewayHarness gw, String query, String body) {
    return gw.send(
        io.vertx.core.http.HttpMethod.POST,
        gw.endpoint().replace("/delta-sharing", "") + "/events" + query,
        null,
        Map.of(),
        body);
  }

  static String cephEvent(String key) {
    return """
        {"Records":[{"eventVersion":"2.2","eventSource":"ceph:s3","awsRegion":"default","eventTime":"2026-11-30T10:00:00.000Z",
         "eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","configurationId":"tablegate","bucket":{"name":"lake"},
         "object":{"key":"%s","size":100,"eTag":"e","sequencer":"%s"}}}]}
        """
        .formatted(key, Long.toHexString(System.nanoTime()));
  }

  @Test
  @Order(10)
  void cephRgwAuthenticatesWithTheTokenInTheQueryAndSendsRawKeys() throws Exception {
    // Given: a commit nobody was told about (the staleness bound is ten minutes)
    String key = commit();
    // When: a wrong token, no token, then the right one as RGW sends it (no Authorization header)
    assertError(
        webhookUrl(a, "?token=wrong-token-0123456789", cephEvent(key)), 401, "UNAUTHENTICATED");
    assertError(webhookUrl(a, "", cephEvent(key)), 401, "UNAUTHENTICATED");
    Response ok = webhookUrl(a, "?token=" + TOKEN, cephEvent(key));
    // Then
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
    assertThat(ok.json().get("invalidatedTables").asInt()).isEqualTo(1);
    awaitVersion(a, next - 1);
    awaitVersion(b, next - 1);
  }

  @Test
  @Order(11)
  void snsNotificationsAndSubscriptionConfirmations() throws Exception {
    // Given
    String key = commit();
    String inner =
        """
        {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"lake"},
         "object":{"key":"%s","sequencer":"%s"}}}]}"""
            .formatted(key, Long.toHexString(System.nanoTime()));
    String envelope =
        "{\"Type\":\"Notification\",\"MessageId\":\"1\",\"TopicArn\":\"arn:aws:sns:us-east-1:1:lake\",\"Message\":"
            + com.fasterxml.jackson.databind.node.TextNode.valueOf(inner)
            + "}";
    // When
    Response ok = webhookUrl(b, "?token=" + TOKEN, envelope);
    // Then
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
    awaitVersion(a, next - 1);
    // and a subscription confirmation that points anywhere but SNS is refused without a request
    String confirm =
        "{\"Type\":\"SubscriptionConfirmation\",\"TopicArn\":\"arn:aws:sns:us-east-1:1:lake\",\"Token\":\"t\","
            + "\"SubscribeURL\":\"http://127.0.0.1:1/latest/meta-data\"}";
    assertError(webhookUrl(b, "?token=" + TOKEN, confirm), 400, "INVALID_PARAMETER_VALUE");
    assertError(webhookUrl(b, "", confirm), 401, "UNAUTHENTICATED");
    // while one on an allowed host is confirmed by fetching its SubscribeURL
    java.util.concurrent.CompletableFuture<String> fetched =
        new java.util.concurrent.CompletableFuture<>();
    io.vertx.core.http.HttpServer sns =
        GatewayHarness.await(
            b.vertx
                .createHttpServer()
                .requestHandler(
                    req -> {
                      fetched.complete(req.uri());
                      req.response().end("<ConfirmSubscriptionResponse/>");
                    })
                .listen(0, "127.0.0.1"));
    try {
      String allowed =
          confirm.replace(
              "http://127.0.0.1:1/latest/meta-data",
              "http://localhost:" + sns.actualPort() + "/?Action=ConfirmSubscription&Token=t");
      Response confirmed = webhookUrl(b, "?token=" + TOKEN, allowed);
      assertThat(confirmed.status()).as(confirmed.text()).isEqualTo(200);
      assertThat(fetched.get(30, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo("/?Action=ConfirmSubscription&Token=t");
    } finally {
      GatewayHarness.await(sns.close());
    }
  }
}
