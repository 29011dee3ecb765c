package io.tablegate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.TestTables;
import io.vertx.core.http.HttpMethod;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input over every public and admin endpoint: malformed JSON, huge bodies and headers, path
 * traversal and control characters in names, unicode, negative and overflowing numbers, forged page
 * tokens and file-URL signatures. Always a 4xx with protocol error JSON; never a 5xx, a stack trace
 * or a secret.
 */
class HostileInputTest {
  static final String TOKEN = "hostile-recipient-token-0123";
  static final String ADMIN = "hostile-admin-token-0123456789";
  static final String T = "/shares/s/schemas/n/tables/t";
  @TempDir static Path dir;
  static GatewayHarness gw;
  final List<String> failures = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("t"));
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        signingKey: hostile-signing-key-0123456789abcdef
        admin: {port: 0, token: %s, catalogFile: catalog.json}
        authorization:
          tokens:
            - {id: r, token: %s, shares: [s]}
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: t, historyShared: true}
        """
                .formatted(ADMIN, TOKEN),
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** A 4xx with protocol error JSON, no stack trace, no secret. */
  void expect4xx(String what, Response r) {
    String body = r.text();
    boolean ok = r.status() >= 400 && r.status() < 500;
    try {
      JsonNode n = GatewayHarness.MAPPER.readTree(body);
      ok &= n.hasNonNull("errorCode") && n.hasNonNull("message");
    } catch (Exception e) {
      ok = false;
    }
    ok &=
        !body.contains("Exception")
            && !body.contains("\tat ")
            && !body.contains(TOKEN)
            && !body.contains(ADMIN)
            && !body.contains("hostile-signing-key")
            && !body.contains(dir.toString());
    if (!ok) {
      failures.add(
          (what.length() > 80 ? what.substring(0, 80) + "…" : what)
              + " -> "
              + r.status()
              + " "
              + (body.length() > 200 ? body.substring(0, 200) : body));
    }
  }

  static Response get(String path) {
    return gw.get(path, TOKEN);
  }

  static Response post(String path, String body) {
    return gw.post(path, TOKEN, Map.of("Content-Type", "application/json"), body);
  }

  static Response admin(HttpMethod m, String path, String body) {
    return gw.admin(m, path, ADMIN, body);
  }

  @Test
  void malformedBodiesAndNumbers() {
    for (String body :
        List.of(
            "{",
            "[]",
            "null",
            "\"x\"",
            "{\"version\": \"two\"}",
            "{\"version\": -1}",
            "{\"version\": 1e400}",
            "{\"version\": 99999999999999999999999}",
            "{\"limitHint\": -5}",
            "{\"maxFiles\": -1}",
            "{\"maxFiles\": 1e20}",
            "{\"startingVersion\": -3}",
            "{\"timestamp\": \"yesterday\"}",
            "{\"predicateHints\": 7}",
            "{\"pageToken\": \"forged\"}",
            "{\"refreshToken\": \"AAAA\"}",
            "{\"version\": 1, \"timestamp\": \"2024-01-01T00:00:00Z\"}",
            "{\"endingVersion\": 1}",
            "\u0000\u0001\u0002",
            "{\"version\": 1" + " ".repeat(100) + "}}")) {
      expect4xx("query " + body, post(T + "/query", body));
    }
    for (String q :
        List.of(
            "maxResults=-1",
            "maxResults=99999999999999999999",
            "maxResults=abc",
            "pageToken=%00%01",
            "pageToken=eyJ4Ijoi",
            "maxResults=1&pageToken=" + "A".repeat(5000))) {
      expect4xx("shares?" + q, get("/shares?" + q));
      expect4xx("tables?" + q, get("/shares/s/schemas/n/tables?" + q));
    }
    for (String q :
        List.of(
            "startingVersion=-1",
            "startingVersion=abc",
            "startingVersion=99999999999999999999",
            "startingTimestamp=notatime",
            "endingVersion=-2&startingVersion=0",
            "startingVersion=3&endingVersion=1")) {
      expect4xx("changes?" + q, get(T + "/changes?" + q));
    }
    for (String q :
        List.of(
            "version=-1",
            "version=x",
            "timestamp=nope",
            "startingTimestamp=2999-01-01T00:00:00Z")) {
      expect4xx(
          "metadata/version?" + q,
          get(T + (q.startsWith("starting") ? "/version?" : "/metadata?") + q));
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void hostileNamesAndPaths() {
    for (String name :
        List.of(
            "..",
            "..%2F..%2Fetc",
            "%2e%2e%2f%2e%2e",
            "a%00b",
            "a%0Ab",
            "a%0D%0AX-Injected:%201",
            "%E2%80%AE",
            "%F0%9F%92%A9",
            "%FF%FE",
            "x".repeat(5000),
            "%25",
            "a;b",
            "a%20b")) {
      expect4xx("share " + name, get("/shares/" + name));
      expect4xx("schemas " + name, get("/shares/s/schemas/" + name + "/tables"));
      expect4xx("table " + name, post("/shares/s/schemas/n/tables/" + name + "/query", "{}"));
      expect4xx("admin share " + name, admin(HttpMethod.GET, "/shares/" + name, null));
    }
    expect4xx("unknown endpoint", get("/shares/s/explode"));
    expect4xx(
        "wrong method",
        gw.send(HttpMethod.DELETE, gw.endpoint() + T + "/query", TOKEN, Map.of(), null));
    assertThat(failures).isEmpty();
  }

  @Test
  void hugeBodiesAndHeaders() throws Exception {
    expect4xx("3 MiB query body", post(T + "/query", "{\"x\": \"" + "a".repeat(3 << 20) + "\"}"));
    expect4xx(
        "2 MiB admin body",
        admin(HttpMethod.POST, "/shares", "{\"name\": \"" + "a".repeat(2 << 20) + "\"}"));
    expect4xx(
        "64 KiB header", gw.get(T + "/version", TOKEN, Map.of("X-Big", "h".repeat(64 << 10))));
    expect4xx("64 KiB URI", get("/shares/" + "u".repeat(64 << 10)));
    expect4xx("huge bearer", gw.get(T + "/version", "t".repeat(20_000)));
    // a raw request line that is not HTTP at all
    try (Socket s = new Socket("127.0.0.1", gw.gateway.port())) {
      OutputStream out = s.getOutputStream();
      out.write("GARBAGE \u0001\u0002 NOT-HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
      assertThat(answer).matches("HTTP/1\\.[01] 4.*");
    }
    assertThat(failures).isEmpty();
  }

  /** A request sent byte for byte as written (clients would re-encode a malformed URL). */
  static Response raw(int port, String method, String target, String token) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      String req =
          method
              + " "
              + target
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
              + "\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      if (answer.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
        StringBuilder b = new StringBuilder();
        String rest = body;
        while (true) {
          int nl = rest.indexOf("\r\n");
          int size = Integer.parseInt(rest.substring(0, nl).trim(), 16);
          if (size == 0) break;
          b.append(rest, nl + 2, nl + 2 + size);
          rest = rest.substring(nl + 2 + size + 2);
        }
        body = b.toString();
      }
      return new Response(
          status,
          io.vertx.core.MultiMap.caseInsensitiveMultiMap(),
          body.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void malformedPercentEncodingIsAProtocolErrorAndLogsNoUrl() throws Exception {
    // Given: every log line of the gateway captured
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    root.addAppender(logs);
    String url = post(T + "/query", "{}").lines().get(2).get("file").get("url").asText();
    String filePath = url.substring(url.indexOf("/delta-sharing/"));
    String sealed = url.substring(url.indexOf("/files/") + 7);
    try {
      // When
      int port = gw.gateway.port();
      int admin = gw.gateway.adminPort();
      for (int i = 0; i < 20; i++) {
        expect4xx("pageToken=%%%", raw(port, "GET", "/delta-sharing/shares?pageToken=%%%", TOKEN));
        expect4xx(
            "maxResults=%zz",
            raw(port, "GET", "/delta-sharing/shares/s/schemas/n/tables?maxResults=%zz", TOKEN));
        expect4xx(
            "changes %",
            raw(port, "GET", "/delta-sharing" + T + "/changes?startingVersion=%", TOKEN));
        expect4xx("admin tokens?share=%%%", raw(admin, "GET", "/api/v1/tokens?share=%%%", ADMIN));
        expect4xx("file URL &x=%zz", raw(port, "GET", filePath + "?a=1&x=%zz", null));
        expect4xx("events?token=%%%", raw(port, "POST", "/events?token=%%%", null));
        expect4xx("path %zz", raw(port, "GET", "/delta-sharing/shares/%zz", TOKEN));
        expect4xx(
            "path ending in %", raw(port, "GET", "/delta-sharing/shares/s/schemas/n%", TOKEN));
        expect4xx("file URL with %zz", raw(port, "GET", filePath + "%zz", null));
        expect4xx("admin path %zz", raw(admin, "GET", "/api/v1/shares/%zz", ADMIN));
      }
    } finally {
      root.detachAppender(logs);
    }
    // Then: no signed URL, no token in any log line, and little log at all
    long bytes = 0;
    for (var e : GatewayHarness.logged(logs)) {
      String line =
          e.getFormattedMessage()
              + " "
              + e.getKeyValuePairs()
              + " "
              + (e.getThrowableProxy() == null
                  ? ""
                  : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()));
      bytes += line.length();
      if (line.contains(sealed.substring(0, 16)) || line.contains(TOKEN) || line.contains(ADMIN))
        failures.add("log line leaks: " + line);
      if (e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
        failures.add("WARN/ERROR for client input: " + line);
    }
    assertThat(bytes).as("log bytes for 200 bad requests").isLessThan(200 * 600);
    assertThat(failures).isEmpty();
  }

  @Test
  void forgedTokensAndSignatures() {
    Response page = post(T + "/query", "{\"maxFiles\": 1}");
    assertThat(page.status()).isEqualTo(200);
    String next =
        page.lines()
            .get(page.lines().size() - 1)
            .get("endStreamAction")
            .get("nextPageToken")
            .asText();
    // Flip a full-data character (not the last, whose low bits may be padding), always to a
    // different one: a "tampered" token equal to the real one would make this check random.
    char c = next.charAt(next.length() - 2);
    String flipped =
        next.substring(0, next.length() - 2)
            + (c == 'A' ? 'B' : 'A')
            + next.charAt(next.length() - 1);
    assertThat(flipped).isNotEqualTo(next);
    expect4xx(
        "tampered page token",
        post(T + "/query", "{\"maxFiles\": 1, \"pageToken\": \"" + flipped + "\"}"));
    expect4xx(
        "page token of another query",
        post(T + "/query", "{\"maxFiles\": 2, \"pageToken\": \"" + next + "\"}"));
    String url = post(T + "/query", "{}").lines().get(2).get("file").get("url").asText();
    int mid = url.indexOf("/files/") + 20;
    expect4xx(
        "forged file URL",
        gw.fetch(
            url.substring(0, mid) + (url.charAt(mid) == 'A' ? 'B' : 'A') + url.substring(mid + 1),
            Map.of()));
    expect4xx(
        "file path traversal",
        gw.fetch(url.replaceFirst("/files/.*", "/files/..%2F..%2F..%2Fetc%2Fpasswd"), Map.of()));
    String sealedPart = url.substring(0, url.indexOf('?'));
    expect4xx(
        "truncated file URL",
        gw.fetch(
            sealedPart.substring(0, sealedPart.length() - 5) + url.substring(url.indexOf('?')),
            Map.of()));
    expect4xx("malformed percent-encoding on a file URL", gw.fetch(url + "&x=%zz", Map.of()));
    expect4xx("bad range", gw.fetch(url, Map.of("Range", "bytes=999999999-")));
    expect4xx("no token", gw.get(T + "/version", null));
    expect4xx(
        "wrong scheme",
        gw.get(T + "/version", null, Map.of("Authorization", "Basic dXNlcjpwYXNz")));
    expect4xx("JWT-looking garbage", gw.get(T + "/version", "eyJ.eyJ.sig"));
    expect4xx(
        "recipient token on admin",
        gw.send(
            HttpMethod.GET,
            "http://127.0.0.1:" + gw.gateway.adminPort() + "/api/v1/shares",
            TOKEN,
            Map.of(),
            null));
    assertThat(failures).isEmpty();
  }

  @Test
  void hostileAdminInput() {
    for (String body :
        List.of(
            "{",
            "[1]",
            "{\"name\": 5}",
            "{\"name\": null}",
            "{\"name\": \"a/b\"}",
            "{\"name\": \"a\\u0000b\"}",
            "{\"name\": \"..\"}",
            "{\"name\": \"" + "x".repeat(300) + "\"}",
            "{\"name\": \"\u202Eevil\"}",
            "{\"name\": \"ok1\", \"id\": \"../../x\"}",
            "{\"name\": \"ok2\", \"id\": \"" + "i".repeat(100_000) + "\"}",
            "{\"name\": \"ok3\", \"id\": \"\"}",
            "{\"name\": \"ok4\", \"id\": \"a b\"}",
            "{\"name\": \"ok5\", \"nmae\": \"typo\"}")) {
      expect4xx(
          "create share " + (body.length() > 80 ? body.substring(0, 80) : body),
          admin(HttpMethod.POST, "/shares", body));
    }
    assertThat(admin(HttpMethod.GET, "/shares", null).text())
        .doesNotContain("ok1")
        .doesNotContain("ok5");
    assertThat(admin(HttpMethod.POST, "/shares", "{\"name\": \"h\"}").status()).isEqualTo(201);
    for (String body :
        List.of(
            "{\"name\": \"t\"}",
            "{\"name\": \"t\", \"location\": {\"a\": 1}}",
            "{\"name\": \"t\", \"location\": \"ftp://x\"}",
            "{\"name\": \"t\", \"location\": \"x\", \"format\": \"orc\"}",
            "{\"name\": \"t\", \"location\": \"x\", \"startVersion\": -1}",
            "{\"name\": \"t\", \"location\": \"x\", \"fileAccess\": \"teleport\"}",
            "{\"name\": \"t\", \"location\": \"x\", \"catalog\": \"nope\"}",
            "{\"name\": \"t\", \"location\": \"t\", \"histroyShared\": true}")) {
      expect4xx("add table " + body, admin(HttpMethod.POST, "/shares/h/schemas/n/tables", body));
    }
    for (String body :
        List.of(
            "{\"expiresInSeconds\": -1}",
            "{\"expiresInSeconds\": 1e30}",
            "{\"expiresInSeconds\": \"soon\"}",
            "{\"expiresAt\": \"1999-01-01T00:00:00Z\"}",
            "{\"description\": \"" + "d".repeat(600) + "\"}",
            "{\"expires\": 60}")) {
      expect4xx("token " + body, admin(HttpMethod.POST, "/shares/h/tokens", body));
    }
    expect4xx(
        "rotate grace overflow",
        admin(HttpMethod.POST, "/tokens/tok_x/rotate", "{\"graceSeconds\": 99999999999999999999}"));
    expect4xx(
        "recipient shares not a list",
        admin(HttpMethod.POST, "/recipients", "{\"name\": \"r\", \"shares\": \"s\"}"));
    expect4xx(
        "recipient oidc incomplete",
        admin(HttpMethod.POST, "/recipients", "{\"name\": \"r2\", \"shares\": [], \"oidc\": {}}"));
    assertThat(failures).isEmpty();
    // nothing half-made was stored
    assertThat(admin(HttpMethod.GET, "/shares/h", null).json().get("schemas").size()).isZero();
  }
}
