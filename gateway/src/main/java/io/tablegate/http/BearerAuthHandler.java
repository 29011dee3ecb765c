package io.tablegate.http;

import io.tablegate.catalog.LiveCatalog;
import io.tablegate.catalog.Recipient;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;
import io.tablegate.config.ConfigLoader;
import io.tablegate.config.TokenConfig;
import io.tablegate.protocol.SharingErrors;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;

/**
 * Authenticates {@code Authorization: Bearer} tokens against stored SHA-256 hashes in constant
 * time (every stored hash is compared, whichever matches). Puts the {@link Recipient} on the
 * context under {@link #RECIPIENT}. With no tokens configured, every caller is anonymous and may
 * read every share. Tokens are never logged.
 */
public final class BearerAuthHandler implements Handler<RoutingContext> {
  public static final String RECIPIENT = "tablegate.recipient";

  private final Supplier<Map<String, LiveCatalog.TokenEntry>> tokens;
  private final boolean required;
  private final Clock clock;
  private final OidcAuthenticator oidc;

  /** Static tokens only (the configuration file's); none means every caller is anonymous. */
  public BearerAuthHandler(List<TokenConfig> tokens, Clock clock) {
    Map<String, LiveCatalog.TokenEntry> byHash = new HashMap<>();
    for (TokenConfig t : tokens) {
      byHash.put(HexFormat.of().formatHex(t.sha256()),
          new LiveCatalog.TokenEntry(t.id(), new Recipient(t.id(), t.shares().isEmpty(), new HashSet<>(t.shares())), t.expiresAt(), null));
    }
    Map<String, LiveCatalog.TokenEntry> fixed = Map.copyOf(byHash);
    this.tokens = () -> fixed;
    this.required = !tokens.isEmpty();
    this.clock = clock;
    this.oidc = null;
  }

  /**
   * @param tokens the tokens as they are now, by hex SHA-256 (static and live ones)
   * @param required false only when no authorization is configured at all
   */
  public BearerAuthHandler(Supplier<Map<String, LiveCatalog.TokenEntry>> tokens, boolean required, Clock clock) {
    this(tokens, required, clock, null);
  }

  /** @param oidc validates identity-provider access tokens (JWTs); null when OIDC is off */
  public BearerAuthHandler(Supplier<Map<String, LiveCatalog.TokenEntry>> tokens, boolean required, Clock clock, OidcAuthenticator oidc) {
    this.tokens = tokens;
    this.required = required;
    this.clock = clock;
    this.oidc = oidc;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (required && oidc != null && header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String credential = header.substring(7).trim();
      if (OidcAuthenticator.looksLikeJwt(credential)) {
        oidc.authenticate(credential).onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
          } else {
            ctx.put(RECIPIENT, ar.result());
            ctx.next();
          }
        });
        return;
      }
    }
    ctx.put(RECIPIENT, authenticate(header));
    ctx.next();
  }

  Recipient authenticate(String header) {
    if (!required) return Recipient.anonymous();
    if (header == null || header.isBlank()) {
      throw SharingErrors.unauthenticated("Missing bearer token: send 'Authorization: Bearer <token>' from your profile file.");
    }
    String h = header.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw SharingErrors.unauthenticated("Unsupported authorization scheme: send 'Authorization: Bearer <token>'.");
    }
    // a lookup by the SHA-256 of the presented token: timing reveals nothing about stored tokens
    LiveCatalog.TokenEntry match = tokens.get().get(HexFormat.of().formatHex(ConfigLoader.sha256(h.substring(7).trim())));
    if (match == null) throw SharingErrors.unauthenticated("The bearer token is not valid. Ask your share provider for a new profile.");
    if (match.revokedAt() != null) {
      throw SharingErrors.unauthenticated("The bearer token was revoked. Ask your share provider for a new profile.");
    }
    if (match.expiresAt() != null && !clock.instant().isBefore(match.expiresAt())) {
      throw SharingErrors.unauthenticated("The bearer token expired at " + match.expiresAt() + ". Ask your share provider for a new profile.");
    }
    return match.recipient();
  }

  static Recipient recipient(RoutingContext ctx) {
    return ctx.get(RECIPIENT);
  }
}
