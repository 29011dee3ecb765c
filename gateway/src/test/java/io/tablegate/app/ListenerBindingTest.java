package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.TestTables;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every listener binds exactly the configured address, never the wildcard. Linux answers on the
 * whole of 127.0.0.0/8, so a gateway bound to 127.0.0.2 must refuse 127.0.0.1 and the kernel's own
 * table of listening sockets must name 127.0.0.2 for its ports.
 */
class ListenerBindingTest {
  @TempDir Path dir;

  @Test
  void sharingAndAdminListenersBindOnlyTheConfiguredHost() throws Exception {
    // Given
    TestTables.writeHistoryTable(dir.resolve("orders"));
    String yaml =
        """
        version: 1
        host: 127.0.0.2
        port: 0
        admin: {host: 127.0.0.2, port: 0, token: admin-token-0123456789abcdef, catalogFile: catalog.json}
        shares:
          - name: s
            schemas:
              - name: x
                tables:
                  - {name: orders, location: orders}
        """;
    // When
    try (GatewayHarness g = GatewayHarness.start(yaml, dir)) {
      int port = g.gateway.port();
      int admin = g.gateway.adminPort();
      // Then
      assertThat(reachable("127.0.0.2", port)).isTrue();
      assertThat(reachable("127.0.0.2", admin)).isTrue();
      assertThatThrownBy(() -> connect("127.0.0.1", port)).isInstanceOf(ConnectException.class);
      assertThatThrownBy(() -> connect("127.0.0.1", admin)).isInstanceOf(ConnectException.class);
      assertThat(listeningAddresses(port)).containsExactly("127.0.0.2");
      assertThat(listeningAddresses(admin)).containsExactly("127.0.0.2");
    }
  }

  @Test
  void localhostIsLoopbackOnly() throws Exception {
    // Given
    TestTables.writeHistoryTable(dir.resolve("orders"));
    String yaml =
        """
        version: 1
        host: localhost
        port: 0
        shares:
          - name: s
            schemas:
              - name: x
                tables:
                  - {name: orders, location: orders}
        """;
    // When
    try (GatewayHarness g = GatewayHarness.start(yaml, dir)) {
      // Then: never the wildcard address, on IPv4 or IPv6
      assertThat(listeningAddresses(g.gateway.port()))
          .isNotEmpty()
          .allMatch(a -> a.equals("127.0.0.1") || a.equals("::1"));
      assertThatThrownBy(() -> connect("127.0.0.3", g.gateway.port()))
          .isInstanceOf(ConnectException.class);
    }
  }

  private static boolean reachable(String host, int port) throws IOException {
    connect(host, port);
    return true;
  }

  private static void connect(String host, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 5_000);
    }
  }

  /** The local addresses of the sockets listening on {@code port}, from /proc/net/tcp and tcp6. */
  static List<String> listeningAddresses(int port) throws IOException {
    List<String> out = new ArrayList<>();
    for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(file);
      if (!Files.exists(p)) continue;
      for (String line : Files.readAllLines(p)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || !f[3].equals("0A")) continue; // 0A = LISTEN
        String[] local = f[1].split(":");
        if (local.length != 2 || Integer.parseInt(local[1], 16) != port) continue;
        out.add(address(local[0]));
      }
    }
    return out;
  }

  /** /proc prints addresses as host-order 32-bit words in hex. */
  private static String address(String hex) {
    byte[] b = new byte[hex.length() / 2];
    for (int w = 0; w < hex.length() / 8; w++) {
      for (int i = 0; i < 4; i++) {
        b[w * 4 + i] =
            (byte)
                Integer.parseInt(hex.substring(w * 8 + (3 - i) * 2, w * 8 + (3 - i) * 2 + 2), 16);
      }
    }
    try {
      String s = java.net.InetAddress.getByAddress(b).getHostAddress().toLowerCase(Locale.ROOT);
      return s.equals("0:0:0:0:0:0:0:1") ? "::1" : s.equals("0:0:0:0:0:0:0:0") ? "::" : s;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
