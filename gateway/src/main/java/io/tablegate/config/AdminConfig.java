package io.tablegate.config;

import java.util.HexFormat;

/**
 * The admin API's own listener (never the sharing listener) and the live catalog's store.
 *
 * @param tokenSha256 SHA-256 of the admin bearer token
 * @param catalogFile where live shares, recipients and tokens are kept (all instances must see the
 *     same file)
 * @param catalogLocation instead of the file: an {@code s3://bucket/key} object in {@code
 *     catalogStore}
 * @param catalogStore the configured store that holds {@code catalogLocation}
 * @param refreshIntervalMs how often an instance checks the store for changes made elsewhere
 * @param tls whether the admin listener uses the gateway's TLS settings (off: plain HTTP, for a
 *     loopback listener)
 * @param catalogWrites how the object-store catalog refuses lost updates: {@code auto} (probe the
 *     store), {@code conditional} (If-Match / If-None-Match) or {@code versioned} (bucket
 *     versioning, first version wins)
 */
public record AdminConfig(
    String host,
    int port,
    byte[] tokenSha256,
    String catalogFile,
    long refreshIntervalMs,
    boolean tls,
    String catalogLocation,
    String catalogStore,
    String catalogWrites) {
  public static final java.util.List<String> CATALOG_WRITES =
      java.util.List.of("auto", "conditional", "versioned");

  public AdminConfig {
    if (catalogWrites == null) catalogWrites = "auto";
    tokenSha256 = tokenSha256.clone();
  }

  @Override
  public byte[] tokenSha256() {
    return tokenSha256.clone();
  }

  @Override
  public String toString() {
    return "AdminConfig[host="
        + host
        + ", port="
        + port
        + ", token="
        + HexFormat.of().formatHex(tokenSha256).substring(0, 8)
        + "…, catalog="
        + (catalogLocation != null ? catalogLocation : catalogFile)
        + ", catalogWrites="
        + catalogWrites
        + ", refreshIntervalMs="
        + refreshIntervalMs
        + ", tls="
        + tls
        + "]";
  }
}
