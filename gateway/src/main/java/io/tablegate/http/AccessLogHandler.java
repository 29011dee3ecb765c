package io.tablegate.http;

import io.tablegate.catalog.Recipient;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DEBUG line per request when it ends: method, path (never the query string, which carries
 * file URL signatures), status, duration and recipient id (never a token).
 */
final class AccessLogHandler implements Handler<RoutingContext> {
  private static final Logger LOGGER = LoggerFactory.getLogger("io.tablegate.access");

  @Override
  public void handle(RoutingContext ctx) {
    if (LOGGER.isDebugEnabled()) {
      long start = System.nanoTime();
      ctx.addEndHandler(v -> {
        Recipient who = ctx.get(BearerAuthHandler.RECIPIENT);
        LOGGER.atDebug()
            .addKeyValue("method", ctx.request().method())
            .addKeyValue("path", ctx.normalizedPath().contains("/files/") ? "/files/…" : ctx.normalizedPath())
            .addKeyValue("statusCode", ctx.response().getStatusCode())
            .addKeyValue("durationMs", (System.nanoTime() - start) / 1_000_000)
            .addKeyValue("recipient", who == null ? "-" : who.id())
            .log("request");
      });
    }
    ctx.next();
  }
}
