package io.tablegate.http;

import io.tablegate.auth.Bearer;
import io.tablegate.events.BucketEventParser;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.service.InvalidationService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bucket-notification webhook: MinIO's webhook target, Ceph RGW topics, AWS S3 through an SNS
 * HTTP(S) subscription, or any sender of {@code {"Records":[..]}}.
 *
 * <p>The sender proves itself with the configured webhook token, as {@code Authorization: Bearer}
 * (MinIO's {@code auth_token}) or as the query parameter {@code token} (Ceph RGW and SNS cannot
 * send headers); the token is compared in constant time and never logged (the audit log never
 * writes query strings). {@code HEAD} answers at once without auth (MinIO's liveness probe).
 *
 * <p>The answer is 200 as soon as this instance and the shared tier are invalidated, and 202 after
 * at most {@link #ACK_WITHIN_MS} even if that is still under way, so a store's persistent queue
 * never waits on a busy gateway. An SNS subscription confirmation is confirmed by fetching its
 * {@code SubscribeURL}, but only on a host the configuration allows (by default AWS's SNS hosts).
 */
final class EventsHandler {
  private static final Logger LOGGER = LoggerFactory.getLogger(EventsHandler.class);
  static final long ACK_WITHIN_MS = 2_000;
  private final byte[] tokenSha256;
  private final InvalidationService invalidations;
  private final List<Pattern> snsHosts;
  private final Vertx vertx;
  private HttpClient client;

  EventsHandler(
      Vertx vertx,
      byte[] tokenSha256,
      InvalidationService invalidations,
      List<String> snsHostPatterns) {
    this.vertx = vertx;
    this.tokenSha256 = tokenSha256;
    this.invalidations = invalidations;
    this.snsHosts = snsHostPatterns.stream().map(EventsHandler::glob).toList();
  }

  /** {@code *} stands for one DNS label. */
  static Pattern glob(String hostPattern) {
    StringBuilder re = new StringBuilder();
    for (String part : hostPattern.toLowerCase(Locale.ROOT).split("\\*", -1)) {
      if (re.length() > 0) re.append("[a-z0-9-]+");
      re.append(Pattern.quote(part));
    }
    return Pattern.compile(re.toString());
  }

  void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.HEAD) {
      ctx.response().end();
      return;
    }
    if (!authenticated(ctx)) {
      throw SharingErrors.unauthenticated(
          "Bucket notifications need the configured webhook token, as 'Authorization: Bearer <token>' or as '?token=<token>'.");
    }
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    BucketEventParser.Message message = BucketEventParser.parseMessage(body);
    if (message instanceof BucketEventParser.Message.Events e) {
      acknowledge(ctx, invalidations.apply(e.events()).map(List::size));
    } else if (message instanceof BucketEventParser.Message.SubscriptionConfirmation c) {
      confirm(ctx, c);
    } else {
      ctx.response()
          .putHeader("Content-Type", "application/json; charset=utf-8")
          .end("{\"ignored\":true}");
    }
  }

  private boolean authenticated(RoutingContext ctx) {
    String token = Bearer.credential(ctx.request().getHeader("Authorization"));
    if (token == null) token = Params.query(ctx, "token");
    return Bearer.matches(token, tokenSha256);
  }

  private void acknowledge(RoutingContext ctx, Future<Integer> applied) {
    long timer =
        vertx.setTimer(
            ACK_WITHIN_MS,
            id -> {
              if (!ctx.response().ended()) {
                ctx.response()
                    .setStatusCode(202)
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .end("{\"accepted\":true}");
              }
            });
    applied.onComplete(
        ar -> {
          vertx.cancelTimer(timer);
          if (ctx.response().ended()) return;
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          ctx.response()
              .putHeader("Content-Type", "application/json; charset=utf-8")
              .end("{\"invalidatedTables\":" + ar.result() + "}");
        });
  }

  private void confirm(RoutingContext ctx, BucketEventParser.Message.SubscriptionConfirmation c) {
    URI uri;
    try {
      uri = URI.create(c.subscribeUrl());
    } catch (IllegalArgumentException e) {
      throw SharingErrors.malformed(
          "Invalid SNS subscription confirmation: SubscribeURL is not a URL");
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    boolean allowed =
        ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
            && snsHosts.stream().anyMatch(p -> p.matcher(host).matches());
    if (!allowed) {
      throw SharingErrors.invalidParameter(
          "SNS SubscribeURL host '" + host + "' is not allowed (see notifications.snsHosts).");
    }
    if (client == null)
      client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    RequestOptions get =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(uri.toString())
            .setTimeout(10_000);
    client
        .request(get)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result() / 100 == 2) {
                LOGGER
                    .atInfo()
                    .addKeyValue("topic", c.topicArn())
                    .log("Confirmed the SNS subscription of a bucket-notification topic");
                ctx.response()
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .end("{\"confirmed\":true}");
              } else {
                LOGGER
                    .atWarn()
                    .addKeyValue("topic", c.topicArn())
                    .addKeyValue(
                        "status",
                        ar.succeeded() ? ar.result() : ar.cause().getClass().getSimpleName())
                    .log("Cannot confirm an SNS subscription");
                ctx.fail(
                    SharingErrors.unavailable(
                        "Cannot confirm the SNS subscription; SNS will retry."));
              }
            });
  }
}
