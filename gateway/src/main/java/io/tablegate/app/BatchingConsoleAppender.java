package io.tablegate.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Log lines to standard output from one writer thread, in batches: a logging thread (an event loop)
 * only hands its event to a bounded queue; the writer takes what has queued up, encodes it and
 * writes it with <em>one</em> write. Under load that is one system call for hundreds of audit lines
 * instead of one per line (logback's {@code AsyncAppender} in front of a {@code ConsoleAppender}
 * writes and flushes every line); when idle, a line is written as soon as it comes, so nothing
 * waits for a timer. Nothing is dropped: a full queue makes the logging thread wait. {@code stop()}
 * (logback's shutdown hook) writes what is queued, up to {@code maxFlushTimeMs}.
 *
 * <p>Writes go to {@code System.out} as it is at the time of the write, as logback's console
 * appender does.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 16_384;
  private int maxBatch = 1_024;
  private long maxFlushTimeMs = 5_000;
  private volatile BlockingQueue<ILoggingEvent> queue;
  private volatile boolean stopping;
  private Thread writer;

  /** The batch's bytes; the writer thread's own. */
  private ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  /** At most this many events per write. */
  public void setMaxBatch(int maxBatch) {
    this.maxBatch = maxBatch;
  }

  public void setMaxFlushTime(long maxFlushTimeMs) {
    this.maxFlushTimeMs = maxFlushTimeMs;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("No encoder set for the appender named [" + name + "].");
      return;
    }
    if (queueSize < 1 || maxBatch < 1) {
      addError("queueSize and maxBatch must be positive");
      return;
    }
    queue = new ArrayBlockingQueue<>(queueSize);
    stopping = false;
    writer = new Thread(this::drain, "tablegate-log-writer");
    writer.setDaemon(true);
    super.start();
    writer.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    // the writer formats later, on its own thread: fix what would change by then (message, MDC)
    event.prepareForDeferredProcessing();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          queue.put(event);
          return;
        } catch (InterruptedException e) {
          interrupted = true; // a line is never lost to an interrupt: keep waiting
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private void drain() {
    List<ILoggingEvent> batch = new ArrayList<>(maxBatch);
    while (true) {
      try {
        ILoggingEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (stopping) return;
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
      } catch (InterruptedException e) {
        if (stopping && queue.isEmpty()) return;
        continue;
      }
      write(batch);
    }
  }

  private void write(List<ILoggingEvent> batch) {
    bytes.reset();
    for (ILoggingEvent e : batch) {
      try {
        bytes.writeBytes(encoder.encode(e));
      } catch (RuntimeException failed) {
        addError("A log line could not be encoded", failed);
      }
    }
    batch.clear();
    PrintStream out = System.out;
    // one write (PrintStream passes an array longer than its buffer straight through), one flush
    try {
      bytes.writeTo(out);
    } catch (java.io.IOException failed) {
      addError(
          "Log lines could not be written",
          failed); // PrintStream does not throw; kept for its signature
    }
    out.flush();
    if (bytes.size() > 1 << 20) bytes = new ByteArrayOutputStream(64 * 1024); // a rare big burst
  }

  @Override
  public void stop() {
    if (!isStarted()) return;
    super.stop(); // no more appends
    stopping = true;
    try {
      writer.join(maxFlushTimeMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      addWarn(
          "The log writer did not finish in "
              + maxFlushTimeMs
              + " ms; "
              + queue.size()
              + " lines were not written");
    }
  }

  /** True when a logging thread would wait for room (for tests). */
  boolean queueFull() {
    BlockingQueue<ILoggingEvent> q = queue;
    return q != null && q.remainingCapacity() == 0;
  }
}
