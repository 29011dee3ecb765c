package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.TestTables;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle and slow clients cannot hold the gateway: connections beyond {@code maxConnections} are
 * closed at once, and a connection that does not deliver its first request's headers within {@code
 * requestHeaderTimeoutMs} is closed. Waits poll with generous deadlines.
 */
class ConnectionLimitsTest {
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() {
    TestTables.writeHistoryTable(dir.resolve("t"));
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        limits: {maxConnections: 4, requestHeaderTimeoutMs: 300, idleTimeoutSeconds: 60}
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: t}
        """,
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** True when the server closed the connection within {@code seconds} (end of stream). */
  static boolean closedByServer(Socket s, int seconds) throws IOException {
    s.setSoTimeout(seconds * 1000);
    InputStream in = s.getInputStream();
    try {
      while (true) {
        int b = in.read();
        if (b < 0) return true;
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  static String request(Socket s) throws IOException {
    s.getOutputStream()
        .write(
            "GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
    s.setSoTimeout(30_000);
    byte[] head = s.getInputStream().readNBytes(12);
    return new String(head, StandardCharsets.ISO_8859_1);
  }

  @Test
  void connectionsBeyondTheCapAreClosedAndTheGatewayStillAnswers() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      // Given: four connections that each sent a request and stay open (keep-alive)
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket("127.0.0.1", gw.gateway.port());
        held.add(s);
        assertThat(request(s)).startsWith("HTTP/1.1 200");
      }
      // When: a fifth connects
      try (Socket extra = new Socket("127.0.0.1", gw.gateway.port())) {
        // Then: it is closed without an answer
        assertThat(closedByServer(extra, 30)).isTrue();
      }
      // and once one of the four leaves, a new client is served (the count drops when it closes:
      // poll)
      held.remove(0).close();
      boolean served = false;
      for (int attempt = 0; attempt < 300 && !served; attempt++) {
        try (Socket again = new Socket("127.0.0.1", gw.gateway.port())) {
          again
              .getOutputStream()
              .write(
                  "GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                      .getBytes(StandardCharsets.ISO_8859_1));
          again.setSoTimeout(30_000);
          served =
              new String(again.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)
                  .startsWith("HTTP/1.1 200");
        } catch (IOException e) {
          served = false;
        }
        if (!served) Thread.sleep(100);
      }
      assertThat(served).isTrue();
    } finally {
      for (Socket s : held) s.close();
    }
  }

  @Test
  void aClientThatNeverFinishesItsHeadersIsDisconnected() throws Exception {
    // Given: a slow client that sends part of a request line and then nothing
    try (Socket slow = new Socket("127.0.0.1", gw.gateway.port())) {
      slow.getOutputStream()
          .write(
              "GET /delta-sharing/shares HTTP/1.1\r\nHost: x\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      // Then: the gateway closes it after its deadline (0.3 s; the test allows 30 s)
      assertThat(closedByServer(slow, 30)).isTrue();
    }
    // and a client that connects and sends nothing is closed too
    try (Socket silent = new Socket("127.0.0.1", gw.gateway.port())) {
      assertThat(closedByServer(silent, 30)).isTrue();
    }
  }
}
