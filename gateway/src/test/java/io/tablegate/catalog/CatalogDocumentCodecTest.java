package io.tablegate.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The live catalog's one codec: it reads what earlier versions wrote, writes it back unchanged, and
 * refuses damage clearly.
 */
class CatalogDocumentCodecTest {
  /** A catalog as the untyped (ObjectNode) catalog of earlier versions wrote it. */
  static final String STORED =
      """
      {
        "shares" : [ {
          "name" : "sales",
          "id" : "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
          "schemas" : [ {
            "name" : "eu",
            "tables" : [ { "name" : "orders", "location" : "s3://lake/orders", "historyShared" : true, "custom" : {"k": 1} } ]
          }, {
            "name" : "empty",
            "tables" : [ ]
          } ]
        } ],
        "recipients" : [ {
          "name" : "acme",
          "shares" : [ "sales" ],
          "oidc" : { "issuer" : "https://idp", "claim" : "sub", "value" : "client-1" },
          "createdAt" : "2026-11-01T00:00:00Z"
        } ],
        "tokens" : [ {
          "id" : "tok_0011223344556677",
          "sha256" : "ab12",
          "shares" : [ ],
          "recipient" : "acme",
          "description" : "nightly",
          "createdAt" : "2026-11-01T00:00:00Z",
          "expiresAt" : "2027-01-01T00:00:00Z",
          "revokedAt" : "2026-11-02T00:00:00Z",
          "rotatedFrom" : "tok_aa"
        } ]
      }
      """;

  @Test
  void readsWhatEarlierVersionsWroteAndWritesItBackTheSame() throws Exception {
    CatalogDocument doc = CatalogDocumentCodec.read(STORED.getBytes(StandardCharsets.UTF_8));
    assertThat(doc.share("SALES")).isPresent();
    assertThat(doc.share("sales").get().schema("EU").get().hasTable("Orders")).isTrue();
    assertThat(doc.recipient("acme").get().oidc().value()).isEqualTo("client-1");
    CatalogDocument.Token t = doc.token("tok_0011223344556677").get();
    assertThat(t.status(Instant.parse("2026-11-30T00:00:00Z"))).isEqualTo("revoked");
    assertThat(t.rotatedFrom()).isEqualTo("tok_aa");
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(mapper.readTree(CatalogDocumentCodec.write(doc))).isEqualTo(mapper.readTree(STORED));
    assertThat(CatalogDocumentCodec.read(CatalogDocumentCodec.write(doc))).isEqualTo(doc);
  }

  @Test
  void anEmptyStoreIsAnEmptyCatalog() {
    assertThat(CatalogDocumentCodec.read(new byte[0])).isEqualTo(CatalogDocument.EMPTY);
  }

  @Test
  void tablesCannotBeChangedThroughTheDocument() {
    CatalogDocument doc = CatalogDocumentCodec.read(STORED.getBytes(StandardCharsets.UTF_8));
    doc.shares().get(0).schemas().get(0).tables().get(0).put("location", "s3://elsewhere");
    assertThat(doc.shares().get(0).schemas().get(0).tables().get(0).path("location").asText())
        .isEqualTo("s3://lake/orders");
  }

  @Test
  void damageIsRefusedWithAClearMessage() {
    assertThatThrownBy(
            () -> CatalogDocumentCodec.read("{\"shares\": [".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> CatalogDocumentCodec.read("[]".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(
            () -> CatalogDocumentCodec.read("{\"shares\": {}}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("'shares' is not an array");
    assertThatThrownBy(
            () ->
                CatalogDocumentCodec.read(
                    "{\"tokens\": [{\"id\": \"t\"}]}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("without 'sha256'");
    assertThatThrownBy(
            () ->
                CatalogDocumentCodec.read(
                    "{\"tokens\": [{\"id\": \"t\", \"sha256\": \"x\", \"expiresAt\": \"soon\"}]}"
                        .getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not an ISO-8601 instant");
  }
}
