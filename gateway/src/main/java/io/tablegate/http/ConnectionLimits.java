package io.tablegate.http;

import io.tablegate.config.LimitsConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds on the connections of one listener: an idle timeout, a deadline for the first request's
 * headers (slow-header clients), and a cap on open connections beyond which new ones are closed at
 * once, so that idle or slow clients cannot exhaust file descriptors or memory. Safe across event
 * loops.
 */
public final class ConnectionLimits {
  private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionLimits.class);
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  /** Connections whose first request has not arrived yet, with their deadline timer. */
  private final Map<HttpConnection, Long> awaitingFirstRequest = new ConcurrentHashMap<>();

  private final LimitsConfig limits;
  private final Vertx vertx;

  public ConnectionLimits(Vertx vertx, LimitsConfig limits) {
    this.vertx = vertx;
    this.limits = limits;
  }

  /**
   * Sets the idle timeout on the options of a listener, and turns off cleartext HTTP/2 (h2c): with
   * it on, Vert.x learns of a connection only once its first request's headers are complete, so a
   * client that never completes them could not be timed out. HTTP/2 stays available over TLS
   * (ALPN).
   */
  public HttpServerOptions configure(HttpServerOptions options) {
    // no WebSocket is served: without its compression extensions Vert.x leaves their handler out of
    // every connection's pipeline (it looked at each request's headers and each response)
    return options
        .setIdleTimeout(limits.idleTimeoutSeconds())
        .setHttp2ClearTextEnabled(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
  }

  /**
   * Counts and caps the connections of {@code server}, and closes those whose first request is
   * late.
   */
  public HttpServer apply(HttpServer server) {
    return server.connectionHandler(this::opened);
  }

  /**
   * Wraps a listener's request handler: a request that arrives ends its connection's header
   * deadline.
   */
  public Handler<HttpServerRequest> around(Handler<HttpServerRequest> next) {
    return request -> {
      Long timer = awaitingFirstRequest.remove(request.connection());
      if (timer != null) vertx.cancelTimer(timer);
      next.handle(request);
    };
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }

  private void opened(HttpConnection conn) {
    int now = open.incrementAndGet();
    if (limits.maxConnections() > 0 && now > limits.maxConnections()) {
      open.decrementAndGet();
      if (refused.getAndIncrement() % 1000 == 0) {
        LOGGER
            .atWarn()
            .addKeyValue("maxConnections", limits.maxConnections())
            .log("Connection limit reached; closing new connections");
      }
      conn.close();
      return;
    }
    long timer =
        vertx.setTimer(
            limits.requestHeaderTimeoutMs(),
            id -> {
              if (awaitingFirstRequest.remove(conn) != null) conn.close();
            });
    awaitingFirstRequest.put(conn, timer);
    conn.closeHandler(
        v -> {
          open.decrementAndGet();
          Long t = awaitingFirstRequest.remove(conn);
          if (t != null) vertx.cancelTimer(t);
        });
  }
}
