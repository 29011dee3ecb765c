package io.tablegate.config;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * A recipient bearer token, held only as its SHA-256. {@code shares} empty means every share (the
 * reference server's single {@code bearerToken}); {@code expiresAt} may be null.
 */
public record TokenConfig(
    String id, byte[] sha256, List<String> shares, Instant expiresAt, List<Cidr> allowedNetworks) {
  public TokenConfig {
    sha256 = sha256.clone();
    shares = List.copyOf(shares);
    allowedNetworks = allowedNetworks == null ? List.of() : List.copyOf(allowedNetworks);
  }

  public TokenConfig(String id, byte[] sha256, List<String> shares, Instant expiresAt) {
    this(id, sha256, shares, expiresAt, List.of());
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  @Override
  public String toString() {
    return "TokenConfig[id="
        + id
        + ", sha256="
        + HexFormat.of().formatHex(sha256).substring(0, 8)
        + "…, shares="
        + shares
        + ", expiresAt="
        + expiresAt
        + "]";
  }
}
