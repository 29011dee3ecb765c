package io.tablegate.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare
 * address is a /32 or /128). Parsed from literals only: a name is refused, never looked up.
 * IPv4-mapped IPv6 addresses ({@code ::ffff:10.1.2.3}) match the IPv4 networks.
 */
public record Cidr(byte[] network, int prefix, String text) {
  private static final Pattern IPV4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  public Cidr {
    network = network.clone();
  }

  @Override
  public byte[] network() {
    return network.clone();
  }

  /**
   * Parses {@code a.b.c.d[/n]} or {@code v6[/n]}; an {@link IllegalArgumentException} says what is
   * wrong.
   */
  public static Cidr parse(String text) {
    if (text == null || text.isBlank() || text.length() > 64)
      throw new IllegalArgumentException("not a network: '" + text + "'");
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = literal(address);
    if (bytes == null)
      throw new IllegalArgumentException("not an IP address or network: '" + text + "'");
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in '" + text + "'");
      }
      if (prefix < 0 || prefix > max)
        throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
    }
    byte[] masked = mask(bytes, prefix);
    return new Cidr(masked, prefix, toText(masked, prefix));
  }

  /** The address of an IP literal, or null when {@code s} is not one (no name resolution ever). */
  public static InetAddress address(String s) {
    if (s == null || s.length() > 64) return null;
    String t = s.trim();
    if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
    byte[] b = literal(t);
    try {
      return b == null ? null : InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The bytes of an IP literal, or null when {@code s} is not one (no name resolution ever). */
  static byte[] literal(String s) {
    var m4 = IPV4.matcher(s);
    if (m4.matches()) {
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(m4.group(i + 1));
        if (v > 255) return null;
        b[i] = (byte) v;
      }
      return b;
    }
    if (s.indexOf(':') >= 0 && IPV6.matcher(s).matches()) {
      try {
        return InetAddress.getByName(s).getAddress(); // a literal: parsed, not looked up
      } catch (UnknownHostException e) {
        return null;
      }
    }
    return null;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  private static String toText(byte[] b, int prefix) {
    try {
      String a = InetAddress.getByAddress(b).getHostAddress();
      return prefix == b.length * 8 ? a : a + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code address} is in this network. */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length == 16 && network.length == 4 && isV4Mapped(a)) a = Arrays.copyOfRange(a, 12, 16);
    if (a.length != network.length) return false;
    return Arrays.equals(mask(a, prefix), network);
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  /**
   * Whether any of {@code networks} contains {@code address}; true when there are none (no
   * restriction).
   */
  public static boolean allows(java.util.List<Cidr> networks, InetAddress address) {
    if (networks.isEmpty()) return true;
    if (address == null) return false;
    for (Cidr c : networks) if (c.contains(address)) return true;
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    return text;
  }
}
