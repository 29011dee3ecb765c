package io.tablegate.http;

import io.tablegate.auth.AccessTokens;
import io.tablegate.auth.Bearer;
import io.tablegate.auth.OidcAuthenticator;
import io.tablegate.auth.Recipient;
import io.tablegate.auth.TokenAuthenticator;
import io.tablegate.config.NetworkConfig;
import io.tablegate.protocol.SharingErrors;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates the {@code Authorization} header: a JWT the gateway issued itself (its OAuth token
 * endpoint) names a gateway token, checked again now; another JWT goes to the OIDC authenticator
 * when OIDC is configured; anything else is a gateway token ({@link TokenAuthenticator}). Puts the
 * {@link Recipient} on the context under {@link #RECIPIENT}; a failure is the protocol's 401.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {
  public static final String RECIPIENT = "tablegate.recipient";

  private final TokenAuthenticator tokens;
  private final OidcAuthenticator oidc;
  private final AccessTokens accessTokens;
  private final NetworkConfig network;

  /**
   * @param oidc validates identity-provider access tokens (JWTs); null when OIDC is off
   * @param accessTokens validates the gateway's own OAuth access tokens; null when there are none
   * @param network how the client's address is found, for recipients' network allow-lists
   */
  public BearerAuthHandler(
      TokenAuthenticator tokens,
      OidcAuthenticator oidc,
      AccessTokens accessTokens,
      NetworkConfig network) {
    this.tokens = tokens;
    this.oidc = oidc;
    this.accessTokens = accessTokens;
    this.network = network;
  }

  NetworkConfig network() {
    return network;
  }

  /**
   * Passes {@code who} on, or refuses it (403) when it may not connect from where the request comes
   * from.
   */
  private void admit(RoutingContext ctx, Recipient who) {
    if (!who.networks().isEmpty()) {
      java.net.InetAddress from = ClientAddress.of(ctx.request(), network);
      if (!who.allowedFrom(from)) {
        ctx.fail(
            SharingErrors.forbidden(
                "This recipient may not connect from "
                    + (from == null ? "an unknown address" : from.getHostAddress())
                    + "; ask your share provider to allow your network."));
        return;
      }
    }
    ctx.put(RECIPIENT, who);
    ctx.next();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String credential = Bearer.credential(header);
    if (tokens.required()
        && accessTokens != null
        && credential != null
        && OidcAuthenticator.looksLikeJwt(credential)) {
      String client = accessTokens.verify(credential); // null: another issuer's token
      if (client != null) {
        admit(ctx, tokens.byId(client));
        return;
      }
    }
    if (tokens.required()
        && oidc != null
        && credential != null
        && OidcAuthenticator.looksLikeJwt(credential)) {
      oidc.authenticate(credential)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  ctx.fail(ar.cause());
                } else {
                  admit(ctx, ar.result());
                }
              });
      return;
    }
    admit(ctx, tokens.authenticate(header));
  }

  static Recipient recipient(RoutingContext ctx) {
    return ctx.get(RECIPIENT);
  }
}
