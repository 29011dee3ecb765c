package io.tablegate.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one reader and writer of the live catalog's JSON (as stored in a file or an object, and as
 * the admin API shows its parts). A document that is not what this codec writes is refused with a
 * clear message: it is the system of record, and guessing would serve the wrong shares.
 */
public final class CatalogDocumentCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CatalogDocumentCodec() {}

  public static CatalogDocument read(byte[] content) {
    if (content.length == 0) return CatalogDocument.EMPTY;
    JsonNode root;
    try {
      root = MAPPER.readTree(content);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(
          "The live catalog is not valid JSON (line " + e.getLocation().getLineNr() + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!(root instanceof ObjectNode))
      throw new IllegalStateException("The live catalog is not a JSON object");
    List<CatalogDocument.Share> shares = new ArrayList<>();
    for (JsonNode s : array(root, "shares")) {
      List<CatalogDocument.Schema> schemas = new ArrayList<>();
      for (JsonNode sc : array(s, "schemas")) {
        List<ObjectNode> tables = new ArrayList<>();
        for (JsonNode t : array(sc, "tables")) {
          if (!(t instanceof ObjectNode o))
            throw new IllegalStateException("A live table is not a JSON object");
          tables.add(o);
        }
        schemas.add(new CatalogDocument.Schema(required(sc, "name"), tables));
      }
      java.util.Map<String, String> properties = new java.util.LinkedHashMap<>();
      JsonNode p = s.path("properties");
      if (p.isObject())
        p.fields().forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
      shares.add(
          new CatalogDocument.Share(
              required(s, "name"),
              text(s, "id"),
              schemas,
              text(s, "displayName"),
              text(s, "comment"),
              properties,
              s.path("directoryAccess").asBoolean(false),
              policies(s.path("policies"))));
    }
    List<CatalogDocument.Recipient> recipients = new ArrayList<>();
    for (JsonNode r : array(root, "recipients")) {
      JsonNode o = r.path("oidc");
      CatalogDocument.OidcMatch oidc =
          o.isObject()
              ? new CatalogDocument.OidcMatch(
                  required(o, "issuer"),
                  text(o, "audience"),
                  o.path("claim").asText("sub"),
                  required(o, "value"))
              : null;
      recipients.add(
          new CatalogDocument.Recipient(
              required(r, "name"),
              strings(r, "shares"),
              oidc,
              instant(r, "createdAt"),
              strings(r, "allowedNetworks")));
    }
    List<CatalogDocument.Token> tokens = new ArrayList<>();
    for (JsonNode t : array(root, "tokens")) {
      tokens.add(
          new CatalogDocument.Token(
              required(t, "id"),
              required(t, "sha256"),
              strings(t, "shares"),
              text(t, "recipient"),
              text(t, "description"),
              instant(t, "createdAt"),
              instant(t, "expiresAt"),
              instant(t, "revokedAt"),
              text(t, "rotatedFrom")));
    }
    List<CatalogDocument.Activation> activations = new ArrayList<>();
    for (JsonNode a : array(root, "activations")) {
      activations.add(
          new CatalogDocument.Activation(
              required(a, "id"),
              required(a, "sha256"),
              text(a, "share"),
              text(a, "recipient"),
              text(a, "description"),
              instant(a, "createdAt"),
              instant(a, "expiresAt"),
              instant(a, "tokenExpiresAt"),
              instant(a, "usedAt")));
    }
    return new CatalogDocument(shares, recipients, tokens, activations);
  }

  public static byte[] write(CatalogDocument doc) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode shares = root.putArray("shares");
    doc.shares().forEach(s -> shares.add(share(s)));
    ArrayNode recipients = root.putArray("recipients");
    doc.recipients().forEach(r -> recipients.add(recipient(r)));
    ArrayNode tokens = root.putArray("tokens");
    doc.tokens().forEach(t -> tokens.add(token(t)));
    if (!doc.activations().isEmpty()) {
      ArrayNode activations = root.putArray("activations");
      doc.activations().forEach(a -> activations.add(activation(a)));
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<ObjectNode> policies(JsonNode n) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode p : n) if (p instanceof ObjectNode o) out.add(o);
    return out;
  }

  public static ObjectNode share(CatalogDocument.Share s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", s.name());
    if (s.id() != null) n.put("id", s.id());
    if (s.displayName() != null) n.put("displayName", s.displayName());
    if (s.comment() != null) n.put("comment", s.comment());
    if (!s.properties().isEmpty()) {
      ObjectNode p = n.putObject("properties");
      s.properties().forEach(p::put);
    }
    if (s.directoryAccess()) n.put("directoryAccess", true);
    if (!s.policies().isEmpty()) {
      ArrayNode policies = n.putArray("policies");
      s.policies().forEach(policies::add);
    }
    ArrayNode schemas = n.putArray("schemas");
    s.schemas().forEach(sc -> schemas.add(schema(sc)));
    return n;
  }

  public static ObjectNode schema(CatalogDocument.Schema sc) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", sc.name());
    ArrayNode tables = n.putArray("tables");
    sc.tables().forEach(tables::add);
    return n;
  }

  public static ObjectNode recipient(CatalogDocument.Recipient r) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", r.name());
    ArrayNode shares = n.putArray("shares");
    r.shares().forEach(shares::add);
    if (r.oidc() != null) {
      ObjectNode o = n.putObject("oidc");
      o.put("issuer", r.oidc().issuer());
      if (r.oidc().audience() != null) o.put("audience", r.oidc().audience());
      o.put("claim", r.oidc().claim());
      o.put("value", r.oidc().value());
    }
    if (r.createdAt() != null) n.put("createdAt", r.createdAt().toString());
    if (!r.allowedNetworks().isEmpty()) {
      ArrayNode nets = n.putArray("allowedNetworks");
      r.allowedNetworks().forEach(nets::add);
    }
    return n;
  }

  /** The stored form of a token (with its hash: never shown by the admin API). */
  static ObjectNode token(CatalogDocument.Token t) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", t.id());
    n.put("sha256", t.sha256());
    ArrayNode shares = n.putArray("shares");
    t.shares().forEach(shares::add);
    if (t.recipient() != null) n.put("recipient", t.recipient());
    if (t.description() != null) n.put("description", t.description());
    if (t.createdAt() != null) n.put("createdAt", t.createdAt().toString());
    if (t.expiresAt() != null) n.put("expiresAt", t.expiresAt().toString());
    if (t.revokedAt() != null) n.put("revokedAt", t.revokedAt().toString());
    if (t.rotatedFrom() != null) n.put("rotatedFrom", t.rotatedFrom());
    return n;
  }

  /** The stored form of an activation link (its code's hash, never the code). */
  static ObjectNode activation(CatalogDocument.Activation a) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", a.id());
    n.put("sha256", a.sha256());
    if (a.share() != null) n.put("share", a.share());
    if (a.recipient() != null) n.put("recipient", a.recipient());
    if (a.description() != null) n.put("description", a.description());
    if (a.createdAt() != null) n.put("createdAt", a.createdAt().toString());
    if (a.expiresAt() != null) n.put("expiresAt", a.expiresAt().toString());
    if (a.tokenExpiresAt() != null) n.put("tokenExpiresAt", a.tokenExpiresAt().toString());
    if (a.usedAt() != null) n.put("usedAt", a.usedAt().toString());
    return n;
  }

  /** A token as the admin API shows it: no secret, no hash, with its status at {@code now}. */
  public static ObjectNode publicToken(CatalogDocument.Token t, Instant now) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", t.id());
    ArrayNode shares = n.putArray("shares");
    t.shares().forEach(shares::add);
    if (t.recipient() != null) n.put("recipient", t.recipient());
    if (t.description() != null) n.put("description", t.description());
    n.put("createdAt", t.createdAt() == null ? null : t.createdAt().toString());
    if (t.expiresAt() != null) n.put("expiresAt", t.expiresAt().toString());
    if (t.revokedAt() != null) n.put("revokedAt", t.revokedAt().toString());
    n.put("status", t.status(now));
    return n;
  }

  private static Iterable<JsonNode> array(JsonNode n, String field) {
    JsonNode a = n.get(field);
    if (a == null || a.isNull()) return List.of();
    if (!a.isArray())
      throw new IllegalStateException("The live catalog's '" + field + "' is not an array");
    return a;
  }

  private static List<String> strings(JsonNode n, String field) {
    List<String> out = new ArrayList<>();
    for (JsonNode x : array(n, field)) out.add(x.asText());
    return out;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String required(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null || v.isEmpty())
      throw new IllegalStateException("The live catalog has an entry without '" + field + "'");
    return v;
  }

  private static Instant instant(JsonNode n, String field) {
    String v = text(n, field);
    if (v == null) return null;
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalStateException(
          "The live catalog's '" + field + "' is not an ISO-8601 instant: " + v);
    }
  }
}
