package io.tablegate.config;

import java.util.List;

/**
 * Redis shared by all instances. {@code uri} is {@code redis://host:port[/db]} or {@code rediss://}
 * for TLS; in {@code sentinel} and {@code cluster} mode {@code endpoints} lists the sentinels or
 * cluster nodes (then {@code uri} is the first). {@code user}/{@code password} for ACL/AUTH may be
 * null. The password never appears in {@link #toString()}.
 *
 * @param sharedTtlMs lifetime of version-keyed entries (snapshots, file lists) in Redis; 0 turns
 *     the Redis cache tier off (Redis then only carries invalidations)
 * @param urlReuseWindowSeconds with the Redis cache tier on: file URLs are signed as of the start
 *     of a window of this length and valid for the configured URL lifetime plus the window, so
 *     every recipient still gets at least the whole lifetime, and the encoded file lines of a
 *     complete query are kept in Redis for the window and served again, by any instance, without
 *     listing, signing or encoding; 0 turns this off
 */
public record RedisConfig(
    String uri,
    List<String> endpoints,
    String mode,
    String masterName,
    String user,
    String password,
    String channel,
    String keyPrefix,
    long timeoutMs,
    long sharedTtlMs,
    long urlReuseWindowSeconds) {
  public RedisConfig {
    endpoints = List.copyOf(endpoints);
  }

  @Override
  public String toString() {
    return "RedisConfig[mode="
        + mode
        + ", endpoints="
        + endpoints.stream().map(e -> e.replaceAll("//[^@/]*@", "//***@")).toList()
        + ", masterName="
        + masterName
        + ", user="
        + user
        + ", password="
        + (password == null ? "none" : "***")
        + ", channel="
        + channel
        + ", keyPrefix="
        + keyPrefix
        + ", timeoutMs="
        + timeoutMs
        + ", sharedTtlMs="
        + sharedTtlMs
        + ", urlReuseWindowSeconds="
        + urlReuseWindowSeconds
        + "]";
  }
}
