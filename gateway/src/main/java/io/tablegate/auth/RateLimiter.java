package io.tablegate.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tablegate.config.RateLimitConfig;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-recipient request limits (the http layer answers a request over the limit with {@code 429
 * RESOURCE_EXHAUSTED} and {@code Retry-After}, which Delta Sharing clients honour). Every recipient
 * has a token bucket: {@code burst} requests at once, refilled at {@code requestsPerSecond}. With
 * Redis the bucket is shared by every instance: one hash per recipient, updated by one atomic
 * script on Redis's own clock (instances' clocks never matter); if Redis does not answer, this
 * instance's own bucket decides, so an outage never blocks reads.
 */
public final class RateLimiter {
  private static final Logger LOGGER = LoggerFactory.getLogger(RateLimiter.class);

  private final RateLimitConfig config;
  private final RedisAPI redis;
  private final String keyPrefix;
  private final Clock clock;
  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

  /**
   * @param redis shared counters, or null for per-instance buckets only
   */
  public RateLimiter(RateLimitConfig config, RedisAPI redis, String keyPrefix, Clock clock) {
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
      tokens =
          Math.min(config.burst(), tokens + (now - last) / 1000.0 * config.requestsPerSecond());
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / config.requestsPerSecond()));
    }
  }

  /**
   * Takes one request from {@code id}'s bucket: completes with 0, or with the seconds to wait
   * (never fails).
   */
  public Future<Long> take(String id) {
    return redis == null ? Future.succeededFuture(local(id)) : shared(id);
  }

  private long local(String id) {
    return buckets.get(id, k -> new Bucket()).take();
  }

  /**
   * The shared bucket: refill by the time passed on Redis's clock since the last request, take one
   * token or say how many seconds until one is there. Keys expire once a full bucket would have
   * refilled.
   */
  static final String BUCKET_SCRIPT =
      """
      local rate = tonumber(ARGV[1])
      local burst = tonumber(ARGV[2])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local state = redis.call('HMGET', KEYS[1], 't', 'n')
      local last = tonumber(state[1]) or now
      local tokens = tonumber(state[2]) or burst
      tokens = math.min(burst, tokens + math.max(0, now - last) / 1000 * rate)
      local wait = 0
      if tokens >= 1 then
        tokens = tokens - 1
      else
        wait = math.ceil((1 - tokens) / rate)
      end
      redis.call('HSET', KEYS[1], 't', now, 'n', tostring(tokens))
      redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
      return wait
      """;

  private Future<Long> shared(String id) {
    String key = keyPrefix + "ratelimit:" + id;
    return redis
        .eval(
            List.of(
                BUCKET_SCRIPT,
                "1",
                key,
                Double.toString(config.requestsPerSecond()),
                Integer.toString(config.burst())))
        .map(r -> r.toLong())
        .recover(
            e -> {
              LOGGER
                  .atDebug()
                  .addKeyValue("cause", e.toString())
                  .log("Rate limit bucket unavailable; using this instance's bucket");
              return Future.succeededFuture(local(id));
            });
  }
}
