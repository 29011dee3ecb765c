package io.tablegate.auth;

import io.tablegate.config.ConfigLoader;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Mints gateway bearer tokens: 256 random bits, prefixed so that secret scanners recognize them,
 * and an id to name them by. Only the SHA-256 of a secret is ever stored; the secret is shown once.
 */
public final class TokenIssuer {
  /** Prefix of generated bearer tokens (recognizable in secret scanners). */
  public static final String TOKEN_PREFIX = "tgs_";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new token: its id, its secret (to show once) and the secret's hex SHA-256 (to store). */
  public record Minted(String id, String secret, String sha256) {
    @Override
    public String toString() {
      return "Minted[id=" + id + "]"; // never the secret
    }
  }

  private TokenIssuer() {}

  public static Minted mint() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    return new Minted(
        "tok_" + HexFormat.of().formatHex(id),
        secret,
        HexFormat.of().formatHex(ConfigLoader.sha256(secret)));
  }
}
