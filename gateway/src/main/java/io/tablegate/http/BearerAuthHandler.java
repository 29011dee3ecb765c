package io.tablegate.http;

import io.tablegate.auth.Bearer;
import io.tablegate.auth.OidcAuthenticator;
import io.tablegate.auth.Recipient;
import io.tablegate.auth.TokenAuthenticator;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates the {@code Authorization} header: a JWT goes to the OIDC authenticator when OIDC is
 * configured, anything else is a gateway token ({@link TokenAuthenticator}). Puts the {@link
 * Recipient} on the context under {@link #RECIPIENT}; a failure is the protocol's 401.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {
  public static final String RECIPIENT = "tablegate.recipient";

  private final TokenAuthenticator tokens;
  private final OidcAuthenticator oidc;

  /**
   * @param oidc validates identity-provider access tokens (JWTs); null when OIDC is off
   */
  public BearerAuthHandler(TokenAuthenticator tokens, OidcAuthenticator oidc) {
    this.tokens = tokens;
    this.oidc = oidc;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String credential = Bearer.credential(header);
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
                  ctx.put(RECIPIENT, ar.result());
                  ctx.next();
                }
              });
      return;
    }
    ctx.put(RECIPIENT, tokens.authenticate(header));
    ctx.next();
  }

  static Recipient recipient(RoutingContext ctx) {
    return ctx.get(RECIPIENT);
  }
}
