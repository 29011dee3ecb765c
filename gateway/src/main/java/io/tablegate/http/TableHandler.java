package io.tablegate.http;

import io.tablegate.protocol.Capabilities;
import io.tablegate.protocol.QueryRequest;
import io.tablegate.protocol.QueryRequestCodec;
import io.tablegate.service.ChangesRequest;
import io.tablegate.service.SharingService;
import io.tablegate.service.TableRef;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * The per-table endpoints: version, metadata, query, changes. Table work runs on the worker pool.
 */
final class TableHandler {
  /** Clients send a handful of distinct capability headers: each is parsed once. */
  private static final com.github.benmanes.caffeine.cache.Cache<String, Capabilities> CAPABILITIES =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(256).build();

  private static final Capabilities NO_CAPABILITIES = Capabilities.parse(null);

  private final SharingService service;

  TableHandler(SharingService service) {
    this.service = service;
  }

  private static TableRef ref(RoutingContext ctx) {
    return new TableRef(ctx.pathParam("share"), ctx.pathParam("schema"), ctx.pathParam("table"));
  }

  private static Capabilities capabilities(RoutingContext ctx) {
    String header = ctx.request().getHeader("delta-sharing-capabilities");
    if (header == null) return NO_CAPABILITIES;
    return header.length() > 512
        ? Capabilities.parse(header)
        : CAPABILITIES.get(header, Capabilities::parse);
  }

  void version(RoutingContext ctx) {
    String startingTimestamp = Params.string(ctx, "startingTimestamp");
    service
        .tableVersion(BearerAuthHandler.recipient(ctx), ref(ctx), startingTimestamp)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              var resp =
                  ctx.response().putHeader("Delta-Table-Version", Long.toString(ar.result()));
              if (ctx.request().method() == HttpMethod.HEAD) resp.end();
              else resp.putHeader("Content-Type", "application/json; charset=utf-8").end("{}");
            });
  }

  void metadata(RoutingContext ctx) {
    service
        .metadata(
            BearerAuthHandler.recipient(ctx),
            ref(ctx),
            capabilities(ctx),
            ctx.request().getHeader("fileidhash"),
            Params.version(ctx, "version"),
            Params.string(ctx, "timestamp"))
        .onComplete(
            ar -> {
              if (ar.failed()) ctx.fail(ar.cause());
              else NdjsonWriter.write(ctx, service, ar.result());
            });
  }

  /**
   * {@code GET .../sample?limit=N[&version=V]}: an Arrow IPC stream, or JSON when the client
   * accepts JSON and not Arrow.
   */
  void sample(RoutingContext ctx) {
    service
        .sample(
            BearerAuthHandler.recipient(ctx),
            ref(ctx),
            Params.integer(ctx, "limit"),
            Params.version(ctx, "version"),
            wantsArrow(ctx.request().getHeader("Accept")))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              var sample = ar.result();
              ctx.response()
                  .putHeader("Content-Type", sample.contentType())
                  .putHeader("Delta-Table-Version", Long.toString(sample.version()))
                  .end(io.vertx.core.buffer.Buffer.buffer(sample.body()));
            });
  }

  /** Arrow unless the client asks for JSON without asking for Arrow. */
  static boolean wantsArrow(String accept) {
    if (accept == null) return true;
    String a = accept.toLowerCase(java.util.Locale.ROOT);
    return a.contains("application/vnd.apache.arrow.stream") || !a.contains("application/json");
  }

  void query(RoutingContext ctx) {
    QueryRequest q =
        QueryRequestCodec.parse(
            ctx.body().buffer() == null ? null : ctx.body().buffer().getBytes());
    service
        .query(
            BearerAuthHandler.recipient(ctx),
            ref(ctx),
            capabilities(ctx),
            ctx.request().getHeader("fileidhash"),
            q)
        .onComplete(
            ar -> {
              if (ar.failed()) ctx.fail(ar.cause());
              else NdjsonWriter.write(ctx, service, ar.result());
            });
  }

  void changes(RoutingContext ctx) {
    ChangesRequest c =
        new ChangesRequest(
            Params.version(ctx, "startingVersion"),
            Params.string(ctx, "startingTimestamp"),
            Params.version(ctx, "endingVersion"),
            Params.string(ctx, "endingTimestamp"),
            Params.bool(ctx, "includeHistoricalMetadata"),
            Params.maxFiles(ctx),
            Params.string(ctx, "pageToken"),
            Params.bool(ctx, "includeHistoricalProtocol"));
    service
        .changes(
            BearerAuthHandler.recipient(ctx),
            ref(ctx),
            capabilities(ctx),
            ctx.request().getHeader("fileidhash"),
            c)
        .onComplete(
            ar -> {
              if (ar.failed()) ctx.fail(ar.cause());
              else NdjsonWriter.write(ctx, service, ar.result());
            });
  }

  /**
   * Temporary credentials for the table's directory: body {@code {"location"}} (optional: the table
   * root). The credentials are never logged.
   */
  void temporaryCredentials(RoutingContext ctx) {
    String location = null;
    io.vertx.core.buffer.Buffer body = ctx.body().buffer();
    if (body != null && body.length() > 0 && !body.toString().isBlank()) {
      com.fasterxml.jackson.databind.JsonNode json;
      try {
        json = MAPPER.readTree(body.getBytes());
      } catch (java.io.IOException e) {
        throw io.tablegate.protocol.SharingErrors.malformed("Invalid JSON in request body");
      }
      if (json == null || !json.isObject())
        throw io.tablegate.protocol.SharingErrors.malformed("Expected a JSON object");
      com.fasterxml.jackson.databind.JsonNode l = json.get("location");
      if (l != null && !l.isNull()) {
        if (!l.isTextual())
          throw io.tablegate.protocol.SharingErrors.malformed("location must be a string");
        location = l.asText();
      }
    }
    service
        .temporaryCredentials(BearerAuthHandler.recipient(ctx), ref(ctx), location)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              var c = ar.result().credentials();
              com.fasterxml.jackson.databind.node.ObjectNode out = MAPPER.createObjectNode();
              com.fasterxml.jackson.databind.node.ObjectNode creds = out.putObject("credentials");
              creds.put("location", ar.result().location());
              creds
                  .putObject("awsTempCredentials")
                  .put("accessKeyId", c.accessKeyId())
                  .put("secretAccessKey", c.secretAccessKey())
                  .put("sessionToken", c.sessionToken());
              creds.put("expirationTime", c.expirationMillis());
              ctx.response()
                  .putHeader("Content-Type", "application/json; charset=utf-8")
                  .putHeader("Cache-Control", "no-store")
                  .end(out.toString());
            });
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * A poll of an async query: body {@code {"maxFiles", "pageToken"}} (the Scala client also sends
   * {@code queryId}, which the path already names).
   */
  void queryStatus(RoutingContext ctx) {
    QueryRequest page =
        QueryRequestCodec.parse(
            ctx.body().buffer() == null || ctx.body().buffer().length() == 0
                ? "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
                : ctx.body().buffer().getBytes());
    service
        .queryStatus(
            BearerAuthHandler.recipient(ctx),
            ref(ctx),
            capabilities(ctx),
            ctx.request().getHeader("fileidhash"),
            ctx.pathParam("queryId"),
            page.maxFiles(),
            page.pageToken())
        .onComplete(
            ar -> {
              if (ar.failed()) ctx.fail(ar.cause());
              else NdjsonWriter.write(ctx, service, ar.result());
            });
  }
}
