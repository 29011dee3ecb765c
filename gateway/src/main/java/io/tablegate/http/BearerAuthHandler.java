package io.tablegate.http;

import io.tablegate.catalog.Recipient;
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

  private final List<TokenConfig> tokens;
  private final Clock clock;

  public BearerAuthHandler(List<TokenConfig> tokens, Clock clock) {
    this.tokens = List.copyOf(tokens);
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(RECIPIENT, authenticate(ctx.request().getHeader("Authorization")));
    ctx.next();
  }

  Recipient authenticate(String header) {
    if (tokens.isEmpty()) return Recipient.anonymous();
    if (header == null || header.isBlank()) {
      throw SharingErrors.unauthenticated("Missing bearer token: send 'Authorization: Bearer <token>' from your profile file.");
    }
    String h = header.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw SharingErrors.unauthenticated("Unsupported authorization scheme: send 'Authorization: Bearer <token>'.");
    }
    byte[] presented = ConfigLoader.sha256(h.substring(7).trim());
    TokenConfig match = null;
    for (TokenConfig t : tokens) {
      if (MessageDigest.isEqual(presented, t.sha256()) && match == null) match = t;
    }
    if (match == null) throw SharingErrors.unauthenticated("The bearer token is not valid. Ask your share provider for a new profile.");
    if (match.expiresAt() != null && !clock.instant().isBefore(match.expiresAt())) {
      throw SharingErrors.unauthenticated("The bearer token expired at " + match.expiresAt() + ". Ask your share provider for a new profile.");
    }
    return new Recipient(match.id(), match.shares().isEmpty(), new HashSet<>(match.shares()));
  }

  static Recipient recipient(RoutingContext ctx) {
    return ctx.get(RECIPIENT);
  }
}
