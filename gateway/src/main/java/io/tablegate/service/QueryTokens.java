package io.tablegate.service;

import io.tablegate.crypto.Sealer;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Page tokens and refresh tokens of table queries: sealed (authenticated and encrypted, see {@link
 * Sealer}) with the key all instances share, and bound to the recipient, the table, the versions
 * and the query parameters they continue. An altered, foreign or expired token is refused with
 * {@code INVALID_PARAMETER_VALUE}; callers still check the versions a token carries against the
 * table as it is now.
 */
final class QueryTokens {
  private static final String PAGE = "query-page";
  private static final String REFRESH = "query-refresh";
  private final Clock clock;
  private final long pageTtlMillis;
  private final long refreshTtlMillis;
  private final Sealer sealer;

  QueryTokens(Clock clock, long pageTtlMillis, long refreshTtlMillis, Sealer sealer) {
    this.clock = clock;
    this.pageTtlMillis = pageTtlMillis;
    this.refreshTtlMillis = refreshTtlMillis;
    this.sealer = sealer;
  }

  /**
   * Where a paginated query continues.
   *
   * @param version snapshot version, or the starting version of a change query
   * @param endVersion the end version of a change query (the latest captured on page 1), else -1
   * @param index how many body lines (files) earlier pages returned
   */
  record PageState(long version, long endVersion, long index) {}

  String page(String recipient, String tableId, String fingerprint, PageState state) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("w", recipient);
    t.put("t", tableId);
    t.put("v", state.version());
    t.put("e", state.endVersion());
    t.put("i", state.index());
    t.put("h", hash(fingerprint));
    t.put("x", clock.millis() + pageTtlMillis);
    return sealer.seal(PAGE, Tokens.bytes(t));
  }

  PageState readPage(String token, String recipient, String tableId, String fingerprint) {
    String what = "Invalid pageToken";
    Map<String, Object> t = openFor(PAGE, "page token", what, token, recipient, tableId);
    if (!hash(fingerprint).equals(t.get("h"))) {
      throw SharingErrors.invalidParameter(
          "Query parameter mismatch detected for the next page query. The query parameter cannot change when querying the next page results.");
    }
    PageState s = new PageState(number(t, "v", what), number(t, "e", what), number(t, "i", what));
    if (s.version() < 0 || s.index() < 0 || s.endVersion() < -1)
      throw SharingErrors.invalidParameter(what + ".");
    return s;
  }

  String refresh(String recipient, String tableId, long version) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("w", recipient);
    t.put("t", tableId);
    t.put("r", version);
    t.put("x", clock.millis() + refreshTtlMillis);
    return sealer.seal(REFRESH, Tokens.bytes(t));
  }

  long readRefresh(String token, String recipient, String tableId) {
    String what = "Invalid refreshToken";
    Map<String, Object> t = openFor(REFRESH, "refresh token", what, token, recipient, tableId);
    long version = number(t, "r", what);
    if (version < 0) throw SharingErrors.invalidParameter(what + ".");
    return version;
  }

  /**
   * Opens a token of {@code purpose} and checks what every token is bound to: table, recipient,
   * expiry.
   */
  private Map<String, Object> openFor(
      String purpose, String kind, String what, String token, String recipient, String tableId) {
    Map<String, Object> t = open(purpose, token, what);
    if (!tableId.equals(t.get("t"))) {
      throw SharingErrors.invalidParameter(
          "The table specified in the " + kind + " does not match the table being queried.");
    }
    if (!recipient.equals(t.get("w")))
      throw SharingErrors.invalidParameter(what + ": it was issued to another recipient.");
    if (number(t, "x", what) <= clock.millis()) {
      throw SharingErrors.invalidParameter(
          "The " + kind + " has expired. Please restart the query.");
    }
    return t;
  }

  private Map<String, Object> open(String purpose, String token, String what) {
    try {
      return Tokens.parse(sealer.open(purpose, token));
    } catch (Sealer.InvalidTokenException | IllegalArgumentException e) {
      throw SharingErrors.invalidParameter(
          what + ": it is not a token this server issued, or it was changed.");
    }
  }

  private static long number(Map<String, Object> t, String key, String what) {
    if (t.get(key) instanceof Number n) return n.longValue();
    throw SharingErrors.invalidParameter(
        what + ": it is not a token this server issued, or it was changed.");
  }

  private static String hash(String fingerprint) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(fingerprint.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
