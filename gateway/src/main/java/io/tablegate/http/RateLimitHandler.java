package io.tablegate.http;

import io.tablegate.auth.RateLimiter;
import io.tablegate.auth.Recipient;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Per-recipient request limits, after authentication: over the limit a request is answered {@code
 * 429 RESOURCE_EXHAUSTED} with {@code Retry-After} (which Delta Sharing clients honour and retry).
 * The buckets are the {@link RateLimiter}'s; callers without a recipient count by address.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {
  private final RateLimiter limiter;

  public RateLimitHandler(RateLimiter limiter) {
    this.limiter = limiter;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Recipient who = ctx.get(BearerAuthHandler.RECIPIENT);
    String id = who == null ? "anonymous:" + ctx.request().remoteAddress().hostAddress() : who.id();
    limiter
        .take(id)
        .onComplete(
            ar -> {
              long retry = ar.succeeded() ? ar.result() : 0;
              if (retry == 0) {
                ctx.next();
                return;
              }
              ctx.response().putHeader("Retry-After", Long.toString(retry));
              ctx.fail(
                  new SharingException(
                      ErrorCode.RESOURCE_EXHAUSTED,
                      "Too many requests for this recipient; retry after "
                          + retry
                          + " second(s)."));
            });
  }
}
