package io.tablegate.auth;

import java.security.MessageDigest;

/**
 * The one reader of {@code Authorization: Bearer <credential>} headers (RFC 6750: the scheme is
 * case-insensitive).
 */
public final class Bearer {
  private static final String SCHEME = "Bearer ";

  private Bearer() {}

  /**
   * The credential of a bearer header, trimmed; null when the header is absent, of another scheme,
   * or empty.
   */
  public static String credential(String header) {
    if (header == null) return null;
    String h = header.trim();
    if (h.length() <= SCHEME.length() || !h.regionMatches(true, 0, SCHEME, 0, SCHEME.length()))
      return null;
    String credential = h.substring(SCHEME.length()).trim();
    return credential.isEmpty() ? null : credential;
  }

  /** Whether {@code header} is present and of another scheme than Bearer. */
  public static boolean otherScheme(String header) {
    if (header == null || header.isBlank()) return false;
    String h = header.trim();
    boolean bearer =
        h.regionMatches(true, 0, "Bearer", 0, 6)
            && (h.length() == 6 || Character.isWhitespace(h.charAt(6)));
    return !bearer;
  }

  /**
   * Whether {@code credential} hashes to {@code sha256}, in time independent of where they differ.
   */
  public static boolean matches(String credential, byte[] sha256) {
    return credential != null
        && MessageDigest.isEqual(io.tablegate.config.ConfigLoader.sha256(credential), sha256);
  }
}
