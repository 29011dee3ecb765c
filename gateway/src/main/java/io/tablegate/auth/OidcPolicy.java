package io.tablegate.auth;

import java.util.Set;

/**
 * An OIDC recipient policy: a token from {@code issuer} (for {@code audience}) whose {@code claim}
 * equals {@code value}.
 */
public record OidcPolicy(
    String recipient,
    String issuer,
    String audience,
    String claim,
    String value,
    Set<String> shares,
    java.util.List<io.tablegate.config.Cidr> networks) {
  public OidcPolicy {
    networks = networks == null ? java.util.List.of() : java.util.List.copyOf(networks);
  }
}
