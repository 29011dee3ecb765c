package io.tablegate.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tablegate.catalog.Recipient;
import io.tablegate.config.RateLimitConfig;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-recipient request limits, after authentication: over the limit a request is answered
 * {@code 429 RESOURCE_EXHAUSTED} with {@code Retry-After} (which Delta Sharing clients honour and
 * retry). With Redis the count is shared by every instance (one key per recipient and second);
 * if Redis does not answer, this instance's own bucket decides, so an outage never blocks reads.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {
  private static final Logger LOGGER = LoggerFactory.getLogger(RateLimitHandler.class);

  private final RateLimitConfig config;
  private final RedisAPI redis;
  private final String keyPrefix;
  private final Clock clock;
  private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

  /** @param redis shared counters, or null for per-instance buckets only */
  public RateLimitHandler(RateLimitConfig config, RedisAPI redis, String keyPrefix, Clock clock) {
    this.config = config;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.clock = clock;
  }

  private final class Bucket {
    private double tokens = config.burst();
    private long last = clock.millis();

    /** Takes one token; returns 0, or the seconds until one is available. */
    synchronized long take() {
      long now = clock.millis();
      tokens = Math.min(config.burst(), tokens + (now - last) / 1000.0 * config.requestsPerSecond());
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / config.requestsPerSecond()));
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    Recipient who = ctx.get(BearerAuthHandler.RECIPIENT);
    String id = who == null ? "anonymous:" + ctx.request().remoteAddress().hostAddress() : who.id();
    Future<Long> wait = redis == null ? Future.succeededFuture(local(id)) : shared(id);
    wait.onComplete(ar -> {
      long retry = ar.succeeded() ? ar.result() : local(id);
      if (retry == 0) {
        ctx.next();
        return;
      }
      ctx.response().putHeader("Retry-After", Long.toString(retry));
      ctx.fail(new SharingException(ErrorCode.RESOURCE_EXHAUSTED, "Too many requests for this recipient; retry after " + retry
          + " second(s)."));
    });
  }

  private long local(String id) {
    return buckets.get(id, k -> new Bucket()).take();
  }

  private Future<Long> shared(String id) {
    long second = clock.millis() / 1000;
    String key = keyPrefix + "ratelimit:" + id + ":" + second;
    return redis.incr(key).compose(count -> {
      if (count.toLong() == 1) redis.expire(List.of(key, "2"));
      return Future.succeededFuture(count.toLong() <= config.burst() ? 0L : 1L);
    }).recover(e -> {
      LOGGER.atDebug().addKeyValue("cause", e.toString()).log("Rate limit counter unavailable; using this instance's bucket");
      return Future.succeededFuture(local(id));
    });
  }
}
