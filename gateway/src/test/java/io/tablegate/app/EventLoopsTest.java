package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.TestTables;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The sharing listener is served by {@code eventLoops} verticle instances, each on its own event
 * loop: new connections are spread over them, so requests are handled on more than one event-loop
 * thread.
 */
class EventLoopsTest {
  @TempDir Path dir;

  @Test
  void connectionsAreServedByEveryEventLoopOfTheListener() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("events"));
    Logger audit = (Logger) LoggerFactory.getLogger("tablegate.audit");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    audit.addAppender(lines);
    try (GatewayHarness gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        eventLoops: 3
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: events}
        """,
            dir)) {
      // When: six requests, each on a new connection
      for (int i = 0; i < 6; i++) {
        HttpURLConnection c =
            (HttpURLConnection)
                URI.create(gw.endpoint() + "/shares/s/schemas/n/tables/t/version")
                    .toURL()
                    .openConnection();
        c.setRequestProperty("Connection", "close");
        assertThat(c.getResponseCode()).isEqualTo(200);
        c.getInputStream().readAllBytes();
        c.disconnect();
      }
      // Then: the requests were handled on more than one event-loop thread (three instances, round
      // robin; two of them
      // could share a thread only if other contexts took loops in between, so the test asks for
      // more than one)
      GatewayHarness.eventually(
          () -> {
            synchronized (lines) {
              return GatewayHarness.logged(lines).size() >= 6;
            }
          });
      Set<String> threads = new TreeSet<>();
      synchronized (lines) {
        GatewayHarness.logged(lines).forEach(e -> threads.add(e.getThreadName()));
      }
      assertThat(threads)
          .allMatch(t -> t.startsWith("vert.x-eventloop-thread-"))
          .hasSizeGreaterThan(1);
    } finally {
      audit.detachAppender(lines);
    }
  }
}
