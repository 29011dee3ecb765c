package io.tablegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.auth.Bearer;
import io.tablegate.catalog.LiveCatalog;
import io.tablegate.http.AccessLogHandler;
import io.tablegate.http.FailureHandler;
import io.tablegate.http.Params;
import io.tablegate.http.RequestObserver;
import io.tablegate.protocol.SharingErrors;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin REST API, served on its own listener (never on the sharing listener): shares, schemas
 * and tables, recipients and tokens, changed live on every instance. Authenticated with the admin
 * token only (a recipient token is refused). Every change is logged (who, what; never a secret).
 *
 * <pre>
 * GET    /api/v1/shares                                    every share as a tree
 * POST   /api/v1/shares                        {name,id?}
 * GET    /api/v1/shares/:share                             one share as a tree
 * DELETE /api/v1/shares/:share                             (revokes tokens left without a share)
 * POST   /api/v1/shares/:share/schemas         {name}
 * DELETE /api/v1/shares/:share/schemas/:schema
 * POST   /api/v1/shares/:share/schemas/:schema/tables   {name,location,format,...} as in the config file
 * DELETE /api/v1/shares/:share/schemas/:schema/tables/:table
 * GET    /api/v1/shares/:share/tokens
 * POST   /api/v1/shares/:share/tokens          {description?,expiresAt?|expiresInSeconds?}  secret shown once
 * GET    /api/v1/tokens?share=&amp;recipient=
 * POST   /api/v1/tokens/:id/revoke
 * POST   /api/v1/tokens/:id/rotate             {graceSeconds?}
 * GET    /api/v1/recipients
 * POST   /api/v1/recipients                    {name,shares,oidc?:{issuer,audience?,claim?,value}}
 * DELETE /api/v1/recipients/:name                         (revokes its tokens)
 * POST   /api/v1/recipients/:name/shares       {share}
 * DELETE /api/v1/recipients/:name/shares/:share
 * POST   /api/v1/recipients/:name/tokens       {description?,expiresAt?|expiresInSeconds?}
 * </pre>
 */
public final class AdminRouter {
  private static final Logger AUDIT = LoggerFactory.getLogger("tablegate.audit.admin");
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final long MAX_BODY_BYTES = 1L << 20;
  public static final String PREFIX = "/api/v1";

  /** The provider, previewing its own tables: every share, no network limits. */
  private static final io.tablegate.auth.Recipient PROVIDER =
      new io.tablegate.auth.Recipient("admin", true, java.util.Set.of());

  private final LiveCatalog catalog;
  private final WorkerExecutor workers;
  private final byte[] adminTokenSha256;
  private final Clock clock;
  private final Runnable changed;

  private AdminRouter(
      LiveCatalog catalog,
      WorkerExecutor workers,
      byte[] adminTokenSha256,
      Clock clock,
      Runnable changed) {
    this.changed = changed;
    this.catalog = catalog;
    this.workers = workers;
    this.adminTokenSha256 = adminTokenSha256.clone();
    this.clock = clock;
  }

  /**
   * @param changed called after every committed change (tells the other instances)
   * @param usage what recipients read on this instance ({@code GET /recipients/:name/usage})
   * @param sharing reads table rows for previews ({@code GET .../tables/:table/sample}), as the
   *     provider sees the table
   */
  public static Router create(
      Vertx vertx,
      LiveCatalog catalog,
      WorkerExecutor workers,
      byte[] adminTokenSha256,
      Clock clock,
      Runnable changed,
      io.tablegate.service.UsageLedger usage,
      io.tablegate.service.SharingService sharing) {
    AdminRouter a = new AdminRouter(catalog, workers, adminTokenSha256, clock, changed);
    Router r = Router.router(vertx);
    r.route().handler(new AccessLogHandler(RequestObserver.NONE));
    r.get("/livez").handler(ctx -> ctx.response().end("ok"));
    r.route(PREFIX + "/*").handler(a::authenticate);
    r.route(PREFIX + "/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    String share = PREFIX + "/shares/:share";
    r.get(PREFIX + "/shares").handler(ctx -> a.run(ctx, 200, catalog::shares));
    r.post(PREFIX + "/shares")
        .handler(
            ctx -> {
              JsonNode b =
                  body(
                      ctx, "name", "id", "displayName", "comment", "properties", "directoryAccess");
              a.change(
                  ctx,
                  201,
                  "share.create",
                  () -> catalog.createShare(str(b, "name"), str(b, "id"), b));
            });
    r.patch(PREFIX + "/shares/:share")
        .handler(
            ctx -> {
              JsonNode b = body(ctx, "displayName", "comment", "properties", "directoryAccess");
              a.change(
                  ctx, 200, "share.update", () -> catalog.describeShare(ctx.pathParam("share"), b));
            });
    r.get(share).handler(ctx -> a.run(ctx, 200, () -> catalog.share(ctx.pathParam("share"))));
    r.delete(share)
        .handler(
            ctx ->
                a.change(
                    ctx, 200, "share.remove", () -> catalog.removeShare(ctx.pathParam("share"))));
    r.post(share + "/schemas")
        .handler(
            ctx -> {
              JsonNode b = body(ctx, "name");
              a.change(
                  ctx,
                  201,
                  "schema.create",
                  () -> catalog.addSchema(ctx.pathParam("share"), str(b, "name")));
            });
    r.delete(share + "/schemas/:schema")
        .handler(
            ctx ->
                a.change(
                    ctx,
                    200,
                    "schema.remove",
                    () -> catalog.removeSchema(ctx.pathParam("share"), ctx.pathParam("schema"))));
    r.post(share + "/schemas/:schema/tables")
        .handler(
            ctx -> {
              JsonNode b =
                  body(
                      ctx,
                      "name",
                      "location",
                      "id",
                      "format",
                      "historyShared",
                      "startVersion",
                      "store",
                      "fileAccess",
                      "catalog",
                      "table");
              a.change(
                  ctx,
                  201,
                  "table.create",
                  () -> catalog.addTable(ctx.pathParam("share"), ctx.pathParam("schema"), b));
            });
    r.delete(share + "/schemas/:schema/tables/:table")
        .handler(
            ctx ->
                a.change(
                    ctx,
                    200,
                    "table.remove",
                    () ->
                        catalog.removeTable(
                            ctx.pathParam("share"),
                            ctx.pathParam("schema"),
                            ctx.pathParam("table"))));
    r.get(share + "/schemas/:schema/tables/:table/sample")
        .handler(
            ctx ->
                sharing
                    .sample(
                        PROVIDER,
                        new io.tablegate.service.TableRef(
                            ctx.pathParam("share"),
                            ctx.pathParam("schema"),
                            ctx.pathParam("table")),
                        Params.integer(ctx, "limit"),
                        Params.version(ctx, "version"),
                        false)
                    .onComplete(
                        ar -> {
                          if (ar.failed()) ctx.fail(ar.cause());
                          else
                            ctx.response()
                                .putHeader("Content-Type", ar.result().contentType())
                                .putHeader("Cache-Control", "no-store")
                                .end(Buffer.buffer(ar.result().body()));
                        }));
    // recipient policies: columns and rows a recipient may read of a table
    r.put(share + "/policies")
        .handler(
            ctx -> {
              JsonNode b = body(ctx, "recipient", "table", "columns", "exceptColumns", "filter");
              a.change(ctx, 200, "policy.set", () -> catalog.setPolicy(ctx.pathParam("share"), b));
            });
    r.delete(share + "/policies")
        .handler(
            ctx ->
                a.change(
                    ctx,
                    200,
                    "policy.remove",
                    () ->
                        catalog.removePolicy(
                            ctx.pathParam("share"),
                            Params.string(ctx, "recipient"),
                            Params.string(ctx, "table"))));
    r.get(share + "/tokens")
        .handler(ctx -> a.run(ctx, 200, () -> catalog.tokens(ctx.pathParam("share"), null)));
    r.post(share + "/tokens")
        .handler(
            ctx -> {
              JsonNode b = body(ctx, "description", "expiresAt", "expiresInSeconds");
              a.change(
                  ctx,
                  201,
                  "token.create",
                  () ->
                      catalog.createToken(
                          ctx.pathParam("share"), null, str(b, "description"), a.expiry(b)));
            });
    // single-use activation links, for a share or a recipient
    r.post(share + "/activations").handler(ctx -> a.activation(ctx, ctx.pathParam("share"), null));
    r.post(PREFIX + "/recipients/:name/activations")
        .handler(ctx -> a.activation(ctx, null, ctx.pathParam("name")));
    r.get(PREFIX + "/tokens")
        .handler(
            ctx ->
                a.run(
                    ctx,
                    200,
                    () ->
                        catalog.tokens(
                            io.tablegate.http.Params.string(ctx, "share"),
                            io.tablegate.http.Params.string(ctx, "recipient"))));
    r.post(PREFIX + "/tokens/:id/revoke")
        .handler(
            ctx ->
                a.change(ctx, 200, "token.revoke", () -> catalog.revokeToken(ctx.pathParam("id"))));
    r.delete(PREFIX + "/tokens/:id")
        .handler(
            ctx ->
                a.change(ctx, 200, "token.revoke", () -> catalog.revokeToken(ctx.pathParam("id"))));
    r.post(PREFIX + "/tokens/:id/rotate")
        .handler(
            ctx -> {
              JsonNode b = body(ctx, "graceSeconds");
              long grace = number(b, "graceSeconds", 3600);
              a.change(
                  ctx,
                  201,
                  "token.rotate",
                  () -> catalog.rotateToken(ctx.pathParam("id"), Duration.ofSeconds(grace)));
            });
    r.get(PREFIX + "/recipients").handler(ctx -> a.run(ctx, 200, catalog::recipients));
    r.post(PREFIX + "/recipients")
        .handler(
            ctx -> {
              JsonNode b = body(ctx, "name", "shares", "oidc", "allowedNetworks");
              List<String> shares = new ArrayList<>();
              JsonNode s = b.path("shares");
              if (!s.isMissingNode() && !s.isArray())
                throw SharingErrors.invalidParameter("shares must be a list of share names");
              s.forEach(x -> shares.add(x.asText()));
              List<String> networks = new ArrayList<>();
              JsonNode n = b.path("allowedNetworks");
              if (!n.isMissingNode() && !n.isArray())
                throw SharingErrors.invalidParameter(
                    "allowedNetworks must be a list such as [\"10.0.0.0/8\"]");
              n.forEach(x -> networks.add(x.asText()));
              a.change(
                  ctx,
                  201,
                  "recipient.create",
                  () -> catalog.createRecipient(str(b, "name"), shares, b.get("oidc"), networks));
            });
    r.get(PREFIX + "/recipients/:name/usage")
        .handler(
            ctx ->
                a.run(
                    ctx,
                    200,
                    () -> {
                      String name = ctx.pathParam("name");
                      var ids = catalog.recipientIds(name);
                      com.fasterxml.jackson.databind.node.ObjectNode out =
                          MAPPER.createObjectNode();
                      out.put("recipient", name);
                      out.put("scope", usage.scope());
                      com.fasterxml.jackson.databind.node.ObjectNode tables =
                          out.putObject("tables");
                      usage
                          .usage(ids)
                          .forEach(
                              (t, u) -> {
                                com.fasterxml.jackson.databind.node.ObjectNode n =
                                    tables.putObject(t);
                                n.put("requests", u.requests());
                                n.put("files", u.files());
                                n.put("bytes", u.bytes());
                              });
                      return out;
                    }));
    r.delete(PREFIX + "/recipients/:name")
        .handler(
            ctx ->
                a.change(
                    ctx,
                    200,
                    "recipient.remove",
                    () -> catalog.removeRecipient(ctx.pathParam("name"))));
    r.post(PREFIX + "/recipients/:name/shares")
        .handler(
            ctx -> {
              JsonNode b = body(ctx, "share");
              a.change(
                  ctx,
                  200,
                  "recipient.grant",
                  () -> catalog.grant(ctx.pathParam("name"), str(b, "share"), true));
            });
    r.delete(PREFIX + "/recipients/:name/shares/:share")
        .handler(
            ctx ->
                a.change(
                    ctx,
                    200,
                    "recipient.ungrant",
                    () -> catalog.grant(ctx.pathParam("name"), ctx.pathParam("share"), false)));
    r.post(PREFIX + "/recipients/:name/tokens")
        .handler(
            ctx -> {
              JsonNode b = body(ctx, "description", "expiresAt", "expiresInSeconds");
              a.change(
                  ctx,
                  201,
                  "token.create",
                  () ->
                      catalog.createToken(
                          null, ctx.pathParam("name"), str(b, "description"), a.expiry(b)));
            });
    FailureHandler failures = new FailureHandler();
    r.route().failureHandler(failures);
    r.errorHandler(404, failures);
    r.errorHandler(405, failures);
    return r;
  }

  private void authenticate(RoutingContext ctx) {
    String credential = Bearer.credential(ctx.request().getHeader("Authorization"));
    if (credential == null)
      throw SharingErrors.unauthenticated(
          "The admin API needs 'Authorization: Bearer <admin token>'");
    if (!Bearer.matches(credential, adminTokenSha256)) {
      throw SharingErrors.unauthenticated(
          "The admin token is not valid (recipient tokens cannot administer)");
    }
    ctx.next();
  }

  /**
   * The request's JSON object; a key it does not know is refused (a typo must not pass silently).
   */
  private static JsonNode body(RoutingContext ctx, String... known) {
    Buffer b = ctx.body().buffer();
    if (b == null || b.length() == 0) return MAPPER.createObjectNode();
    JsonNode n;
    try {
      n = MAPPER.readTree(b.getBytes());
    } catch (IOException e) {
      throw SharingErrors.malformed("The request body is not valid JSON");
    }
    if (n == null || !n.isObject())
      throw SharingErrors.malformed("The request body must be a JSON object");
    java.util.Set<String> allowed = java.util.Set.of(known);
    for (java.util.Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        String shown = key.length() > 64 ? key.substring(0, 64) + "…" : key;
        throw SharingErrors.invalidParameter(
            "Unknown field '"
                + shown.replaceAll("\\p{Cntrl}", "?")
                + "'; expected one of "
                + java.util.List.of(known));
      }
    }
    return n;
  }

  private static String str(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw SharingErrors.invalidParameter("'" + field + "' must be a string");
    return v.asText();
  }

  private void activation(RoutingContext ctx, String share, String recipient) {
    JsonNode b = body(ctx, "description", "expiresAt", "expiresInSeconds", "linkExpiresInSeconds");
    change(
        ctx,
        201,
        "activation.create",
        () ->
            catalog.createActivation(
                share, recipient, str(b, "description"), expiry(b), linkLifetime(b)));
  }

  /** An activation link's lifetime: {@code linkExpiresInSeconds}, 7 days by default. */
  private static Duration linkLifetime(JsonNode b) {
    return Duration.ofSeconds(number(b, "linkExpiresInSeconds", 7 * 86_400L));
  }

  private static long number(JsonNode b, String field, long dflt) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) return dflt;
    if (!v.canConvertToLong() || v.asLong() < 0)
      throw SharingErrors.invalidParameter("'" + field + "' must be a non-negative integer");
    return v.asLong();
  }

  private Instant expiry(JsonNode b) {
    String at = str(b, "expiresAt");
    JsonNode in = b.get("expiresInSeconds");
    if (at != null && in != null)
      throw SharingErrors.invalidParameter("Give expiresAt or expiresInSeconds, not both");
    if (at != null) {
      try {
        return Instant.parse(at);
      } catch (DateTimeParseException e) {
        throw SharingErrors.invalidParameter(
            "expiresAt must be an ISO-8601 instant such as 2027-01-31T00:00:00Z");
      }
    }
    if (in == null) return null;
    long seconds = number(b, "expiresInSeconds", 0);
    if (seconds < 60 || seconds > 10L * 365 * 86400)
      throw SharingErrors.invalidParameter("expiresInSeconds must be 60 to 315360000");
    return clock.instant().plusSeconds(seconds).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
  }

  private void run(RoutingContext ctx, int status, Callable<JsonNode> op) {
    workers
        .<JsonNode>executeBlocking(op, false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              try {
                ctx.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(
                        Buffer.buffer(
                            MAPPER
                                .writerWithDefaultPrettyPrinter()
                                .writeValueAsBytes(ar.result())));
              } catch (IOException e) {
                ctx.fail(e);
              }
            });
  }

  private void change(RoutingContext ctx, int status, String action, Callable<JsonNode> op) {
    run(
        ctx,
        status,
        () -> {
          JsonNode result = op.call();
          var log =
              AUDIT
                  .atInfo()
                  .addKeyValue("action", action)
                  .addKeyValue("path", ctx.normalizedPath());
          if (result instanceof ObjectNode o && o.has("id"))
            log = log.addKeyValue("id", o.get("id").asText());
          log.addKeyValue("catalogVersion", catalog.view().version()).log("Admin change");
          changed.run();
          return result;
        });
  }
}
