package io.tablegate.auth;

import io.tablegate.config.ConfigLoader;
import io.tablegate.config.TokenConfig;
import io.tablegate.protocol.SharingErrors;
import java.time.Clock;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Gateway bearer tokens: the presented token's SHA-256 is looked up among the stored hashes (timing
 * reveals nothing about stored tokens), then its revocation and expiry are checked. With no
 * authorization configured every caller is {@link Recipient#anonymous()}. Tokens are never logged.
 */
public final class TokenAuthenticator {
  private final Supplier<Map<String, TokenEntry>> tokens;
  private final boolean required;
  private final Clock clock;

  /**
   * @param tokens the tokens as they are now, by hex SHA-256 (static and live ones)
   * @param required false only when no authorization is configured at all
   */
  public TokenAuthenticator(
      Supplier<Map<String, TokenEntry>> tokens, boolean required, Clock clock) {
    this.tokens = tokens;
    this.required = required;
    this.clock = clock;
  }

  /** A configured token's entry: no shares listed means every share. */
  public static TokenEntry entry(TokenConfig t) {
    return new TokenEntry(
        t.id(),
        new Recipient(t.id(), t.shares().isEmpty(), new HashSet<>(t.shares()), t.allowedNetworks()),
        t.expiresAt(),
        null);
  }

  public boolean required() {
    return required;
  }

  /**
   * The recipient of an {@code Authorization} header's gateway token; a 401 protocol error when
   * there is none.
   */
  public Recipient authenticate(String header) {
    if (!required) return Recipient.anonymous();
    if (Bearer.otherScheme(header)) {
      throw SharingErrors.unauthenticated(
          "Unsupported authorization scheme: send 'Authorization: Bearer <token>'.");
    }
    String credential = Bearer.credential(header);
    if (credential == null) {
      throw SharingErrors.unauthenticated(
          "Missing bearer token: send 'Authorization: Bearer <token>' from your profile file.");
    }
    TokenEntry match = tokens.get().get(HexFormat.of().formatHex(ConfigLoader.sha256(credential)));
    if (match == null)
      throw SharingErrors.unauthenticated(
          "The bearer token is not valid. Ask your share provider for a new profile.");
    if (match.revokedAt() != null) {
      throw SharingErrors.unauthenticated(
          "The bearer token was revoked. Ask your share provider for a new profile.");
    }
    if (match.expiresAt() != null && !clock.instant().isBefore(match.expiresAt())) {
      throw SharingErrors.unauthenticated(
          "The bearer token expired at "
              + match.expiresAt()
              + ". Ask your share provider for a new profile.");
    }
    return match.recipient();
  }

  /**
   * The token a client of the OAuth token endpoint authenticates as: {@code clientId} is the
   * token's id, {@code secret} the token itself. Null when they do not match a valid (unrevoked,
   * unexpired) token; which of these failed is not told (no oracle for client ids).
   */
  public TokenEntry client(String clientId, String secret) {
    if (clientId == null || secret == null) return null;
    TokenEntry match = tokens.get().get(HexFormat.of().formatHex(ConfigLoader.sha256(secret)));
    if (match == null || !match.id().equals(clientId)) return null;
    if (match.revokedAt() != null) return null;
    if (match.expiresAt() != null && !clock.instant().isBefore(match.expiresAt())) return null;
    return match;
  }

  private volatile Map<String, TokenEntry> indexedFrom;
  private volatile Map<String, TokenEntry> byId = Map.of();

  /**
   * The recipient of the token named {@code id} (an access token's client), checked again now: a
   * revoked or expired token's access tokens stop working at once. A 401 protocol error otherwise.
   */
  public Recipient byId(String id) {
    Map<String, TokenEntry> current = tokens.get();
    if (current != indexedFrom) {
      Map<String, TokenEntry> index = new java.util.HashMap<>();
      for (TokenEntry e : current.values()) index.put(e.id(), e);
      byId = index;
      indexedFrom = current;
    }
    TokenEntry match = byId.get(id);
    if (match == null || match.revokedAt() != null) {
      throw SharingErrors.unauthenticated(
          "The access token's client was removed or revoked. Ask your share provider for a new profile.");
    }
    if (match.expiresAt() != null && !clock.instant().isBefore(match.expiresAt())) {
      throw SharingErrors.unauthenticated(
          "The access token's client expired at "
              + match.expiresAt()
              + ". Ask your share provider for a new profile.");
    }
    return match.recipient();
  }
}
