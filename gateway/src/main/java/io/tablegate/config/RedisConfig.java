package io.tablegate.config;

/**
 * Redis shared by all instances. {@code uri} is {@code redis://host:port[/db]} or {@code rediss://}
 * for TLS; {@code user}/{@code password} for ACL/AUTH may be null. The password never appears in
 * {@link #toString()}.
 */
public record RedisConfig(String uri, String user, String password, String channel) {
  @Override
  public String toString() {
    return "RedisConfig[uri=" + uri.replaceAll("//[^@/]*@", "//***@") + ", user=" + user + ", password="
        + (password == null ? "none" : "***") + ", channel=" + channel + "]";
  }
}
