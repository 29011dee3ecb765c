package io.tablegate.cache;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pops messages from a Redis list with {@code BLPOP} on a connection of its own (it blocks that
 * connection, never an event loop) and hands each to a handler: the consumer of MinIO's Redis
 * notification target in {@code access} format. With several instances each message goes to one of
 * them, which then fans the invalidation out. Survives Redis outages (retried with backoff, logged
 * once per outage).
 */
public final class RedisListConsumer implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(RedisListConsumer.class);
  private static final int BLOCK_SECONDS = 1;

  private final Vertx vertx;
  private final Redis client;
  private final RedisAPI api;
  private final String key;
  private final Consumer<String> handler;
  private volatile boolean closed;
  private boolean outageLogged;
  private long backoffMs = 100;

  public RedisListConsumer(
      Vertx vertx, RedisOptions options, String key, Consumer<String> handler) {
    this.vertx = vertx;
    this.client = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
    this.api = RedisAPI.api(client);
    this.key = key;
    this.handler = handler;
  }

  public void start() {
    pop();
  }

  private void pop() {
    if (closed) return;
    api.blpop(List.of(key, Integer.toString(BLOCK_SECONDS)))
        .onComplete(
            ar -> {
              if (closed) return;
              if (ar.failed()) {
                if (!outageLogged) {
                  outageLogged = true;
                  LOGGER
                      .atWarn()
                      .addKeyValue("list", key)
                      .addKeyValue("cause", ar.cause().toString())
                      .log(
                          "Cannot read bucket notifications from Redis; retrying (logged once per outage)");
                }
                long delay = backoffMs;
                backoffMs = Math.min(5_000, backoffMs * 2);
                vertx.setTimer(delay, t -> pop());
                return;
              }
              if (outageLogged)
                LOGGER
                    .atInfo()
                    .addKeyValue("list", key)
                    .log("Reading bucket notifications from Redis again");
              outageLogged = false;
              backoffMs = 100;
              if (ar.result() != null && ar.result().size() == 2) {
                try {
                  handler.accept(ar.result().get(1).toString());
                } catch (RuntimeException e) {
                  LOGGER
                      .atWarn()
                      .setCause(e)
                      .addKeyValue("list", key)
                      .log("A bucket notification could not be handled");
                }
              }
              pop();
            });
  }

  @Override
  public void close() {
    closed = true;
    client.close();
  }
}
