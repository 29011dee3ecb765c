package io.tablegate.config;

import java.util.List;

/**
 * The whole gateway configuration, validated by {@link ConfigLoader}. Secrets ({@code signingKey},
 * token hashes) never appear in {@link #toString()}.
 *
 * @param publicEndpoint the external base URL including the endpoint prefix, e.g. {@code
 *     https://sharing.example.com/delta-sharing}; written into profiles and file URLs
 * @param signingKey the key that seals file URLs, page and refresh tokens; null means a random
 *     per-process key
 * @param previousSigningKeys older keys whose URLs and tokens are still accepted (key rotation)
 * @param limits bounds on connections, scans and request work
 * @param management the listener of probes and metrics
 * @param eventLoops event loops (instances of the listener verticle) serving the sharing listener
 */
public record GatewayConfig(
    String host,
    int port,
    String endpoint,
    String publicEndpoint,
    long preSignedUrlTimeoutSeconds,
    int queryTablePageSizeLimit,
    long queryTablePageTokenTtlMs,
    long refreshTokenTtlMs,
    int workerPoolSize,
    int eventLoops,
    long latestVersionTtlMs,
    int snapshotCacheSize,
    long responseCacheTtlMs,
    long responseCacheMaxBytes,
    byte[] signingKey,
    List<byte[]> previousSigningKeys,
    List<TokenConfig> tokens,
    List<StoreConfig> stores,
    List<IcebergCatalogConfig> icebergCatalogs,
    RedisConfig redis,
    NotificationsConfig notifications,
    TlsConfig tls,
    AdminConfig admin,
    ManagementConfig management,
    OidcConfig oidc,
    RateLimitConfig rateLimit,
    LimitsConfig limits,
    List<ShareConfig> shares,
    NetworkConfig network,
    RewriteConfig rewrites) {

  public GatewayConfig {
    tokens = List.copyOf(tokens);
    stores = List.copyOf(stores);
    icebergCatalogs = List.copyOf(icebergCatalogs);
    shares = List.copyOf(shares);
    signingKey = signingKey == null ? null : signingKey.clone();
    previousSigningKeys = previousSigningKeys.stream().map(byte[]::clone).toList();
    if (limits == null) limits = LimitsConfig.defaults();
    if (management == null) management = ManagementConfig.defaults();
    if (network == null) network = NetworkConfig.defaults();
    if (rewrites == null) rewrites = RewriteConfig.defaults();
  }

  @Override
  public byte[] signingKey() {
    return signingKey == null ? null : signingKey.clone();
  }

  @Override
  public List<byte[]> previousSigningKeys() {
    return previousSigningKeys.stream().map(byte[]::clone).toList();
  }

  /** This configuration with another management listener. */
  public GatewayConfig withManagement(ManagementConfig m) {
    return new GatewayConfig(
        host,
        port,
        endpoint,
        publicEndpoint,
        preSignedUrlTimeoutSeconds,
        queryTablePageSizeLimit,
        queryTablePageTokenTtlMs,
        refreshTokenTtlMs,
        workerPoolSize,
        eventLoops,
        latestVersionTtlMs,
        snapshotCacheSize,
        responseCacheTtlMs,
        responseCacheMaxBytes,
        signingKey,
        previousSigningKeys,
        tokens,
        stores,
        icebergCatalogs,
        redis,
        notifications,
        tls,
        admin,
        m,
        oidc,
        rateLimit,
        limits,
        shares,
        network,
        rewrites);
  }

  /** Whether recipients must authenticate: tokens in the file, live tokens (admin API) or OIDC. */
  public boolean authEnabled() {
    return !tokens.isEmpty() || admin != null || oidc != null;
  }

  @Override
  public String toString() {
    return "GatewayConfig[host="
        + host
        + ", port="
        + port
        + ", endpoint="
        + endpoint
        + ", publicEndpoint="
        + publicEndpoint
        + ", preSignedUrlTimeoutSeconds="
        + preSignedUrlTimeoutSeconds
        + ", shares="
        + shares.size()
        + ", tokens="
        + tokens.size()
        + ", stores="
        + stores
        + ", icebergCatalogs="
        + icebergCatalogs
        + ", tls="
        + (tls != null)
        + ", admin="
        + admin
        + ", redis="
        + redis
        + ", notifications="
        + notifications
        + ", signingKey="
        + (signingKey == null ? "random" : "***")
        + "]";
  }
}
