package io.tablegate.http;

import io.tablegate.protocol.ProtocolCodec;
import io.tablegate.service.SharingService;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/** Shares, schemas and table listings: in memory, answered on the event loop. */
final class SharesHandler {
  private static final String JSON = "application/json; charset=utf-8";
  private final SharingService service;

  SharesHandler(SharingService service) {
    this.service = service;
  }

  void listShares(RoutingContext ctx) {
    json(
        ctx,
        ProtocolCodec.sharePage(
            service.listShares(
                BearerAuthHandler.recipient(ctx),
                Params.integer(ctx, "maxResults"),
                Params.string(ctx, "pageToken"))));
  }

  void getShare(RoutingContext ctx) {
    json(
        ctx,
        ProtocolCodec.share(
            service.share(BearerAuthHandler.recipient(ctx), ctx.pathParam("share"))));
  }

  void listSchemas(RoutingContext ctx) {
    json(
        ctx,
        ProtocolCodec.schemaPage(
            service.listSchemas(
                BearerAuthHandler.recipient(ctx),
                ctx.pathParam("share"),
                Params.integer(ctx, "maxResults"),
                Params.string(ctx, "pageToken"))));
  }

  void listTables(RoutingContext ctx) {
    json(
        ctx,
        ProtocolCodec.tablePage(
            service.listTables(
                BearerAuthHandler.recipient(ctx),
                ctx.pathParam("share"),
                ctx.pathParam("schema"),
                Params.integer(ctx, "maxResults"),
                Params.string(ctx, "pageToken"))));
  }

  void listAllTables(RoutingContext ctx) {
    json(
        ctx,
        ProtocolCodec.tablePage(
            service.listAllTables(
                BearerAuthHandler.recipient(ctx),
                ctx.pathParam("share"),
                Params.integer(ctx, "maxResults"),
                Params.string(ctx, "pageToken"))));
  }

  private static void json(RoutingContext ctx, byte[] body) {
    ctx.response().putHeader("Content-Type", JSON).end(Buffer.buffer(body));
  }
}
