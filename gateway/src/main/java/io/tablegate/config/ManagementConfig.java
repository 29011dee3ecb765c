package io.tablegate.config;

/**
 * The management listener ({@code management:}): {@code /livez}, {@code /readyz} and {@code
 * /metrics} for probes and Prometheus, on its own host and port, never the sharing listener's.
 * Loopback by default.
 */
public record ManagementConfig(String host, int port) {
  public static final int DEFAULT_PORT = 8082;

  public static ManagementConfig defaults() {
    return new ManagementConfig("127.0.0.1", DEFAULT_PORT);
  }
}
