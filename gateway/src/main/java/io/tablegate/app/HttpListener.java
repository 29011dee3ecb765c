package io.tablegate.app;

import io.tablegate.http.ConnectionLimits;
import io.tablegate.http.FailureHandler;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One listener served by several event loops: {@code instances} deployments of a thin verticle,
 * each with its own {@link HttpServer} and request handler (a router made for it) on its own event
 * loop. Vert.x shares the bound port among them and hands new connections out round robin, so HTTP
 * parsing, TLS and inline responses use every core. What the handlers share (services, caches,
 * limits) is thread-safe.
 */
final class HttpListener {
  private static final java.util.concurrent.atomic.AtomicInteger RANDOM_PORT_IDS =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Vertx vertx;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<String> deployments = new CopyOnWriteArrayList<>();

  private HttpListener(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The thin verticle: a server with the listener's options, limits and a handler of its own. */
  private final class ServerVerticle extends VerticleBase {
    private final HttpServerOptions options;
    private final ConnectionLimits limits;
    private final Supplier<Handler<HttpServerRequest>> handlers;
    private final String host;
    private final int port;

    ServerVerticle(
        HttpServerOptions options,
        ConnectionLimits limits,
        Supplier<Handler<HttpServerRequest>> handlers,
        String host,
        int port) {
      this.options = options;
      this.limits = limits;
      this.handlers = handlers;
      this.host = host;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      HttpServer server = limits.apply(vertx.createHttpServer(new HttpServerOptions(options)));
      server.invalidRequestHandler(FailureHandler::invalidRequest);
      server.requestHandler(limits.around(handlers.get()));
      return server.listen(port, host).onSuccess(servers::add);
    }
  }

  /**
   * Deploys {@code instances} servers on {@code host:port}; fails (and undeploys what was deployed)
   * if any cannot listen. Port 0 becomes a negative number, Vert.x's "one random port shared by
   * every server given this number" (a plain 0 would bind a random port per instance); each
   * listener gets its own number, or two listeners on port 0 would become one.
   */
  static Future<HttpListener> start(
      Vertx vertx,
      HttpServerOptions options,
      ConnectionLimits limits,
      Supplier<Handler<HttpServerRequest>> handlers,
      String host,
      int port,
      int instances) {
    HttpListener listener = new HttpListener(vertx);
    int shared = port == 0 ? -RANDOM_PORT_IDS.incrementAndGet() : port;
    return vertx
        .deployVerticle(
            () -> listener.new ServerVerticle(options, limits, handlers, host, shared),
            new DeploymentOptions().setInstances(Math.max(1, instances)))
        .map(
            id -> {
              listener.deployments.add(id);
              return listener;
            })
        .recover(e -> listener.undeploy().transform(ignored -> Future.failedFuture(e)));
  }

  /** The bound port. */
  int port() {
    return servers.get(0).actualPort();
  }

  /** The servers, one per event loop (for TLS reloads). */
  List<HttpServer> servers() {
    return List.copyOf(servers);
  }

  /**
   * Stops accepting; requests and streams in flight get up to {@code drainMs}; then the verticles
   * are undeployed.
   */
  Future<Void> shutdown(long drainMs) {
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : servers) closing.add(s.shutdown(drainMs, TimeUnit.MILLISECONDS));
    return Future.join(closing).<Void>mapEmpty().otherwiseEmpty().compose(v -> undeploy());
  }

  private Future<Void> undeploy() {
    List<Future<Void>> undeploying = new ArrayList<>();
    for (String id : deployments) undeploying.add(vertx.undeploy(id));
    deployments.clear();
    return Future.join(undeploying).<Void>mapEmpty().otherwiseEmpty();
  }
}
