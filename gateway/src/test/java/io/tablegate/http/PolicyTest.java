package io.tablegate.http;

import static io.tablegate.testing.Asserts.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.fixtures.DeltaTableWriter.ColumnSpec;
import io.tablegate.testing.ArrowRows;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
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
 * Recipient policies (issue 17 §3): a restricted recipient sees its columns in the metadata, never
 * a file outside its partitions, and reads every other file only rewritten by the gateway to its
 * columns and rows; another recipient of the same share reads the whole table.
 */
class PolicyTest {
  static final String DELTA = "responseformat=delta;readerfeatures=deletionvectors";
  static final String T = "/shares/s/schemas/d/tables/people";
  static final String ACME = "acme-token-0123456789";
  static final String FULL = "full-token-0123456789";
  static final String ADMIN = "policy-admin-token-0123456789";
  @TempDir static Path dir;
  static GatewayHarness gw;

  /** id, name, amount, ssn per region: EU 0-5, US 10-15, APAC 20-25; EU's id 2 deleted (a DV). */
  @BeforeAll
  static void start() throws Exception {
    DeltaTableWriter w =
        new DeltaTableWriter(
            dir.resolve("people"),
            List.of(
                new ColumnSpec("id", "long"),
                new ColumnSpec("name", "string"),
                new ColumnSpec("amount", "double"),
                new ColumnSpec("ssn", "string"),
                new ColumnSpec("region", "string")),
            List.of("region"));
    List<String> v0 =
        new ArrayList<>(
            w.createActions(
                Map.of("delta.enableDeletionVectors", "true"),
                3,
                7,
                List.of("deletionVectors"),
                List.of("deletionVectors")));
    String[] regions = {"EU", "US", "APAC"};
    for (int g = 0; g < regions.length; g++) {
      List<Object[]> rows = new ArrayList<>();
      for (long i = 0; i < 6; i++) {
        long id = g * 10L + i;
        rows.add(new Object[] {id, "n" + id, id * 1.5, "ssn-" + id, regions[g]});
      }
      var file = w.writeFile(rows);
      v0.add(DeltaTableWriter.add(file, 0, g == 0 ? w.writeDeletionVector(2) : null));
    }
    w.commit(0, v0, Instant.parse("2025-01-01T00:00:00Z"));
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        rewrites: {directory: rewrites}
        admin: {host: 127.0.0.1, port: 0, token: %s, catalogFile: catalog.json}
        authorization:
          tokens:
            - {id: acme, token: %s, shares: [s]}
            - {id: full, token: %s, shares: [s]}
            - {id: partonly, token: partonly-token-0123456789, shares: [s]}
        shares:
          - name: s
            schemas:
              - name: d
                tables:
                  - {name: people, location: people, historyShared: true}
            policies:
              - {recipient: acme, table: d.people, columns: [id, name, amount, region], filter: "region = 'EU' and amount > 1"}
              - {recipient: partonly, table: d.people, columns: [region]}
        """
                .formatted(ADMIN, ACME, FULL),
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static List<String> fields(JsonNode metaData) throws Exception {
    JsonNode m = metaData.has("deltaMetadata") ? metaData.get("deltaMetadata") : metaData;
    List<String> out = new ArrayList<>();
    for (JsonNode f : GatewayHarness.MAPPER.readTree(m.get("schemaString").asText()).get("fields"))
      out.add(f.get("name").asText());
    return out;
  }

  @Test
  void theMetadataShowsOnlyTheAllowedColumns() throws Exception {
    Response acme = gw.get(T + "/metadata", ACME);
    Response full = gw.get(T + "/metadata", FULL, Map.of("delta-sharing-capabilities", DELTA));
    assertThat(acme.status()).as(acme.text()).isEqualTo(200);
    JsonNode meta = acme.lines().get(1).get("metaData");
    assertThat(fields(meta)).containsExactly("id", "name", "amount", "region");
    assertThat(meta.get("partitionColumns").get(0).asText()).isEqualTo("region");
    assertThat(acme.text()).doesNotContain("ssn");
    assertThat(fields(full.lines().get(1).get("metaData"))).contains("ssn");
  }

  @Test
  void aRestrictedRecipientReadsItsRowsAndColumnsInEitherFormat() throws Exception {
    for (String caps : new String[] {null, DELTA}) {
      // When
      Response q =
          gw.post(
              T + "/query",
              ACME,
              caps == null ? Map.of() : Map.of("delta-sharing-capabilities", caps),
              "{}");
      // Then: one file (EU; US and APAC are never listed), rewritten by the gateway
      assertThat(q.status()).as(q.text()).isEqualTo(200);
      List<JsonNode> lines = q.lines();
      assertThat(lines).hasSize(3);
      JsonNode file = lines.get(2).get("file");
      JsonNode add =
          file.has("deltaSingleAction") ? file.get("deltaSingleAction").get("add") : file;
      String url = add.has("path") ? add.get("path").asText() : add.get("url").asText();
      assertThat(url).startsWith(gw.endpoint() + "/files/");
      assertThat(add.has("deletionVector")).isFalse();
      assertThat(add.get("partitionValues").get("region").asText()).isEqualTo("EU");
      JsonNode stats = GatewayHarness.MAPPER.readTree(add.get("stats").asText());
      assertThat(stats.get("numRecords").asLong()).isEqualTo(4); // ids 1, 3, 4, 5
      assertThat(stats.get("minValues").has("ssn")).isFalse();
      // the bytes behind the URL hold no ssn column
      Response bytes = gw.send(HttpMethod.GET, url, null, Map.of(), null);
      Path local = Files.createTempFile(dir, "served", ".parquet");
      Files.write(local, bytes.body());
      assertThat(bytes.body().length).isEqualTo(add.get("size").asInt());
      assertThat(new String(bytes.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
          .doesNotContain("ssn");
      Path received =
          Recipient.materialize(gw, lines, dir.resolve("acme-" + (caps == null ? "p" : "d")));
      assertThat(KernelRows.readTable(received))
          .containsExactlyInAnyOrder(
              "id=1|name=n1|amount=1.5|region=EU",
              "id=3|name=n3|amount=4.5|region=EU",
              "id=4|name=n4|amount=6.0|region=EU",
              "id=5|name=n5|amount=7.5|region=EU");
    }
    // and another recipient of the share reads the whole table
    Response full = gw.post(T + "/query", FULL, Map.of("delta-sharing-capabilities", DELTA), "{}");
    assertThat(full.lines()).hasSize(5);
    assertThat(KernelRows.readTable(Recipient.materialize(gw, full.lines(), dir.resolve("full"))))
        .hasSize(17)
        .anyMatch(r -> r.contains("ssn=ssn-20"));
  }

  @Test
  void theSampleFollowsThePolicy() throws Exception {
    Response sample = gw.get(T + "/sample?limit=100", ACME);
    assertThat(sample.status()).as(sample.text()).isEqualTo(200);
    assertThat(ArrowRows.read(sample.body()).rows())
        .containsExactlyInAnyOrder(
            "id=1|name=n1|amount=1.5|region=EU",
            "id=3|name=n3|amount=4.5|region=EU",
            "id=4|name=n4|amount=6.0|region=EU",
            "id=5|name=n5|amount=7.5|region=EU");
  }

  @Test
  void aPolicyThatLeavesNoDataColumnIsRefusedBeforeTheStream() {
    assertError(
        gw.post(T + "/query", "partonly-token-0123456789", "{}"), 400, "UNSUPPORTED_OPERATION");
  }

  @Test
  void rawAccessAndChangesAreRefusedUnderAPolicy() {
    assertError(gw.get(T + "/changes?startingVersion=0", ACME), 400, "UNSUPPORTED_OPERATION");
    Response creds = gw.post(T + "/temporary-table-credentials", ACME, "{}");
    assertThat(creds.status()).as(creds.text()).isEqualTo(403);
    // hints are ignored under a policy: they cannot probe the hidden rows' files
    Response hinted =
        gw.post(
            T + "/query",
            ACME,
            "{\"jsonPredicateHints\": \"{\\\"op\\\":\\\"equal\\\",\\\"children\\\":[{\\\"op\\\":\\\"column\\\",\\\"name\\\":\\\"region\\\",\\\"valueType\\\":\\\"string\\\"},{\\\"op\\\":\\\"literal\\\",\\\"value\\\":\\\"US\\\",\\\"valueType\\\":\\\"string\\\"}]}\"}");
    assertThat(hinted.status()).as(hinted.text()).isEqualTo(200);
    assertThat(hinted.lines()).hasSize(3);
  }

  @Test
  void policiesAreSetAndRemovedLiveThroughTheAdminApiAndTheCli() throws Exception {
    // Given: a live share with the same table, a recipient and its token
    assertThat(cli("share", "create", "live").code()).isZero();
    assertThat(
            cli(
                    "share",
                    "update",
                    "live",
                    "--add-table",
                    "d.people=" + dir.resolve("people").toUri())
                .code())
        .isZero();
    assertThat(cli("recipient", "create", "globex", "--share", "live").code()).isZero();
    Response token = gw.admin(HttpMethod.POST, "/recipients/globex/tokens", ADMIN, "{}");
    assertThat(token.status()).as(token.text()).isEqualTo(201);
    String globex = token.json().get("token").asText();
    String live = "/shares/live/schemas/d/tables/people";
    // When: a policy by the recipient's name
    io.tablegate.app.CliTest.Run set =
        cli(
            "share",
            "update",
            "live",
            "--policy",
            "recipient=globex",
            "table=d.people",
            "exceptColumns=ssn,amount",
            "filter=region in ('US', 'APAC') and not id = 21");
    // Then
    assertThat(set.code()).as(set.err()).isZero();
    assertThat(set.out()).contains("Policy set: recipient globex reads live.d.people");
    Response q = gw.post(live + "/query", globex, "{}");
    assertThat(q.status()).as(q.text()).isEqualTo(200);
    assertThat(q.lines()).hasSize(4); // US and APAC
    assertThat(KernelRows.readTable(Recipient.materialize(gw, q.lines(), dir.resolve("globex"))))
        .hasSize(11)
        .allMatch(r -> r.matches("id=\\d+\\|name=n\\d+\\|region=(US|APAC)"))
        .noneMatch(r -> r.startsWith("id=21|"));
    assertThat(gw.admin(HttpMethod.GET, "/shares/live", ADMIN, null).text())
        .contains("\"recipient\" : \"globex\"")
        .contains("\"exceptColumns\"");
    // a page token is bound to the policy it was issued under
    Response first = gw.post(live + "/query", globex, "{\"maxFiles\": 1}");
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    String pageToken =
        first
            .lines()
            .get(first.lines().size() - 1)
            .get("endStreamAction")
            .get("nextPageToken")
            .asText();
    String nextPage = "{\"maxFiles\": 1, \"pageToken\": \"" + pageToken + "\"}";
    assertThat(gw.post(live + "/query", globex, nextPage).status()).isEqualTo(200);
    assertThat(
            cli(
                    "share",
                    "update",
                    "live",
                    "--policy",
                    "recipient=globex",
                    "table=d.people",
                    "exceptColumns=ssn,amount",
                    "filter=region = 'US'")
                .code())
        .isZero();
    assertThat(
            GatewayHarness.eventually(
                () ->
                    gw.post(
                                live + "/query",
                                globex,
                                "{\"maxFiles\": 1, \"pageToken\": \"" + pageToken + "\"}")
                            .status()
                        == 400))
        .isTrue();
    // a bad filter is refused with the reason
    io.tablegate.app.CliTest.Run bad =
        cli(
            "share",
            "update",
            "live",
            "--policy",
            "recipient=globex",
            "table=d.people",
            "filter=region = ");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("filter");
    // When: removed
    io.tablegate.app.CliTest.Run removed =
        cli("share", "update", "live", "--remove-policy", "recipient=globex", "table=d.people");
    assertThat(removed.code()).as(removed.err()).isZero();
    // Then: the whole table again
    assertThat(
            GatewayHarness.eventually(
                () ->
                    gw.post(
                                live + "/query",
                                globex,
                                Map.of("delta-sharing-capabilities", DELTA),
                                "{}")
                            .lines()
                            .size()
                        == 5))
        .isTrue();
  }

  private static io.tablegate.app.CliTest.Run cli(String... args) {
    return io.tablegate.app.CliTest.cli(gw, ADMIN, args);
  }
}
