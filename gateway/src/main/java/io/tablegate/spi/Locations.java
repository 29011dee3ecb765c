package io.tablegate.spi;

import java.io.File;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One spelling for the many ways engines write the same location, so that "is this file inside the
 * table?" is answered on what the location means, not how it is written: {@code s3a://} and {@code
 * s3n://} are {@code s3://}; {@code file:/p}, {@code file:///p}, {@code file://localhost/p} and a
 * plain {@code /p} are one local path, percent-encoded or not (Spark's Hadoop catalog writes the
 * table location as {@code file:///...} and data files as {@code file:/...}).
 */
public final class Locations {
  private Locations() {}

  /**
   * A location to compare: {@code s3://bucket/key} as written, or {@code file:} + the decoded,
   * normalized local path.
   */
  public static String comparable(String location) {
    String scheme = scheme(location);
    if (scheme == null || scheme.equals("file")) {
      String path = localPath(location);
      return path == null ? location : "file:" + path;
    }
    if (scheme.equals("s3a") || scheme.equals("s3n"))
      return "s3" + location.substring(scheme.length());
    return location;
  }

  /**
   * The location to read and sign: {@code s3://} for object stores, a well-formed {@code file:} URI
   * for local files.
   */
  public static String readable(String location) {
    String c = comparable(location);
    if (c.startsWith("file:")) return new File(c.substring(5)).toURI().toString();
    return c;
  }

  /**
   * The path of {@code file} below {@code root} (both {@link #comparable}), or null when the file
   * is not strictly inside the root or its path climbs with {@code ..}.
   */
  public static String relativeTo(String root, String file) {
    String r = root.endsWith("/") ? root : root + "/";
    if (!file.startsWith(r) || file.length() == r.length()) return null;
    String rest = file.substring(r.length());
    for (String segment : rest.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) return null;
    }
    return rest;
  }

  private static String scheme(String location) {
    int colon = location.indexOf(':');
    if (colon <= 0) return null;
    for (int i = 0; i < colon; i++) {
      char c = location.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) return null;
    }
    return location.substring(0, colon).toLowerCase(Locale.ROOT);
  }

  private static String localPath(String location) {
    String p = location;
    if (p.regionMatches(true, 0, "file:", 0, 5)) {
      p = p.substring(5);
      if (p.startsWith("//")) {
        int slash = p.indexOf('/', 2);
        String authority = slash < 0 ? p.substring(2) : p.substring(2, slash);
        if (!authority.isEmpty() && !authority.equalsIgnoreCase("localhost"))
          return null; // a remote host: leave it alone
        p = slash < 0 ? "/" : p.substring(slash);
      }
      p = decode(p);
    }
    if (p == null || !p.startsWith("/")) return null;
    boolean dir = p.endsWith("/");
    String normalized = Path.of(p).normalize().toString();
    return dir && !normalized.endsWith("/") ? normalized + "/" : normalized;
  }

  /**
   * Percent-decodes a URI path ({@code +} stays a plus); a path that is not valid encoding is taken
   * as written.
   */
  private static String decode(String p) {
    if (p.indexOf('%') < 0) return p;
    try {
      return URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return p;
    }
  }
}
