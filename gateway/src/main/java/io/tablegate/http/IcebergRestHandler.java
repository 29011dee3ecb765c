package io.tablegate.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.auth.Recipient;
import io.tablegate.protocol.Page;
import io.tablegate.protocol.Schema;
import io.tablegate.protocol.Table;
import io.tablegate.service.SharingService;
import io.tablegate.service.TableRef;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Shares as Iceberg REST catalogs ({@code {endpoint}/iceberg/v1/...}, the read part of the Iceberg
 * REST OpenAPI): {@code GET /v1/config?warehouse=<share>} names the share as the catalog's prefix,
 * its schemas are namespaces, and {@code loadTable} answers an Iceberg table's own metadata, with
 * credentials vended for the table's directory when the share offers directory access. Same
 * recipients and authentication as the sharing API; errors in the Iceberg error model (see {@link
 * FailureHandler}).
 */
final class IcebergRestHandler {
  static final String PATH = "/iceberg/v1";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final SharingService service;

  IcebergRestHandler(SharingService service) {
    this.service = service;
  }

  void config(RoutingContext ctx) {
    String warehouse = ctx.request().getParam("warehouse");
    if (warehouse == null || warehouse.isBlank()) {
      throw io.tablegate.protocol.SharingErrors.invalidParameter(
          "Give the share to read as the catalog's warehouse (warehouse=<share>)");
    }
    service.share(BearerAuthHandler.recipient(ctx), warehouse); // readable, or 403/404
    ObjectNode out = MAPPER.createObjectNode();
    out.putObject("defaults");
    out.putObject("overrides").put("prefix", warehouse);
    json(ctx, out);
  }

  void namespaces(RoutingContext ctx) {
    Recipient who = BearerAuthHandler.recipient(ctx);
    String share = ctx.pathParam("prefix");
    if (ctx.request().getParam("parent") != null) {
      // schemas are one level deep: no namespace has children
      service.listTables(who, share, ctx.request().getParam("parent"), 1, null);
      ObjectNode out = MAPPER.createObjectNode();
      out.putArray("namespaces");
      json(ctx, out);
      return;
    }
    ObjectNode out = MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("namespaces");
    String token = null;
    do {
      Page<Schema> page = service.listSchemas(who, share, null, token);
      for (Schema s : page.items()) arr.addArray().add(s.name());
      token = page.nextPageToken();
    } while (token != null);
    json(ctx, out);
  }

  void namespace(RoutingContext ctx) {
    String ns = namespace(ctx.pathParam("namespace"));
    service.listTables(BearerAuthHandler.recipient(ctx), ctx.pathParam("prefix"), ns, 1, null);
    if (ctx.request().method() == HttpMethod.HEAD) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    ObjectNode out = MAPPER.createObjectNode();
    out.putArray("namespace").add(ns);
    out.putObject("properties");
    json(ctx, out);
  }

  void tables(RoutingContext ctx) {
    Recipient who = BearerAuthHandler.recipient(ctx);
    String ns = namespace(ctx.pathParam("namespace"));
    ObjectNode out = MAPPER.createObjectNode();
    ArrayNode ids = out.putArray("identifiers");
    List<Table> all = new ArrayList<>();
    String token = null;
    do {
      Page<Table> page = service.listTables(who, ctx.pathParam("prefix"), ns, null, token);
      all.addAll(page.items());
      token = page.nextPageToken();
    } while (token != null);
    for (Table t : all) {
      ObjectNode id = ids.addObject();
      id.putArray("namespace").add(ns);
      id.put("name", t.name());
    }
    json(ctx, out);
  }

  void loadTable(RoutingContext ctx) {
    TableRef ref =
        new TableRef(
            ctx.pathParam("prefix"), namespace(ctx.pathParam("namespace")), ctx.pathParam("table"));
    service
        .icebergTable(BearerAuthHandler.recipient(ctx), ref)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              if (ctx.request().method() == HttpMethod.HEAD) {
                ctx.response().setStatusCode(204).end();
                return;
              }
              ObjectNode out = MAPPER.createObjectNode();
              out.put("metadata-location", ar.result().metadataLocation());
              try {
                out.set("metadata", MAPPER.readTree(ar.result().metadataJson()));
              } catch (IOException e) {
                ctx.fail(e);
                return;
              }
              ObjectNode config = out.putObject("config");
              ar.result().config().forEach(config::put);
              ctx.response().putHeader("Cache-Control", "no-store");
              json(ctx, out);
            });
  }

  /**
   * S3 remote signing (Iceberg's {@code RemoteSignRequest}: {@code method}, {@code uri}, {@code
   * headers}, {@code region}): the signed headers of one read of the table's objects.
   */
  void sign(RoutingContext ctx) {
    com.fasterxml.jackson.databind.JsonNode body;
    try {
      body =
          MAPPER.readTree(
              ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    } catch (IOException e) {
      throw io.tablegate.protocol.SharingErrors.malformed("Invalid JSON in the sign request");
    }
    if (body == null
        || !body.path("method").isTextual()
        || !body.path("uri").isTextual()
        || !(body.path("headers").isObject() || body.path("headers").isMissingNode())) {
      throw io.tablegate.protocol.SharingErrors.malformed(
          "A sign request needs method, uri and headers");
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(body.get("uri").asText());
    } catch (java.net.URISyntaxException e) {
      throw io.tablegate.protocol.SharingErrors.malformed("The uri to sign is not a URI");
    }
    java.util.Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
    body.path("headers")
        .fields()
        .forEachRemaining(
            e -> {
              List<String> values = new ArrayList<>();
              if (e.getValue().isArray()) e.getValue().forEach(v -> values.add(v.asText()));
              else values.add(e.getValue().asText());
              headers.put(e.getKey(), values);
            });
    TableRef ref =
        new TableRef(
            ctx.pathParam("prefix"), namespace(ctx.pathParam("namespace")), ctx.pathParam("table"));
    String original = body.get("uri").asText();
    service
        .signIcebergRead(
            BearerAuthHandler.recipient(ctx),
            ref,
            body.get("method").asText(),
            uri,
            headers,
            body.path("region").asText(null))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              ObjectNode out = MAPPER.createObjectNode();
              out.put("uri", original);
              ObjectNode h = out.putObject("headers");
              // only what the client must set: a header it sent with the same value is left out
              // (clients that add the answer's headers rather than set them, as pyiceberg does,
              // would send it twice)
              java.util.Map<String, List<String>> sent =
                  new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
              sent.putAll(headers);
              ar.result()
                  .forEach(
                      (name, values) -> {
                        if (values.equals(sent.get(name))) return;
                        ArrayNode a = h.putArray(name);
                        values.forEach(a::add);
                      });
              // a signature holds for minutes: the client may reuse it briefly
              ctx.response().putHeader("Cache-Control", "private");
              json(ctx, out);
            });
  }

  /** A namespace path parameter: one level ({@code \u001f} separates levels in the REST spec). */
  private static String namespace(String raw) {
    if (raw == null || raw.isEmpty() || raw.indexOf('\u001f') >= 0) {
      throw new io.tablegate.protocol.SharingException(
          io.tablegate.protocol.ErrorCode.RESOURCE_DOES_NOT_EXIST,
          "Namespace does not exist: schemas of a share are one level deep");
    }
    return raw;
  }

  private static void json(RoutingContext ctx, ObjectNode body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body.toString());
  }
}
