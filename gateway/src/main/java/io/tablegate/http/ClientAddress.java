package io.tablegate.http;

import io.tablegate.config.Cidr;
import io.tablegate.config.NetworkConfig;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.util.List;

/**
 * The address a request comes from, for network allow-lists: the connection's peer; when the peer
 * is a trusted proxy, the rightmost address of the configured header (X-Forwarded-For) that is not
 * a trusted proxy itself. Null when it cannot be known (a header that is not a list of IP
 * addresses): an allow-list then refuses, it never guesses.
 */
final class ClientAddress {
  private ClientAddress() {}

  static InetAddress of(HttpServerRequest req, NetworkConfig network) {
    InetAddress peer =
        req.remoteAddress() == null ? null : Cidr.address(req.remoteAddress().hostAddress());
    if (peer == null || !trusted(network.trustedProxies(), peer)) return peer;
    List<String> values = req.headers().getAll(network.clientAddressHeader());
    if (values.isEmpty()) return peer;
    String[] hops = String.join(",", values).split(",");
    if (hops.length > 64) return null;
    for (int i = hops.length - 1; i >= 0; i--) {
      InetAddress hop = Cidr.address(hops[i]);
      if (hop == null) return null;
      if (!trusted(network.trustedProxies(), hop)) return hop;
    }
    return Cidr.address(hops[0]);
  }

  private static boolean trusted(List<Cidr> proxies, InetAddress a) {
    return !proxies.isEmpty()
        && Cidr.allows(proxies, a); // allows() means "unrestricted" when empty
  }
}
