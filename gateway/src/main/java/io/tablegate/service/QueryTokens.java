package io.tablegate.service;

import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Page tokens and refresh tokens of table queries: bound to a table, a version and the query parameters. */
final class QueryTokens {
  private final Clock clock;
  private final long pageTtlMillis;
  private final long refreshTtlMillis;

  QueryTokens(Clock clock, long pageTtlMillis, long refreshTtlMillis) {
    this.clock = clock;
    this.pageTtlMillis = pageTtlMillis;
    this.refreshTtlMillis = refreshTtlMillis;
  }

  /**
   * Where a paginated query continues.
   *
   * @param version snapshot version, or the starting version of a change query
   * @param endVersion the end version of a change query (the latest captured on page 1), else -1
   * @param index how many body lines (files) earlier pages returned
   */
  record PageState(long version, long endVersion, long index) {}

  String page(String tableId, String fingerprint, PageState state) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("t", tableId);
    t.put("v", state.version());
    t.put("e", state.endVersion());
    t.put("i", state.index());
    t.put("h", hash(fingerprint));
    t.put("x", clock.millis() + pageTtlMillis);
    return Tokens.encode(t);
  }

  PageState readPage(String token, String tableId, String fingerprint) {
    Map<String, Object> t = decode(token, "Error decoding the page token");
    if (!tableId.equals(t.get("t"))) {
      throw SharingErrors.invalidParameter("The table specified in the page token does not match the table being queried.");
    }
    if (!hash(fingerprint).equals(t.get("h"))) {
      throw SharingErrors.invalidParameter(
          "Query parameter mismatch detected for the next page query. The query parameter cannot change when querying the next page results.");
    }
    if (number(t, "x", "Error decoding the page token") <= clock.millis()) {
      throw SharingErrors.invalidParameter("The page token has expired. Please restart the query.");
    }
    return new PageState(number(t, "v", "Error decoding the page token"), number(t, "e", "Error decoding the page token"),
        number(t, "i", "Error decoding the page token"));
  }

  String refresh(String tableId, long version) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("t", tableId);
    t.put("r", version);
    t.put("x", clock.millis() + refreshTtlMillis);
    return Tokens.encode(t);
  }

  long readRefresh(String token, String tableId) {
    Map<String, Object> t = decode(token, "Error decoding refresh token");
    if (!t.containsKey("r")) throw SharingErrors.invalidParameter("Error decoding refresh token: not a refresh token");
    if (!tableId.equals(t.get("t"))) {
      throw SharingErrors.invalidParameter("The table specified in the refresh token does not match the table being queried.");
    }
    if (number(t, "x", "Error decoding refresh token") <= clock.millis()) {
      throw SharingErrors.invalidParameter("The refresh token has expired. Please restart the query.");
    }
    return number(t, "r", "Error decoding refresh token");
  }

  private static Map<String, Object> decode(String token, String what) {
    try {
      return Tokens.decode(token);
    } catch (IllegalArgumentException e) {
      throw SharingErrors.invalidParameter(what + ": it is not a token this server issued");
    }
  }

  private static long number(Map<String, Object> t, String key, String what) {
    if (t.get(key) instanceof Number n) return n.longValue();
    throw SharingErrors.invalidParameter(what + ": it is not a token this server issued");
  }

  private static String hash(String fingerprint) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
