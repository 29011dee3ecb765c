package io.tablegate.storage;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.config.StoreConfig;
import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.storage.s3.S3Store;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import io.tablegate.testing.S3Harness;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables in a real S3 server (s3proxy verifies SigV4): presigned and proxied files, errors,
 * outages.
 */
class S3StorageTest {
  static final String T = "/shares/s/schemas/o/tables/";
  @TempDir static Path dir;
  static S3Harness main;
  static S3Harness other;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    main = new S3Harness(dir.resolve("s3-main"));
    other = new S3Harness(dir.resolve("s3-other"));
    TestTables.writeHistoryTable(dir.resolve("hist"));
    DeltaTableWriter w =
        new DeltaTableWriter(
            dir.resolve("dv"), List.of(new DeltaTableWriter.ColumnSpec("id", "long")), List.of());
    List<Object[]> rows = new ArrayList<>();
    for (long i = 0; i < 10; i++) rows.add(new Object[] {i});
    var file = w.writeFile(rows);
    List<String> v0 =
        new ArrayList<>(
            w.createActions(
                Map.of("delta.enableDeletionVectors", "true"),
                3,
                7,
                List.of("deletionVectors"),
                List.of("deletionVectors")));
    v0.add(DeltaTableWriter.add(file, 0, w.writeDeletionVector(0, 9)));
    w.commit(0, v0, Instant.now());
    main.createBucket("lake");
    main.upload(dir.resolve("hist"), "lake", "sales/hist");
    main.upload(dir.resolve("dv"), "lake", "sales/dv");
    main.upload(dir.resolve("hist"), "lake", "denied/hist");
    other.createBucket("second");
    other.upload(dir.resolve("hist"), "second", "copy");
    String publicMain = main.endpoint().replace("127.0.0.1", "localhost");
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 0
        stores:
          - {name: main, endpoint: "%s", publicEndpoint: "%s", accessKeyId: %s, secretAccessKey: %s}
          - {name: other, endpoint: "%s", accessKeyId: %s, secretAccessKey: %s, connectTimeoutMs: 500, requestTimeoutMs: 2000}
          - {name: denied, endpoint: "%s", accessKeyId: %s, secretAccessKey: wrong-secret-value-0123456789}
        shares:
          - name: s
            schemas:
              - name: o
                tables:
                  - {name: hist, location: "s3://lake/sales/hist", store: main, historyShared: true}
                  - {name: hist_proxy, location: "s3a://lake/sales/hist/", store: main, fileAccess: proxy, historyShared: true}
                  - {name: dv, location: "s3://lake/sales/dv", store: main}
                  - {name: copy, location: "s3://second/copy", store: other}
                  - {name: denied, location: "s3://lake/denied/hist", store: denied}
                  - {name: absent, location: "s3://lake/nothing/here", store: main}
        """
                .formatted(
                    main.endpoint(),
                    publicMain,
                    S3Harness.ACCESS_KEY,
                    S3Harness.SECRET_KEY,
                    other.endpoint(),
                    S3Harness.ACCESS_KEY,
                    S3Harness.SECRET_KEY,
                    main.endpoint(),
                    S3Harness.ACCESS_KEY),
            dir);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    main.close();
    other.close();
  }

  static List<JsonNode> files(Response r) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode l : r.lines()) if (l.has("file")) out.add(l.get("file"));
    return out;
  }

  @Test
  void presignedUrlsTargetTheStoresPublicEndpointPathStyleAndWork() {
    Response r = gw.post(T + "hist/query", null, "{}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<JsonNode> files = files(r);
    assertThat(files).hasSize(3);
    for (JsonNode f : files) {
      String url = f.get("url").asText();
      assertThat(url)
          .startsWith(
              main.endpoint().replace("127.0.0.1", "localhost") + "/lake/sales/hist/day%3D");
      assertThat(url).contains("X-Amz-Signature=").contains("X-Amz-Expires=3600");
      // the line's expiry is the URL's real expiry: X-Amz-Date + X-Amz-Expires
      String amzDate = url.replaceAll(".*X-Amz-Date=(\\d{8}T\\d{6}Z).*", "$1");
      Instant signedAt =
          java.time.LocalDateTime.parse(
                  amzDate, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
              .toInstant(java.time.ZoneOffset.UTC);
      assertThat(f.get("expirationTimestamp").asLong())
          .isEqualTo(signedAt.plusSeconds(3600).toEpochMilli());
      Response download = gw.fetch(url, Map.of());
      assertThat(download.status()).isEqualTo(200);
      assertThat((long) download.body().length).isEqualTo(f.get("size").asLong());
    }
    Response range = gw.fetch(files.get(0).get("url").asText(), Map.of("Range", "bytes=0-3"));
    assertThat(range.status()).isEqualTo(206);
    assertThat(new String(range.body())).isEqualTo("PAR1");
  }

  @Test
  void aPresignedUrlIsScopedToOneObject() {
    List<JsonNode> files = files(gw.post(T + "hist/query", null, "{}"));
    String a = files.get(0).get("url").asText();
    String b = files.get(1).get("url").asText();
    String aWithBsKey = b.substring(0, b.indexOf('?')) + a.substring(a.indexOf('?'));
    Response edited = gw.fetch(aWithBsKey, Map.of());
    assertThat(edited.status()).as(a + "\n" + b + "\n" + edited.text()).isEqualTo(403);
    String signature = a.replaceAll(".*X-Amz-Signature=([0-9a-f]+).*", "$1");
    String flipped = (signature.charAt(0) == '0' ? "1" : "0") + signature.substring(1);
    assertThat(gw.fetch(a.replace(signature, flipped), Map.of()).status()).isEqualTo(403);
    // without a signature the object is not served either (s3proxy answers 404 to anonymous GETs,
    // MinIO 403)
    assertThat(gw.fetch(a.substring(0, a.indexOf('?')), Map.of()).status()).isIn(403, 404);
  }

  @Test
  void aPresignedUrlExpires() throws Exception {
    // When: a URL signed for one second, straight from the store client
    try (S3Store store =
        new S3Store(
            new StoreConfig(
                "t",
                main.endpoint(),
                null,
                "us-east-1",
                true,
                S3Harness.ACCESS_KEY,
                S3Harness.SECRET_KEY,
                1000,
                2000))) {
      String location =
          files(gw.post(T + "hist_proxy/query", null, "{}")).isEmpty()
              ? null
              : "s3://lake/sales/hist/_delta_log/00000000000000000000.json";
      // SigV4 dates have whole seconds: a URL signed for 2 s is valid for at least 1 s from now
      var signed = store.presign(location, 2);
      assertThat(signed.expirationTimestamp())
          .isBetween(System.currentTimeMillis() + 1000, System.currentTimeMillis() + 2000);
      assertThat(gw.fetch(signed.url(), Map.of()).status()).isEqualTo(200);
      Thread.sleep(Math.max(0, signed.expirationTimestamp() - System.currentTimeMillis()) + 1100);
      // Then
      assertThat(gw.fetch(signed.url(), Map.of()).status()).isEqualTo(403);
      // a URL reuse window's URLs are signed as of the window's start: valid from then for their
      // seconds, the same bytes for every request of the window, refused once past
      java.time.Instant windowStart =
          java.time.Instant.ofEpochSecond(System.currentTimeMillis() / 1000 - 30);
      var windowed = store.presignAt(location, 3600, windowStart);
      assertThat(windowed.url()).contains("X-Amz-Expires=3600");
      assertThat(windowed.expirationTimestamp())
          .isEqualTo(windowStart.plusSeconds(3600).toEpochMilli());
      assertThat(store.presignAt(location, 3600, windowStart)).isEqualTo(windowed);
      assertThat(gw.fetch(windowed.url(), Map.of()).status()).isEqualTo(200);
      var past = store.presignAt(location, 10, windowStart);
      assertThat(gw.fetch(past.url(), Map.of()).status()).isEqualTo(403);
    }
  }

  @Test
  void historyAndChangesWorkThroughTheStore() {
    Response v1 = gw.post(T + "hist/query", null, "{\"version\": 1}");
    assertThat(files(v1)).hasSize(3);
    Response changes = gw.get(T + "hist/changes?startingVersion=0", null);
    List<String> kinds = new ArrayList<>();
    for (JsonNode l : changes.lines().subList(2, changes.lines().size()))
      kinds.add(l.fieldNames().next());
    assertThat(kinds).containsExactly("add", "add", "add", "cdf", "add");
    Response streaming = gw.post(T + "hist/query", null, "{\"startingVersion\": 1}");
    assertThat(streaming.lines()).hasSize(6);
  }

  @Test
  void proxyModeStreamsTheObjectThroughTheGateway() throws Exception {
    Response r =
        gw.post(
            T + "hist_proxy/query",
            null,
            Map.of("delta-sharing-capabilities", "responseformat=delta"),
            "{}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    for (JsonNode l : r.lines()) {
      if (l.has("file"))
        assertThat(l.get("file").get("deltaSingleAction").get("add").get("path").asText())
            .startsWith(gw.endpoint() + "/files/");
    }
    Path received = Recipient.materialize(gw, r.lines(), dir.resolve("received-proxy"));
    assertThat(KernelRows.readTable(received)).hasSize(9);
    String url = files(r).get(0).get("deltaSingleAction").get("add").get("path").asText();
    Response range = gw.fetch(url, Map.of("Range", "bytes=-4"));
    assertThat(range.status()).isEqualTo(206);
    assertThat(new String(range.body())).isEqualTo("PAR1");
    int mid = url.indexOf("/files/") + 12;
    assertError(
        gw.fetch(
            url.substring(0, mid) + (url.charAt(mid) == 'x' ? 'y' : 'x') + url.substring(mid + 1),
            Map.of()),
        403,
        "PERMISSION_DENIED");
  }

  @Test
  void deletionVectorsArePresignedToo() throws Exception {
    Response r =
        gw.post(
            T + "dv/query",
            null,
            Map.of(
                "delta-sharing-capabilities",
                "responseformat=delta;readerfeatures=deletionvectors"),
            "{}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode dv = files(r).get(0).get("deltaSingleAction").get("add").get("deletionVector");
    assertThat(dv.get("pathOrInlineDv").asText())
        .contains("/lake/sales/dv/deletion_vector_")
        .contains("X-Amz-Signature=");
    Path received = Recipient.materialize(gw, r.lines(), dir.resolve("received-dv"));
    assertThat(KernelRows.readTable(received)).hasSize(8);
  }

  @Test
  void eachTableUsesItsOwnStore() {
    Response r = gw.post(T + "copy/query", null, "{}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(files(r).get(0).get("url").asText()).startsWith(other.endpoint() + "/second/copy/");
  }

  @Test
  void badCredentialsAndMissingTablesAreClearErrors() {
    Response denied = gw.post(T + "denied/query", null, "{}");
    assertError(denied, 403, "PERMISSION_DENIED");
    assertThat(denied.json().get("message").asText())
        .contains("s.o.denied")
        .doesNotContain("wrong-secret")
        .doesNotContain(S3Harness.ACCESS_KEY);
    assertError(gw.post(T + "absent/query", null, "{}"), 404, "RESOURCE_DOES_NOT_EXIST");
  }

  @Test
  void aStoreThatIsDownIs503NotAHang() throws Exception {
    other.stop();
    try {
      // an answer at all is the point (no hang: the harness gives up after 120 s); how fast it
      // comes is the
      // store's connectTimeoutMs, not something a loaded CI machine can assert
      Response r = gw.post(T + "copy/query", null, "{}");
      assertError(r, 503, "TEMPORARILY_UNAVAILABLE");
      assertThat(r.header("Retry-After")).isNotNull();
      assertThat(r.json().get("message").asText()).contains("s.o.copy");
    } finally {
      other.restart();
    }
    assertThat(gw.post(T + "copy/query", null, "{}").status()).isEqualTo(200);
  }
}
