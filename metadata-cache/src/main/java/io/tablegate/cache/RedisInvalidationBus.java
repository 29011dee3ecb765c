package io.tablegate.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invalidations fanned out through Redis pub/sub: every instance subscribes to one channel; the
 * instance that learns of a change invalidates locally at once and publishes. A lost connection is
 * logged once per outage, retried with backoff, and meanwhile invalidations stay local (the
 * staleness bound of the cache entries still applies on the other instances).
 */
public final class RedisInvalidationBus implements InvalidationBus {
  private static final Logger LOGGER = LoggerFactory.getLogger(RedisInvalidationBus.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Vertx vertx;
  private final Redis client;
  private final RedisAPI api;
  private final RedisOptions options;
  private final String channel;
  private final String origin = UUID.randomUUID().toString();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private volatile RedisConnection subscriber;
  private volatile boolean connected;
  private volatile boolean closed;
  private long backoffMs = 100;
  private boolean outageLogged;
  private boolean reconnectScheduled;

  public RedisInvalidationBus(Vertx vertx, RedisOptions options, String channel) {
    this.vertx = vertx;
    this.options = options;
    this.channel = channel;
    this.client = Redis.createClient(vertx, new RedisOptions(options));
    this.api = RedisAPI.api(client);
  }

  /**
   * Subscribes; completes when subscribed, or fails (and keeps retrying) if Redis is unreachable.
   */
  public Future<Void> start() {
    return subscribe();
  }

  private Future<Void> subscribe() {
    if (closed) return Future.succeededFuture();
    return Redis.createClient(vertx, new RedisOptions(options))
        .connect()
        .compose(
            conn -> {
              subscriber = conn;
              conn.handler(this::onMessage);
              conn.exceptionHandler(e -> lost(e));
              conn.endHandler(v -> lost(null));
              return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).<Void>mapEmpty();
            })
        .onSuccess(
            v -> {
              connected = true;
              backoffMs = 100;
              if (outageLogged)
                LOGGER
                    .atInfo()
                    .addKeyValue("channel", channel)
                    .log("Redis is reachable again; invalidations reach every instance");
              outageLogged = false;
            })
        .onFailure(this::lost);
  }

  private void lost(Throwable cause) {
    if (closed) return;
    connected = false;
    if (!outageLogged) {
      outageLogged = true;
      LOGGER
          .atWarn()
          .addKeyValue("channel", channel)
          .addKeyValue("cause", cause == null ? "connection closed" : cause.toString())
          .log(
              "Redis is unreachable; invalidations stay on this instance until it is back (logged once per outage)");
    }
    if (reconnectScheduled) return;
    reconnectScheduled = true;
    RedisConnection old = subscriber;
    subscriber = null;
    if (old != null) old.close();
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(
        delay,
        t -> {
          reconnectScheduled = false;
          subscribe();
        });
  }

  private void onMessage(Response message) {
    // ["message", channel, payload] (RESP2) or the same as a push (RESP3)
    if (message == null
        || message.size() < 3
        || !"message".equalsIgnoreCase(message.get(0).toString())) return;
    String payload = message.get(2).toString();
    int sep = payload.indexOf('\n');
    if (sep < 0) return;
    if (payload.substring(0, sep).equals(origin)) return; // our own publish, already applied
    notifyListeners(payload.substring(sep + 1));
  }

  private void notifyListeners(String namespace) {
    for (Consumer<String> l : listeners) {
      try {
        l.accept(namespace);
      } catch (RuntimeException e) {
        LOGGER.atWarn().setCause(e).log("An invalidation listener failed");
      }
    }
  }

  @Override
  public Future<Void> publish(String namespace) {
    notifyListeners(namespace);
    return api.publish(channel, origin + "\n" + namespace).<Void>mapEmpty();
  }

  @Override
  public void onInvalidate(Consumer<String> listener) {
    listeners.add(listener);
  }

  @Override
  public boolean connected() {
    return connected;
  }

  @Override
  public void close() {
    closed = true;
    RedisConnection s = subscriber;
    if (s != null) s.close();
    client.close();
  }
}
