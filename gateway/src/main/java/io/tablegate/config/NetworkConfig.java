package io.tablegate.config;

import java.util.List;

/**
 * Where a request comes from, for recipients' network allow-lists: the connection's peer, unless it
 * is one of {@code trustedProxies} (a load balancer), in which case the client is the rightmost
 * address of {@code clientAddressHeader} (default {@code X-Forwarded-For}) that is not itself a
 * trusted proxy.
 */
public record NetworkConfig(List<Cidr> trustedProxies, String clientAddressHeader) {
  public NetworkConfig {
    trustedProxies = List.copyOf(trustedProxies);
    if (clientAddressHeader == null) clientAddressHeader = "X-Forwarded-For";
  }

  public static NetworkConfig defaults() {
    return new NetworkConfig(List.of(), null);
  }
}
