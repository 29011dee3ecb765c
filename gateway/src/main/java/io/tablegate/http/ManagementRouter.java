package io.tablegate.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * The management listener's routes: {@code /livez} (the process serves), {@code /readyz} (every
 * dependency ready: 200, else 503 with what is not) and {@code /metrics} (Prometheus text).
 */
public final class ManagementRouter {
  private ManagementRouter() {}

  /** What {@code /readyz} says: ready or not, and the JSON detail. */
  public record Readiness(boolean ready, String json) {}

  public static Router create(Vertx vertx, Supplier<Readiness> readiness, Supplier<String> scrape) {
    Router router = Router.router(vertx);
    router
        .get("/livez")
        .handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("ok"));
    router
        .get("/readyz")
        .handler(
            ctx -> {
              Readiness r = readiness.get();
              ctx.response()
                  .setStatusCode(r.ready() ? 200 : 503)
                  .putHeader("Content-Type", "application/json")
                  .end(r.json());
            });
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(scrape.get()));
    router
        .route()
        .handler(
            ctx ->
                ctx.response()
                    .setStatusCode(404)
                    .putHeader("Content-Type", "text/plain")
                    .end("not found"));
    return router;
  }
}
