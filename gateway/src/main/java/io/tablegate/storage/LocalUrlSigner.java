package io.tablegate.storage;

import io.tablegate.spi.UrlSigner;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs the gateway's own file URLs: {@code {base}/files/{b64url(location)}?expires={ms}&signature={b64url(hmac)}}.
 * The HMAC-SHA256 covers the location and the expiry, so a URL is scoped to one object and one
 * lifetime; editing either gives 403. All instances sharing a {@code signingKey} accept each
 * other's URLs.
 */
public final class LocalUrlSigner implements UrlSigner {
  public static final String PATH = "/files/";

  private final SecretKeySpec key;
  /** Mac.getInstance is slow and a Mac is not thread-safe: one initialized Mac per thread. */
  private final ThreadLocal<Mac> macs;
  private final Supplier<String> baseUrl;
  private final long ttlMillis;
  private final Clock clock;

  /** @param baseUrl the public endpoint including its prefix, without a trailing slash */
  public LocalUrlSigner(byte[] key, Supplier<String> baseUrl, long ttlSeconds, Clock clock) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
    this.baseUrl = baseUrl;
    this.ttlMillis = ttlSeconds * 1000;
    this.clock = clock;
  }

  @Override
  public SignedUrl sign(String location) {
    long expires = clock.millis() + ttlMillis;
    return new SignedUrl(urlFor(location, expires), expires);
  }

  String urlFor(String location, long expires) {
    String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(location.getBytes(StandardCharsets.UTF_8));
    return baseUrl.get() + PATH + encoded + "?expires=" + expires + "&signature=" + signature(location, expires);
  }

  /** What a verification found: the location, or why the URL is refused. */
  public sealed interface Verdict {
    record Valid(String location) implements Verdict {}

    record Refused(String reason) implements Verdict {}
  }

  public Verdict verify(String encodedLocation, String expires, String signature) {
    if (encodedLocation == null || expires == null || signature == null) return new Verdict.Refused("missing signature parameters");
    String location;
    long expiry;
    try {
      location = new String(Base64.getUrlDecoder().decode(encodedLocation), StandardCharsets.UTF_8);
      expiry = Long.parseLong(expires);
    } catch (IllegalArgumentException e) {
      return new Verdict.Refused("malformed file URL");
    }
    byte[] expected = signature(location, expiry).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
      return new Verdict.Refused("invalid signature");
    }
    if (clock.millis() >= expiry) return new Verdict.Refused("the URL has expired");
    return new Verdict.Valid(location);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private String signature(String location, long expires) {
    Mac mac = macs.get();
    mac.update(location.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) '\n');
    mac.update(Long.toString(expires).getBytes(StandardCharsets.US_ASCII));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
  }
}
