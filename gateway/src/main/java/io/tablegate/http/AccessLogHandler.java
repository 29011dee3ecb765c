package io.tablegate.http;

import io.tablegate.auth.Recipient;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: one INFO line per request on logger {@code tablegate.audit} when it ends — method,
 * endpoint, share, schema, table, recipient (token id or OIDC subject, never a token), table
 * version, actions returned, status, duration. Never a query string (file URLs carry signatures), a
 * token, a key or a URL.
 */
public final class AccessLogHandler implements Handler<RoutingContext> {
  private static final Logger LOGGER = LoggerFactory.getLogger("tablegate.audit");

  /** Set by the NDJSON writer: the number of body lines (files, changes, metadata) sent. */
  static final String LINES = "tablegate.lines";

  private final RequestObserver observer;
  private final io.tablegate.service.UsageLedger usage;

  public AccessLogHandler(RequestObserver observer) {
    this(observer, null);
  }

  /**
   * @param usage where each recipient's successful table requests and downloads are counted; null:
   *     nowhere
   */
  public AccessLogHandler(RequestObserver observer, io.tablegate.service.UsageLedger usage) {
    this.observer = observer;
    this.usage = usage;
  }

  private void account(RoutingContext ctx, String endpoint, long lines) {
    if (usage == null || ctx.response().getStatusCode() >= 400) return;
    Recipient who = ctx.get(BearerAuthHandler.RECIPIENT);
    if (who == null) return;
    String table = ctx.pathParam("table");
    if (table != null) {
      usage.record(
          who.id(),
          ctx.pathParam("share") + "." + ctx.pathParam("schema") + "." + table,
          lines,
          ctx.response().bytesWritten());
    } else if (endpoint.equals("file")) {
      usage.record(
          who.id(), io.tablegate.service.UsageLedger.DOWNLOADS, 0, ctx.response().bytesWritten());
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String endpoint = endpoint(ctx.normalizedPath());
    observer.started(endpoint);
    ctx.addEndHandler(
        v -> {
          Long lines = ctx.get(LINES);
          account(ctx, endpoint, lines == null ? 0 : lines);
          observer.completed(
              endpoint,
              ctx.response().getStatusCode(),
              System.nanoTime() - start,
              ctx.response().bytesWritten(),
              lines == null ? 0 : lines);
        });
    if (LOGGER.isInfoEnabled()) {
      ctx.addEndHandler(
          v -> {
            Recipient who = ctx.get(BearerAuthHandler.RECIPIENT);
            Long lines = ctx.get(LINES);
            String version = ctx.response().headers().get("Delta-Table-Version");
            var line =
                LOGGER
                    .atInfo()
                    .addKeyValue("method", ctx.request().method())
                    .addKeyValue("endpoint", endpoint)
                    .addKeyValue("share", param(ctx, "share"))
                    .addKeyValue("schema", param(ctx, "schema"))
                    .addKeyValue("table", param(ctx, "table"))
                    .addKeyValue("recipient", who == null ? "-" : who.id());
            if (version != null) line = line.addKeyValue("version", version);
            if (lines != null) line = line.addKeyValue("actions", lines);
            line.addKeyValue("status", ctx.response().getStatusCode())
                .addKeyValue("durationMs", (System.nanoTime() - start) / 1_000_000)
                .log("request");
          });
    }
    ctx.next();
  }

  private static String param(RoutingContext ctx, String name) {
    String v = ctx.pathParam(name);
    if (v == null) return "-";
    // names are logged as given, at most 128 characters; control characters would forge log lines
    return loggable(v);
  }

  /**
   * {@code v} cut to 128 characters, its control characters replaced by '?' (no regex: once per
   * request).
   */
  static String loggable(String v) {
    int n = Math.min(v.length(), 128);
    char[] out = null;
    for (int i = 0; i < n; i++) {
      char c = v.charAt(i);
      if (Character.isISOControl(c)) {
        if (out == null) out = v.substring(0, n).toCharArray();
        out[i] = '?';
      }
    }
    String kept = out != null ? new String(out) : n == v.length() ? v : v.substring(0, n);
    return n < v.length() ? kept + "…" : kept;
  }

  static String endpoint(String path) {
    if (path.contains("/files/")) return "file";
    if (path.contains("/activate/")) return "activate";
    if (path.endsWith("/query")) return "query";
    if (path.contains("/queries/")) return "query-status";
    if (path.endsWith("/temporary-table-credentials")) return "temporary-credentials";
    if (path.endsWith("/oauth/token")) return "oauth-token";
    if (path.endsWith("/changes")) return "changes";
    if (path.endsWith("/metadata")) return "metadata";
    if (path.endsWith("/version")) return "version";
    if (path.endsWith("/all-tables")) return "list-all-tables";
    if (path.endsWith("/tables")) return "list-tables";
    if (path.endsWith("/schemas")) return "list-schemas";
    if (path.endsWith("/shares")) return "list-shares";
    if (path.matches(".*/shares/[^/]+/schemas/[^/]+/tables/[^/]+")) return "version";
    if (path.matches(".*/shares/[^/]+")) return "get-share";
    if (path.startsWith("/api/v1")) return "admin";
    if (path.equals("/events")) return "events";
    return "other";
  }
}
