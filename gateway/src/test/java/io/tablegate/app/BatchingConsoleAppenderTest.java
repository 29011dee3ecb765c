package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import io.tablegate.testing.GatewayHarness;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The log writer: every line written once and in each thread's order, many lines per write when
 * they queue up, a lone line written at once, the queue written out on stop.
 */
class BatchingConsoleAppenderTest {
  /** Standard output as the writer sees it: the bytes and each write's bytes. */
  static final class Recording extends OutputStream {
    final ByteArrayOutputStream all = new ByteArrayOutputStream();
    final List<String> writes = new ArrayList<>();
    final CountDownLatch firstWriteMayEnd;
    final CountDownLatch firstWriteStarted = new CountDownLatch(1);

    Recording(CountDownLatch firstWriteMayEnd) {
      this.firstWriteMayEnd = firstWriteMayEnd;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      firstWriteStarted.countDown();
      try {
        firstWriteMayEnd.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (this) {
        all.write(b, off, len);
        writes.add(new String(b, off, len, StandardCharsets.UTF_8));
      }
    }

    synchronized List<String> lines() {
      String text = all.toString(StandardCharsets.UTF_8);
      return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    synchronized int writeCount() {
      return writes.size();
    }
  }

  private final LoggerContext context = new LoggerContext();
  private PrintStream stdout;
  private BatchingConsoleAppender appender;
  private Logger logger;

  @BeforeEach
  void saveStdout() {
    stdout = System.out;
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
  }

  @AfterEach
  void restore() {
    if (appender != null) appender.stop();
    System.setOut(stdout);
    context.stop();
  }

  private Recording start(CountDownLatch firstWriteMayEnd, int queueSize) {
    Recording out = new Recording(firstWriteMayEnd);
    System.setOut(new PrintStream(out, false, StandardCharsets.UTF_8));
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    appender = new BatchingConsoleAppender();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setQueueSize(queueSize);
    appender.setMaxBatch(256);
    appender.setMaxFlushTime(120_000);
    appender.start();
    assertThat(appender.isStarted()).isTrue();
    logger = context.getLogger("tablegate.audit");
    logger.setAdditive(false);
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
    return out;
  }

  /** Started, with the write of a first line in progress until {@code release}. */
  private Recording startHeld(CountDownLatch release) throws InterruptedException {
    Recording out = start(release, 1_000);
    logger.info("first");
    assertThat(out.firstWriteStarted.await(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void linesThatQueueUpAreWrittenTogetherAndNoneIsLost() throws Exception {
    // Given: the first write is held, so that what four threads log meanwhile queues up (a queue
    // smaller than what they log: they wait for room, they lose nothing)
    CountDownLatch release = new CountDownLatch(1);
    Recording out = startHeld(release);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 2_500; i++) logger.info("t{} line {}", thread, i);
              }));
    }
    threads.forEach(Thread::start);
    assertThat(GatewayHarness.eventually(appender::queueFull)).isTrue();
    // When
    release.countDown();
    for (Thread t : threads) t.join(120_000);
    appender.stop();
    // Then: every line once, each thread's in its order, in far fewer writes than lines
    List<String> lines = out.lines();
    assertThat(lines).hasSize(1 + 4 * 2_500).startsWith("first");
    for (int t = 0; t < 4; t++) {
      String prefix = "t" + t + " line ";
      List<String> own = lines.stream().filter(l -> l.startsWith(prefix)).toList();
      assertThat(own).hasSize(2_500);
      for (int i = 0; i < own.size(); i++) assertThat(own.get(i)).isEqualTo(prefix + i);
    }
    assertThat(out.writeCount()).isLessThan(lines.size() / 10);
  }

  @Test
  void aLoneLineIsWrittenWithoutWaitingForMore() throws Exception {
    Recording out = start(new CountDownLatch(0), 16);
    logger.info("alone");
    assertThat(GatewayHarness.eventually(() -> out.lines().equals(List.of("alone")))).isTrue();
    logger.info("later");
    assertThat(GatewayHarness.eventually(() -> out.lines().size() == 2)).isTrue();
    assertThat(out.lines()).containsExactly("alone", "later");
    assertThat(out.writeCount()).isEqualTo(2);
  }

  @Test
  void stopWritesWhatIsQueued() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Recording out = startHeld(release);
    for (int i = 0; i < 500; i++) logger.info("queued {}", i);
    // When: stopped while 500 lines wait (the write in progress then ends)
    Thread stopper = new Thread(appender::stop);
    stopper.start();
    release.countDown();
    stopper.join(120_000);
    // Then
    assertThat(out.lines()).hasSize(501).endsWith("queued 499");
    logger.info("after stop");
    assertThat(out.lines()).hasSize(501);
  }
}
