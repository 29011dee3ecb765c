package io.tablegate.config;

import java.util.List;

/**
 * Identity providers whose access tokens (JWTs) recipients may present instead of a bearer token
 * (Delta Sharing profile {@code shareCredentialsVersion: 2}, {@code type:
 * oauth_client_credentials}). Which shares a token reads is decided by recipient policies (admin
 * API: a recipient with an {@code oidc} issuer, claim and value).
 */
public record OidcConfig(List<Issuer> issuers) {
  public OidcConfig {
    issuers = List.copyOf(issuers);
  }

  /**
   * @param issuer the exact {@code iss} value; discovery is at {@code issuer +
   *     /.well-known/openid-configuration}
   * @param audience the {@code aud} value the token must carry (this gateway)
   * @param jwksUri the key set's URL, null to take it from discovery
   * @param algorithms the accepted signature algorithms (never {@code none}, never HMAC)
   * @param clockSkewSeconds tolerance for {@code exp}, {@code nbf} and {@code iat}
   */
  public record Issuer(
      String issuer,
      String audience,
      String jwksUri,
      List<String> algorithms,
      int clockSkewSeconds) {
    public Issuer {
      algorithms = List.copyOf(algorithms);
    }
  }
}
