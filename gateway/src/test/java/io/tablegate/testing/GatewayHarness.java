package io.tablegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway on a free port and a real HTTP client. Calls block the test thread (never an event
 * loop).
 */
public final class GatewayHarness implements AutoCloseable {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  public final Vertx vertx;
  public final Gateway gateway;
  public final WebClient client;

  private GatewayHarness(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.client = WebClient.create(vertx, new WebClientOptions());
  }

  public static GatewayHarness start(String yaml, Path baseDir) {
    return start(ConfigLoader.parse(yaml, baseDir).config(), Clock.systemUTC());
  }

  public static GatewayHarness start(GatewayConfig config, Clock clock) {
    // the default management port is fixed; tests run several gateways, so theirs take a free port
    // unless set
    if (config.management().equals(io.tablegate.config.ManagementConfig.defaults())) {
      config = config.withManagement(new io.tablegate.config.ManagementConfig("127.0.0.1", 0));
    }
    Vertx vertx = Vertx.vertx();
    Gateway g = await(Gateway.start(vertx, config, clock));
    return new GatewayHarness(vertx, g);
  }

  /** Wraps a gateway that the test started itself. */
  public static GatewayHarness attach(Vertx vertx, Gateway gateway) {
    return new GatewayHarness(vertx, gateway);
  }

  /**
   * Polls {@code check} every 20 ms until it holds or a generous deadline (60 s) passes: what a
   * test waits for may take long on a loaded 2-core machine, and the deadline is only there to end
   * a test that would otherwise hang. Returns whether it held.
   */
  public static boolean eventually(java.util.concurrent.Callable<Boolean> check) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      while (!check.call()) {
        if (System.nanoTime() > deadline) return false;
        Thread.sleep(20);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What a test's list appender has received so far, copied under the appender's own lock (the
   * gateway's threads may be appending while the test reads: iterating its list then is a race).
   */
  public static <E> List<E> logged(ch.qos.logback.core.read.ListAppender<E> appender) {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String endpoint() {
    return gateway.endpoint();
  }

  /** An HTTP response, fully read. */
  public record Response(int status, MultiMap headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + text(), e);
      }
    }

    /** NDJSON lines, each parsed. */
    public List<JsonNode> lines() {
      List<JsonNode> out = new ArrayList<>();
      for (String line : text().split("\n")) {
        if (line.isEmpty()) continue;
        try {
          out.add(MAPPER.readTree(line));
        } catch (IOException e) {
          throw new UncheckedIOException("not JSON: " + line, e);
        }
      }
      return out;
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  /** A call to the admin API ({@code /api/v1} + {@code path}) with the admin token. */
  public Response admin(
      io.vertx.core.http.HttpMethod method, String path, String adminToken, String body) {
    return send(
        method,
        "http://127.0.0.1:" + gateway.adminPort() + "/api/v1" + path,
        adminToken,
        Map.of("Content-Type", "application/json"),
        body);
  }

  /** GET on the management listener ({@code /livez}, {@code /readyz}, {@code /metrics}). */
  public Response management(String path) {
    return send(
        io.vertx.core.http.HttpMethod.GET,
        "http://127.0.0.1:" + gateway.managementPort() + path,
        null,
        Map.of(),
        null);
  }

  public Response get(String path, String token) {
    return send(HttpMethod.GET, endpoint() + path, token, Map.of(), null);
  }

  public Response get(String path, String token, Map<String, String> headers) {
    return send(HttpMethod.GET, endpoint() + path, token, headers, null);
  }

  public Response head(String path, String token) {
    return send(HttpMethod.HEAD, endpoint() + path, token, Map.of(), null);
  }

  public Response post(String path, String token, String body) {
    return send(HttpMethod.POST, endpoint() + path, token, Map.of(), body);
  }

  public Response post(String path, String token, Map<String, String> headers, String body) {
    return send(HttpMethod.POST, endpoint() + path, token, headers, body);
  }

  public Response fetch(String absoluteUrl, Map<String, String> headers) {
    return send(HttpMethod.GET, absoluteUrl, null, headers, null);
  }

  public Response send(
      HttpMethod method,
      String absoluteUrl,
      String token,
      Map<String, String> headers,
      String body) {
    HttpRequest<Buffer> req = client.requestAbs(method, absoluteUrl);
    if (token != null) req.putHeader("Authorization", "Bearer " + token);
    headers.forEach(req::putHeader);
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> f;
    if (body != null) {
      req.putHeader("Content-Type", "application/json");
      f = req.sendBuffer(Buffer.buffer(body));
    } else {
      f = req.send();
    }
    var r = await(f);
    return new Response(
        r.statusCode(), r.headers(), r.body() == null ? new byte[0] : r.body().getBytes());
  }

  @Override
  public void close() {
    client.close();
    await(gateway.close());
    await(vertx.close());
  }
}
