package io.tablegate.storage.s3;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Presigns path-style S3 GET URLs with AWS Signature Version 4 (query-string authentication, {@code
 * UNSIGNED-PAYLOAD}, only the {@code host} header signed): the same URL the SDK's presigner builds,
 * at a fraction of its cost, since a query of a large table signs every file. The signing key is
 * derived once per day and credentials; thread-safe.
 */
final class SigV4Presigner {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  /** Credentials as of one moment: the session token is null for long-term keys. */
  record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    @Override
    public String toString() {
      return "Credentials[accessKeyId="
          + accessKeyId
          + ", secretAccessKey=***, sessionToken="
          + (sessionToken == null ? "none" : "***")
          + "]";
    }
  }

  private record SigningKey(String day, String secret, byte[] key) {}

  private final String scheme;
  private final String host;
  private final String region;
  private final Clock clock;
  private volatile SigningKey signingKey;
  private final ThreadLocal<MessageDigest> sha256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException(e);
            }
          });

  /**
   * @param endpoint the public endpoint, e.g. {@code https://s3.example.com:9000}
   */
  SigV4Presigner(URI endpoint, String region, Clock clock) {
    this.scheme = endpoint.getScheme();
    this.host =
        endpoint.getPort() < 0 || isDefaultPort(endpoint)
            ? endpoint.getHost()
            : endpoint.getHost() + ":" + endpoint.getPort();
    this.region = region;
    this.clock = clock;
  }

  private static boolean isDefaultPort(URI u) {
    return ("http".equals(u.getScheme()) && u.getPort() == 80)
        || ("https".equals(u.getScheme()) && u.getPort() == 443);
  }

  /**
   * A presigned GET URL of {@code bucket/key} valid for {@code seconds} (at most 7 days, as SigV4
   * allows).
   */
  String presign(Credentials c, String bucket, String key, long seconds, Instant now) {
    String amzDate = AMZ_DATE.format(now);
    String day = amzDate.substring(0, 8);
    String scope = day + "/" + region + "/s3/aws4_request";
    String path = "/" + encode(bucket, false) + "/" + encode(key, true);
    StringBuilder query =
        new StringBuilder(512)
            .append("X-Amz-Algorithm=AWS4-HMAC-SHA256")
            .append("&X-Amz-Credential=")
            .append(encode(c.accessKeyId() + "/" + scope, false))
            .append("&X-Amz-Date=")
            .append(amzDate)
            .append("&X-Amz-Expires=")
            .append(Math.min(seconds, 7 * 24 * 3600));
    if (c.sessionToken() != null)
      query.append("&X-Amz-Security-Token=").append(encode(c.sessionToken(), false));
    query.append("&X-Amz-SignedHeaders=host");
    String canonicalRequest =
        "GET\n" + path + "\n" + query + "\nhost:" + host + "\n\nhost\nUNSIGNED-PAYLOAD";
    String stringToSign =
        "AWS4-HMAC-SHA256\n"
            + amzDate
            + "\n"
            + scope
            + "\n"
            + HEX.formatHex(sha256.get().digest(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    String signature = HEX.formatHex(hmac(key(c.secretAccessKey(), day), stringToSign));
    return scheme + "://" + host + path + "?" + query + "&X-Amz-Signature=" + signature;
  }

  Instant now() {
    return clock.instant();
  }

  private byte[] key(String secret, String day) {
    SigningKey k = signingKey;
    if (k == null || !k.day().equals(day) || !k.secret().equals(secret)) {
      byte[] dateKey = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
      byte[] regionKey = hmac(dateKey, region);
      byte[] serviceKey = hmac(regionKey, "s3");
      k = new SigningKey(day, secret, hmac(serviceKey, "aws4_request"));
      signingKey = k;
    }
    return k.key();
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * SigV4 URI encoding: every byte but unreserved characters is %XX (uppercase); '/' kept in keys.
   */
  static String encode(String s, boolean keepSlash) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~'
          || (keepSlash && c == '/')) {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
