package io.tablegate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis: Debian's {@code redis-server} (installed by scripts/ensure-tools.sh --test) on a
 * free loopback port, with no persistence. Can be killed and restarted on the same port.
 */
public final class RedisHarness implements AutoCloseable {
  private final Path dir;
  private final int port;
  private Process process;

  public RedisHarness(Path dir) throws Exception {
    this.dir = dir;
    Files.createDirectories(dir);
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    start();
  }

  public void start() throws Exception {
    String binary = Files.isExecutable(Path.of("/usr/bin/redis-server")) ? "/usr/bin/redis-server" : "redis-server";
    process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    for (int i = 0; i < 200; i++) {
      if (ping()) return;
      Thread.sleep(25);
    }
    throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log")
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
