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
}
