package io.tablegate.service;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Helpers that encode the second half of a chunk of file lines while the stream's own thread
 * encodes the first (signing URLs and writing JSON is most of an uncached stream's work, and one
 * thread per stream left a core idle). CPU work only, never I/O. One daemon thread per core but
 * one, with a short queue; a half that no helper has started when the stream's thread finishes its
 * own is taken back and done by the stream's thread, so a busy pool never makes a stream wait and
 * never holds a half it queued.
 */
final class LineEncoders {
  private LineEncoders() {}

  static final int HELPERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

  private static final ThreadPoolExecutor POOL =
      new ThreadPoolExecutor(
          HELPERS,
          HELPERS,
          30,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(HELPERS * 4),
          r -> {
            Thread t = new Thread(r, "line-encoder");
            t.setDaemon(true);
            return t;
          },
          new ThreadPoolExecutor.AbortPolicy());

  static {
    POOL.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code first} here and {@code second} on a helper when one is free (else here too), and
   * returns both results. A failure of either is thrown here (the first's first).
   */
  static <T> Pair<T> both(Supplier<T> first, Supplier<T> second) {
    return both(POOL, first, second);
  }

  /** {@link #both(Supplier, Supplier)} with helpers from {@code helpers} (for tests). */
  static <T> Pair<T> both(
      java.util.concurrent.Executor helpers, Supplier<T> first, Supplier<T> second) {
    AtomicBoolean claimed = new AtomicBoolean();
    CountDownLatch helped = new CountDownLatch(1);
    Object[] result = new Object[1];
    RuntimeException[] failure = new RuntimeException[1];
    try {
      helpers.execute(
          () -> {
            if (!claimed.compareAndSet(false, true)) return;
            try {
              result[0] = second.get();
            } catch (RuntimeException | Error e) {
              failure[0] = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            } finally {
              helped.countDown();
            }
          });
    } catch (RejectedExecutionException full) {
      // every helper busy and the queue full: both halves here
    }
    T a;
    try {
      a = first.get();
    } catch (RuntimeException e) {
      if (!claimed.compareAndSet(false, true)) awaitQuietly(helped);
      throw e;
    }
    if (claimed.compareAndSet(false, true)) return new Pair<>(a, second.get());
    awaitQuietly(helped);
    if (failure[0] != null) throw failure[0];
    @SuppressWarnings("unchecked")
    T b = (T) result[0];
    return new Pair<>(a, b);
  }

  /** Waits for a helper that started (it runs CPU work for a few milliseconds). */
  private static void awaitQuietly(CountDownLatch helped) {
    boolean interrupted = false;
    while (true) {
      try {
        helped.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  record Pair<T>(T first, T second) {}
}
