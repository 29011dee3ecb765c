package io.tablegate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis: Debian's {@code redis-server} (installed by scripts/ensure-tools.sh --test) on a
 * free loopback port, with no persistence. Can be killed and restarted on the same port.
 */
public final class RedisHarness implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> extraArgs;
  private Process process;

  public RedisHarness(Path dir) throws Exception {
    this(dir, List.of());
  }

  /** A Redis with extra server arguments, e.g. {@code --cluster-enabled yes}. */
  public RedisHarness(Path dir, List<String> extraArgs) throws Exception {
    this.dir = dir;
    this.extraArgs = List.copyOf(extraArgs);
    Files.createDirectories(dir);
    port = freePort();
    start();
  }

  /** A single-node Redis Cluster owning every slot. */
  public static RedisHarness cluster(Path dir) throws Exception {
    RedisHarness r =
        new RedisHarness(
            dir, List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"));
    r.run("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
    for (int i = 0; i < 200 && !r.bulk("CLUSTER", "INFO").contains("cluster_state:ok"); i++)
      Thread.sleep(25);
    return r;
  }

  /** A Sentinel watching {@code master} under the name {@code mymaster}. */
  public static RedisHarness sentinel(Path dir, RedisHarness master) throws Exception {
    Files.createDirectories(dir);
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(conf, "sentinel monitor mymaster 127.0.0.1 " + master.port + " 1\n");
    return new RedisHarness(
        dir, List.of("--sentinel", "--sentinel-config-file-placeholder", conf.toString()));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public void start() throws Exception {
    String binary =
        Files.isExecutable(Path.of("/usr/bin/redis-server"))
            ? "/usr/bin/redis-server"
            : "redis-server";
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(binary);
    int sentinel = extraArgs.indexOf("--sentinel-config-file-placeholder");
    if (sentinel >= 0) {
      cmd.add(extraArgs.get(sentinel + 1)); // the config file comes first
      cmd.add("--sentinel");
    }
    cmd.addAll(
        List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString()));
    if (sentinel < 0) {
      cmd.addAll(List.of("--save", "", "--appendonly", "no"));
      cmd.addAll(extraArgs);
    }
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    for (int i = 0; i < 200; i++) {
      if (ping()) return;
      Thread.sleep(25);
    }
    throw new IllegalStateException(
        "redis-server did not start on port "
            + port
            + "; see "
            + dir.resolve("redis.log")
            + " (install it with scripts/ensure-tools.sh --test)");
  }

  private boolean ping() {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return command(s, "PING").startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** Sends one inline command and returns the first reply line. */
  private static String command(Socket s, String... words) throws IOException {
    StringBuilder cmd = new StringBuilder("*" + words.length + "\r\n");
    for (String w : words) {
      byte[] b = w.getBytes(StandardCharsets.UTF_8);
      cmd.append('$').append(b.length).append("\r\n").append(w).append("\r\n");
    }
    OutputStream out = s.getOutputStream();
    out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder reply = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') reply.append((char) c);
    return reply.toString().trim();
  }

  /** Runs a command whose reply is a bulk string; returns the whole string. */
  public String bulk(String... words) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      String header = command(s, words);
      if (!header.startsWith("$")) return header;
      int n = Integer.parseInt(header.substring(1));
      if (n < 0) return "";
      byte[] b = s.getInputStream().readNBytes(n);
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  /** The keys matching {@code pattern} (KEYS: for tests' small databases only). */
  public java.util.List<String> keys(String pattern) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      String header = command(s, "KEYS", pattern);
      if (!header.startsWith("*")) throw new IOException("unexpected reply " + header);
      InputStream in = s.getInputStream();
      java.util.List<String> out = new java.util.ArrayList<>();
      for (int i = Integer.parseInt(header.substring(1)); i > 0; i--) {
        StringBuilder len = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') len.append((char) c);
        int n = Integer.parseInt(len.toString().trim().substring(1));
        out.add(new String(in.readNBytes(n), StandardCharsets.UTF_8));
        in.readNBytes(2); // CRLF
      }
      return out;
    }
  }

  /** Runs a command (e.g. RPUSH) over a fresh connection; returns the first reply line. */
  public String run(String... words) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return command(s, words);
    }
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
