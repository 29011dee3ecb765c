package io.tablegate.protocol;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;

/** Opaque, URL-safe tokens: base64url (no padding) of a small JSON object. */
public final class Tokens {
  private Tokens() {}

  public static String encode(Map<String, Object> fields) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(QueryRequestCodec.writeObject(fields));
  }

  /** Decodes a token; throws {@link IllegalArgumentException} on anything that is not one of ours. */
  public static Map<String, Object> decode(String token) {
    try {
      return QueryRequestCodec.parseObject(Base64.getUrlDecoder().decode(token));
    } catch (IOException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("not a valid token", e);
    }
  }
}
