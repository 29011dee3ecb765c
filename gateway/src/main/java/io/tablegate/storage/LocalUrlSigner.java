package io.tablegate.storage;

import io.tablegate.config.Cidr;
import io.tablegate.crypto.Sealer;
import io.tablegate.protocol.Tokens;
import io.tablegate.spi.UrlSigner;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Signs the gateway's own file URLs: {@code {base}/files/{sealed}?sp=r}, where {@code sealed} is
 * the object's location, the URL's expiry and the recipient it was issued to, encrypted and
 * authenticated by the {@link Sealer} all instances share. The URL discloses nothing about where
 * the object lives; editing any byte of it gives 403.
 *
 * <p>The query {@code sp=r} (a read permission, in the shape of an Azure SAS) carries no authority
 * and is not checked: it is there because Delta Kernel (Rust, in the Python connector's delta
 * format and in kernel-based clients) fetches a file URL over HTTP only if its query has a
 * presigned-URL key ({@code X-Amz-Signature}, {@code sp}, {@code X-Goog-Credential}, ...), and
 * otherwise opens the URL's path on the local file system.
 */
public final class LocalUrlSigner {
  public static final String PATH = "/files/";
  private static final String PURPOSE = "file-url";

  /** What makes Delta Kernel treat the URL as presigned (see the class comment). */
  public static final String PRESIGNED_MARK = "?sp=r";

  private final Sealer sealer;
  private final Supplier<String> baseUrl;
  private final long ttlMillis;
  private final Clock clock;

  /**
   * @param baseUrl the public endpoint including its prefix, without a trailing slash
   */
  public LocalUrlSigner(Sealer sealer, Supplier<String> baseUrl, long ttlSeconds, Clock clock) {
    this.sealer = sealer;
    this.baseUrl = baseUrl;
    this.ttlMillis = ttlSeconds * 1000;
    this.clock = clock;
  }

  /** The signer of URLs issued to one recipient (by id; audited when the file is downloaded). */
  public UrlSigner forRecipient(String recipient) {
    return forRecipient(recipient, List.of());
  }

  /**
   * The signer of URLs issued to one recipient whose requests must come from {@code networks}
   * (none: anywhere): the networks travel sealed in each URL and are checked again when it is
   * downloaded.
   */
  public UrlSigner forRecipient(String recipient, List<Cidr> networks) {
    String nets = networksClaim(networks);
    return location -> {
      long expires = clock.millis() + ttlMillis;
      return new UrlSigner.SignedUrl(urlFor(location, expires, recipient, nets), expires);
    };
  }

  /**
   * The signer of one recipient's URLs that all expire at {@code expires} (a signing window's end
   * plus the lifetime): its URLs may be reused by any request of the same recipient, networks and
   * expiry ({@link UrlSigner#reuseKey}).
   */
  public UrlSigner forRecipient(String recipient, List<Cidr> networks, long expires) {
    String nets = networksClaim(networks);
    String base = baseUrl.get();
    String key = "g|" + base + "|" + recipient + "|" + nets + "|" + expires;
    return new UrlSigner() {
      @Override
      public SignedUrl sign(String location) {
        return new UrlSigner.SignedUrl(urlFor(location, expires, recipient, nets), expires);
      }

      @Override
      public String reuseKey() {
        return key;
      }
    };
  }

  /** How long the URLs of {@link #forRecipient(String, List)} stay valid, in milliseconds. */
  public long ttlMillis() {
    return ttlMillis;
  }

  /** The networks as sealed in a URL (comma-separated CIDRs), or null for anywhere. */
  private static String networksClaim(List<Cidr> networks) {
    return networks.isEmpty()
        ? null
        : String.join(",", networks.stream().map(Cidr::toString).toList());
  }

  private String urlFor(String location, long expires, String recipient, String networks) {
    return baseUrl.get()
        + PATH
        + sealer.seal(PURPOSE, payload(location, expires, recipient, networks))
        + PRESIGNED_MARK;
  }

  /**
   * The sealed JSON object {@code {"l": location, "x": expires, "w": recipient}}, written by hand:
   * it is made once per file of every response (a general JSON writer was 7% of a 1M-file stream's
   * CPU). {@link #verify} reads it back with the one token parser.
   */
  static byte[] payload(String location, long expires, String recipient) {
    return payload(location, expires, recipient, null);
  }

  /**
   * With {@code networks} (comma-separated CIDRs) as {@code "n"} when the recipient is restricted.
   */
  static byte[] payload(String location, long expires, String recipient, String networks) {
    StringBuilder sb = new StringBuilder(location.length() + recipient.length() + 40);
    sb.append("{\"l\":");
    jsonString(sb, location);
    sb.append(",\"x\":").append(expires).append(",\"w\":");
    jsonString(sb, recipient);
    if (networks != null) {
      sb.append(",\"n\":");
      jsonString(sb, networks);
    }
    return sb.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void jsonString(StringBuilder sb, String s) {
    sb.append('"');
    int n = s.length();
    int plain = 0;
    while (plain < n) {
      char c = s.charAt(plain);
      if (c == '"' || c == '\\' || c < 0x20) break;
      plain++;
    }
    sb.append(s, 0, plain); // a location rarely needs escaping: appended at once up to the first
    for (int i = plain; i < n; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  /** What a verification found: the location and recipient, or why the URL is refused. */
  public sealed interface Verdict {
    /**
     * @param networks where the recipient may download from (empty: anywhere)
     */
    record Valid(String location, String recipient, List<Cidr> networks) implements Verdict {}

    record Refused(String reason) implements Verdict {}
  }

  public Verdict verify(String sealed) {
    if (sealed == null) return new Verdict.Refused("malformed file URL");
    Map<String, Object> t;
    try {
      t = Tokens.parse(sealer.open(PURPOSE, sealed));
    } catch (Sealer.InvalidTokenException | IllegalArgumentException e) {
      return new Verdict.Refused("invalid signature");
    }
    if (!(t.get("l") instanceof String location)
        || !(t.get("x") instanceof Number expiry)
        || !(t.get("w") instanceof String who)) {
      return new Verdict.Refused("malformed file URL");
    }
    if (clock.millis() >= expiry.longValue()) return new Verdict.Refused("the URL has expired");
    List<Cidr> networks = new java.util.ArrayList<>();
    if (t.get("n") != null) {
      if (!(t.get("n") instanceof String nets)) return new Verdict.Refused("malformed file URL");
      try {
        for (String c : nets.split(",")) networks.add(Cidr.parse(c));
      } catch (IllegalArgumentException e) {
        return new Verdict.Refused("malformed file URL");
      }
    }
    return new Verdict.Valid(location, who, networks);
  }
}
