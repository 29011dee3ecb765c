package io.tablegate.engines;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.CephRgw;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Directory access (the protocol's {@code dir} mode) against Ceph RGW's real STS: a share that
 * opted in lists its tables with their location and {@code accessModes}, and {@code
 * temporary-table-credentials} hands out credentials from {@code AssumeRole} narrowed by a session
 * policy to the table's prefix: they read and list the table's objects and nothing else (another
 * prefix, the bucket's root listing, writes: 403). Locations outside the table, shares that did not
 * opt in, and logs that would show the secret are refused.
 */
class DirectoryAccessTest {
  static final String T = "/shares/dirs/schemas/n/tables/hist";
  static final String ADMIN = "directory-admin-token-0123456789";
  static final String READER = "directory-reader-token-0123456789";
  @TempDir static Path dir;
  static CephRgw rgw;
  static GatewayHarness gw;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    rgw = CephRgw.shared();
    rgw.client.createBucket(b -> b.bucket("lake"));
    Path local = dir.resolve("hist");
    TestTables.writeHistoryTable(local);
    try (Stream<Path> files = Files.walk(local)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String key = "sales/hist/" + local.relativize(f).toString().replace('\\', '/');
        rgw.client.putObject(b -> b.bucket("lake").key(key), RequestBody.fromFile(f));
      }
    }
    rgw.client.putObject(
        b -> b.bucket("lake").key("finance/secret.txt"), RequestBody.fromString("not yours"));
    String store = rgw.storeYamlWithRole("ceph");
    gw =
        GatewayHarness.start(
            """
            version: 1
            host: 127.0.0.1
            port: 0
            management: {host: 127.0.0.1, port: 0}
            admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog.json}
            authorization: {tokens: [{id: reader, token: %s, shares: [dirs, urls]}]}
            stores:
            %s
            shares:
              - name: dirs
                directoryAccess: true
                schemas:
                  - name: n
                    tables:
                      - {name: hist, location: "s3://lake/sales/hist", store: ceph, historyShared: true}
                      - {name: recent, location: "s3://lake/sales/hist", store: ceph}
              - name: urls
                schemas:
                  - name: n
                    tables:
                      - {name: hist, location: "s3://lake/sales/hist", store: ceph, historyShared: true}
            """
                .formatted(ADMIN, READER, store.stripTrailing()),
            dir);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (gw != null) gw.close();
  }

  static Response credentials(String table, String body) {
    return gw.post(table + "/temporary-table-credentials", READER, body);
  }

  static Response admin(io.vertx.core.http.HttpMethod m, String path, String body) {
    return gw.admin(m, path, ADMIN, body);
  }

  static S3Client as(JsonNode aws, boolean withToken) {
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(rgw.endpoint))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                withToken
                    ? AwsSessionCredentials.create(
                        aws.get("accessKeyId").asText(),
                        aws.get("secretAccessKey").asText(),
                        aws.get("sessionToken").asText())
                    : AwsBasicCredentials.create(
                        aws.get("accessKeyId").asText(), aws.get("secretAccessKey").asText())))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  static int status(Runnable call) {
    try {
      call.run();
      return 200;
    } catch (S3Exception e) {
      return e.statusCode();
    }
  }

  @Test
  void listingsShowTheLocationAndAccessModesOfDirectoryTablesOnly() {
    JsonNode tables = gw.get("/shares/dirs/schemas/n/tables", READER).json().get("items");
    assertThat(tables.get(0).get("location").asText()).isEqualTo("s3://lake/sales/hist");
    assertThat(tables.get(0).get("accessModes").toString()).isEqualTo("[\"url\",\"dir\"]");
    JsonNode plain = gw.get("/shares/urls/schemas/n/tables", READER).json().get("items");
    assertThat(plain.get(0).has("location")).isFalse();
    assertThat(plain.get(0).has("accessModes")).isFalse();
    // and so does the table's metaData
    JsonNode meta = gw.get(T + "/metadata", READER).lines().get(1).get("metaData");
    assertThat(meta.get("location").asText()).isEqualTo("s3://lake/sales/hist");
    assertThat(meta.get("accessModes").toString()).isEqualTo("[\"url\",\"dir\"]");
    assertThat(
            gw.get("/shares/urls/schemas/n/tables/hist/metadata", READER)
                .lines()
                .get(1)
                .get("metaData")
                .has("location"))
        .isFalse();
  }

  @Test
  void theCredentialsReadTheTablesDirectoryAndNothingElse() throws Exception {
    // When
    Response r = credentials(T, "{}");
    // Then
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode c = r.json().get("credentials");
    assertThat(c.get("location").asText()).isEqualTo("s3://lake/sales/hist");
    assertThat(c.get("expirationTime").asLong())
        .isGreaterThan(System.currentTimeMillis() + 600_000);
    JsonNode aws = c.get("awsTempCredentials");
    assertThat(aws.get("accessKeyId").asText()).isNotEqualTo(rgw.accessKey);
    try (S3Client s3 = as(aws, true)) {
      byte[] first =
          s3.getObjectAsBytes(
                  b -> b.bucket("lake").key("sales/hist/_delta_log/00000000000000000000.json"))
              .asByteArray();
      assertThat(new String(first)).contains("\"protocol\"");
      List<String> keys =
          s3
              .listObjectsV2(b -> b.bucket("lake").prefix("sales/hist/_delta_log/"))
              .contents()
              .stream()
              .map(o -> o.key())
              .toList();
      assertThat(keys).contains("sales/hist/_delta_log/00000000000000000000.json");
      // another prefix, the bucket's root listing, a write: refused by the store
      assertThat(status(() -> s3.getObjectAsBytes(b -> b.bucket("lake").key("finance/secret.txt"))))
          .isEqualTo(403);
      assertThat(status(() -> s3.listObjectsV2(b -> b.bucket("lake")))).isEqualTo(403);
      assertThat(
              status(
                  () ->
                      s3.putObject(
                          b -> b.bucket("lake").key("sales/hist/planted.json"),
                          RequestBody.fromString("{}"))))
          .isEqualTo(403);
    }
    // the temporary key is nothing without its session token
    try (S3Client s3 = as(aws, false)) {
      assertThatThrownBy(
              () ->
                  s3.getObjectAsBytes(
                      b -> b.bucket("lake").key("sales/hist/_delta_log/00000000000000000000.json")))
          .isInstanceOf(S3Exception.class);
    }
    // nothing of the credentials reaches the logs
    for (ILoggingEvent e : GatewayHarness.logged(logs)) {
      String line = e.getFormattedMessage() + " " + e.getKeyValuePairs();
      assertThat(line)
          .doesNotContain(aws.get("secretAccessKey").asText())
          .doesNotContain(aws.get("sessionToken").asText());
    }
  }

  @Test
  void locationsOutsideTheTableAndTablesWithoutDirectoryAccessAreRefused() {
    Response under = credentials(T, "{\"location\": \"s3a://LAKE/sales/hist/_delta_log/\"}");
    assertThat(under.status()).as(under.text()).isEqualTo(200);
    assertThat(under.json().get("credentials").get("location").asText())
        .isEqualTo("s3://lake/sales/hist/_delta_log");
    for (String outside :
        List.of(
            "s3://lake/finance",
            "s3://lake/sales/history",
            "s3://lake/sales/hist/../../finance",
            "s3://other/sales/hist",
            "file:/etc",
            "")) {
      assertError(
          credentials(T, "{\"location\": \"" + outside + "\"}"), 400, "INVALID_PARAMETER_VALUE");
    }
    assertError(credentials(T, "{\"location\": 7}"), 400, "MALFORMED_REQUEST");
    // a share that did not opt in, and a table without history sharing
    assertError(credentials("/shares/urls/schemas/n/tables/hist", "{}"), 403, "PERMISSION_DENIED");
    assertError(
        credentials("/shares/dirs/schemas/n/tables/recent", "{}"), 400, "INVALID_PARAMETER_VALUE");
  }

  @Test
  void aLiveShareOptsInAndOutThroughTheAdminApi() {
    // Given: a share made at run time, opted in
    assertThat(
            admin(
                    io.vertx.core.http.HttpMethod.POST,
                    "/shares",
                    "{\"name\": \"live\", \"directoryAccess\": true}")
                .status())
        .isEqualTo(201);
    assertThat(
            admin(io.vertx.core.http.HttpMethod.POST, "/shares/live/schemas", "{\"name\": \"n\"}")
                .status())
        .isEqualTo(201);
    Response table =
        admin(
            io.vertx.core.http.HttpMethod.POST,
            "/shares/live/schemas/n/tables",
            "{\"name\": \"hist\", \"location\": \"s3://lake/sales/hist\", \"store\": \"ceph\","
                + " \"historyShared\": true}");
    assertThat(table.status()).as(table.text()).isEqualTo(201);
    String liveToken =
        admin(io.vertx.core.http.HttpMethod.POST, "/shares/live/tokens", "{}")
            .json()
            .get("token")
            .asText();
    // Then
    Response r =
        gw.post("/shares/live/schemas/n/tables/hist/temporary-table-credentials", liveToken, "{}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    // When: it opts out
    assertThat(
            admin(
                    io.vertx.core.http.HttpMethod.PATCH,
                    "/shares/live",
                    "{\"directoryAccess\": false}")
                .status())
        .isEqualTo(200);
    // Then
    assertError(
        gw.post("/shares/live/schemas/n/tables/hist/temporary-table-credentials", liveToken, "{}"),
        403,
        "PERMISSION_DENIED");
    assertThat(
            gw.get("/shares/live/schemas/n/tables", liveToken)
                .json()
                .get("items")
                .get(0)
                .has("location"))
        .isFalse();
  }
}
