package io.tablegate.protocol;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;

/**
 * Small JSON objects inside tokens. {@link #encode}/{@link #decode} give plain base64url, which
 * only listing page tokens use (they reveal nothing a recipient cannot list and grant nothing);
 * tokens that name versions or locations are sealed by the caller around {@link #bytes}/{@link
 * #parse}.
 */
public final class Tokens {
  private Tokens() {}

  public static String encode(Map<String, Object> fields) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(fields));
  }

  public static byte[] bytes(Map<String, Object> fields) {
    return QueryRequestCodec.writeObject(fields);
  }

  /**
   * Decodes a token; throws {@link IllegalArgumentException} on anything that is not one of ours.
   */
  public static Map<String, Object> decode(String token) {
    try {
      return parse(Base64.getUrlDecoder().decode(token));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a valid token", e);
    }
  }

  /** Parses a token's JSON object; throws {@link IllegalArgumentException} when it is not one. */
  public static Map<String, Object> parse(byte[] json) {
    try {
      return QueryRequestCodec.parseObject(json);
    } catch (IOException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("not a valid token", e);
    }
  }
}
