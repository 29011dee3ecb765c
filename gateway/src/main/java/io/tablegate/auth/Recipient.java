package io.tablegate.auth;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is asking: a token id (never the token) and the shares it may read. {@code allShares} is true
 * for the reference server's single bearer token and when authorization is off. {@code name} is the
 * recipient the token belongs to (its id when it belongs to none): recipient policies name it.
 */
public record Recipient(
    String id,
    boolean allShares,
    Set<String> shares,
    java.util.List<io.tablegate.config.Cidr> networks,
    String name) {
  public Recipient(String id, boolean allShares, Set<String> shares) {
    this(id, allShares, shares, java.util.List.of());
  }

  public Recipient(
      String id,
      boolean allShares,
      Set<String> shares,
      java.util.List<io.tablegate.config.Cidr> networks) {
    this(id, allShares, shares, networks, id);
  }

  /**
   * Whether this recipient may connect from {@code address} (no networks listed: from anywhere).
   */
  public boolean allowedFrom(java.net.InetAddress address) {
    return io.tablegate.config.Cidr.allows(networks, address);
  }

  public Recipient {
    if (name == null) name = id;
    networks = networks == null ? java.util.List.of() : java.util.List.copyOf(networks);
    shares =
        shares.stream()
            .map(s -> s.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
  }

  private static final Recipient ANONYMOUS = new Recipient("anonymous", true, Set.of());

  public static Recipient anonymous() {
    return ANONYMOUS;
  }

  public boolean canRead(String share) {
    return allShares || shares.contains(share.toLowerCase(Locale.ROOT));
  }
}
