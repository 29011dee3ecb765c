package io.tablegate.http;

import io.tablegate.config.ConfigLoader;
import io.tablegate.events.BucketEventParser;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.service.InvalidationService;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;

/**
 * The bucket-notification webhook (MinIO webhook target, or any S3/Ceph {@code Records} sender).
 * {@code HEAD} answers at once without auth (MinIO's liveness probe); {@code POST} needs the
 * configured token as {@code Authorization: Bearer} and is acknowledged as soon as the
 * invalidations are published.
 */
final class EventsHandler {
  private final byte[] tokenSha256;
  private final InvalidationService invalidations;

  EventsHandler(byte[] tokenSha256, InvalidationService invalidations) {
    this.tokenSha256 = tokenSha256;
    this.invalidations = invalidations;
  }

  void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.HEAD) {
      ctx.response().end();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)
        || !MessageDigest.isEqual(ConfigLoader.sha256(header.substring(7).trim()), tokenSha256)) {
      throw SharingErrors.unauthenticated("Bucket notifications need the configured webhook token as 'Authorization: Bearer <token>'.");
    }
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    invalidations.apply(BucketEventParser.parse(body)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", "application/json; charset=utf-8").end("{\"invalidatedTables\":" + ar.result().size() + "}");
    });
  }
}
