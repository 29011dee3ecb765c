package io.tablegate.http;

import io.tablegate.service.InvalidationService;
import io.tablegate.service.SharingService;
import io.tablegate.spi.ObjectStore;
import io.tablegate.storage.LocalUrlSigner;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.function.Function;

/**
 * Assembles the sharing API: protocol routes under the endpoint prefix, file URLs, health probes.
 */
public final class ApiRouter {
  private static final long MAX_BODY_BYTES = 2L << 20;

  private ApiRouter() {}

  /**
   * @param storeForLocation the object store behind a proxied {@code s3://} file location (null for
   *     local files)
   * @param workers the {@code table-io} pool, for blocking reads from object stores
   * @param auth recipient authentication (static and live tokens, OIDC, network allow-lists)
   * @param rateLimit per-recipient limits after authentication, null for none
   * @param webhookTokenSha256 the bucket-notification webhook's token hash, null to leave {@code
   *     /events} off
   * @param snsHosts hosts whose SNS subscription URLs the webhook may fetch
   * @param observer told of every request when it ends (metrics)
   * @param activations redeems single-use activation links ({@code GET {endpoint}/activate/{code}})
   * @param usage where recipients' reads are counted ({@code recipient usage})
   * @param accessTokens the gateway's own OAuth access tokens ({@code POST
   *     {endpoint}/oauth/token}); null when authorization is off
   * @param clients the gateway tokens that are the token endpoint's clients
   */
  public static Router create(
      Vertx vertx,
      String endpoint,
      SharingService service,
      LocalUrlSigner signer,
      Function<String, ObjectStore> storeForLocation,
      WorkerExecutor workers,
      BearerAuthHandler auth,
      RateLimitHandler rateLimit,
      byte[] webhookTokenSha256,
      List<String> snsHosts,
      InvalidationService invalidations,
      RequestObserver observer,
      io.tablegate.auth.ActivationRedeemer activations,
      io.tablegate.service.UsageLedger usage,
      io.tablegate.auth.AccessTokens accessTokens,
      io.tablegate.auth.TokenAuthenticator clients) {
    Router router = Router.router(vertx);
    String p = endpoint.equals("/") ? "" : endpoint;
    SharesHandler shares = new SharesHandler(service);
    TableHandler tables = new TableHandler(service);
    FileHandler files =
        new FileHandler(signer, vertx.fileSystem(), storeForLocation, workers, auth.network());

    router.route().handler(new AccessLogHandler(observer, usage));
    // Routes are tried in order, each a path match (most of them a regular expression): the
    // protocol's table routes come first, the most requested first, then the listings, then the
    // rest (paths that cannot overlap, so the order changes no answer, only the work per request)
    String table = p + "/shares/:share/schemas/:schema/tables/:table";
    // the body handler comes first: authentication may be asynchronous (OIDC key fetches)
    router.post(table + "/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.route(p + "/shares*").handler(auth);
    if (rateLimit != null) router.route(p + "/shares*").handler(rateLimit);
    router.get(table + "/metadata").handler(tables::metadata);
    router.post(table + "/query").handler(tables::query);
    router.get(table + "/version").handler(tables::version);
    router.head(table).handler(tables::version);
    router.get(table + "/changes").handler(tables::changes);
    router.get(table + "/sample").handler(tables::sample);
    router.post(table + "/queries/:queryId").handler(tables::queryStatus);
    router.post(table + "/temporary-table-credentials").handler(tables::temporaryCredentials);

    router.get(p + "/shares").handler(shares::listShares);
    router.get(p + "/shares/:share").handler(shares::getShare);
    router.get(p + "/shares/:share/schemas").handler(shares::listSchemas);
    router.get(p + "/shares/:share/schemas/:schema/tables").handler(shares::listTables);
    router.get(p + "/shares/:share/all-tables").handler(shares::listAllTables);
    if (webhookTokenSha256 != null && invalidations != null) {
      EventsHandler events = new EventsHandler(vertx, webhookTokenSha256, invalidations, snsHosts);
      router.post("/events").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
      router.route("/events").handler(events::handle);
    }
    router.route(HttpMethod.GET, p + LocalUrlSigner.PATH + ":object").handler(files::serve);
    // single-use activation links: no bearer token (the code is the credential), never logged
    router
        .get(p + "/activate/:code")
        .handler(
            ctx ->
                activations
                    .redeem(ctx.pathParam("code"))
                    .onComplete(
                        ar -> {
                          if (ar.failed()) {
                            ctx.fail(ar.cause());
                          } else if (ar.result() == null) {
                            ctx.fail(
                                new io.tablegate.protocol.SharingException(
                                    io.tablegate.protocol.ErrorCode.RESOURCE_DOES_NOT_EXIST,
                                    "This activation link is not valid: it was already used, it expired, or it"
                                        + " never existed. Ask your share provider for a new one."));
                          } else {
                            ctx.response()
                                .putHeader("Content-Type", "application/json; charset=utf-8")
                                .putHeader(
                                    "Content-Disposition", "attachment; filename=\"config.share\"")
                                .putHeader("Cache-Control", "no-store")
                                .end(io.vertx.core.buffer.Buffer.buffer(ar.result()));
                          }
                        }));
    router.route(HttpMethod.HEAD, p + LocalUrlSigner.PATH + ":object").handler(files::serve);
    if (accessTokens != null) {
      // the recipients' OAuth token endpoint: the client's credentials are in the request itself
      OAuthHandler oauth = new OAuthHandler(accessTokens, clients, auth.network());
      router.post(p + "/oauth/token").handler(BodyHandler.create(false).setBodyLimit(8_192));
      router.post(p + "/oauth/token").handler(oauth::token);
      router.get(p + "/oauth/jwks").handler(oauth::jwks);
    }

    // the shares as Iceberg REST catalogs (read-only), same recipients
    String ice = p + IcebergRestHandler.PATH;
    IcebergRestHandler iceberg = new IcebergRestHandler(service);
    // the body handler first, as above: authentication may be asynchronous
    router
        .post(ice + "/:prefix/namespaces/:namespace/tables/:table/sign")
        .handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.route(ice + "/*").handler(auth);
    if (rateLimit != null) router.route(ice + "/*").handler(rateLimit);
    router.get(ice + "/config").handler(iceberg::config);
    router.get(ice + "/:prefix/namespaces").handler(iceberg::namespaces);
    router
        .route(HttpMethod.GET, ice + "/:prefix/namespaces/:namespace")
        .handler(iceberg::namespace);
    router
        .route(HttpMethod.HEAD, ice + "/:prefix/namespaces/:namespace")
        .handler(iceberg::namespace);
    router.get(ice + "/:prefix/namespaces/:namespace/tables").handler(iceberg::tables);
    router
        .route(HttpMethod.GET, ice + "/:prefix/namespaces/:namespace/tables/:table")
        .handler(iceberg::loadTable);
    router
        .route(HttpMethod.HEAD, ice + "/:prefix/namespaces/:namespace/tables/:table")
        .handler(iceberg::loadTable);
    router.post(ice + "/:prefix/namespaces/:namespace/tables/:table/sign").handler(iceberg::sign);
    // scan reports of Iceberg clients: accepted and not kept (the audit log records the reads)
    router
        .post(ice + "/:prefix/namespaces/:namespace/tables/:table/metrics")
        .handler(ctx -> ctx.response().setStatusCode(204).end());

    FailureHandler failures = new FailureHandler();
    router.route().failureHandler(failures);
    router.errorHandler(404, failures);
    router.errorHandler(405, failures);
    return router;
  }
}
