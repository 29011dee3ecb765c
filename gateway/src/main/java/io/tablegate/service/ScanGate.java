package io.tablegate.service;

import io.tablegate.protocol.SharingErrors;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Bounds the table scans (file listings read from storage or the shared tier) open at once in this
 * instance, and so the memory they hold. A request takes a slot before it reads the table; when all
 * are taken it waits, without holding a thread, up to {@code queueTimeoutMs}, then gets {@code 503
 * TEMPORARILY_UNAVAILABLE} with {@code Retry-After} (the connectors retry), instead of starting
 * work the heap cannot hold. A slot that ends up streaming a body is held until the body is closed
 * (end, failure or client disconnect); otherwise it is given back when the request's table work is
 * done. Thread-safe.
 */
public final class ScanGate {
  private final Vertx vertx;
  private final int size;
  private final long queueTimeoutMs;
  private int free;
  private final Deque<Waiter> waiting = new ArrayDeque<>();

  private record Waiter(Promise<Slot> promise, Context context, long[] timer) {}

  /**
   * @param maxConcurrentScans slots
   * @param queueTimeoutMs how long a request may wait for a slot (0: not at all)
   */
  public ScanGate(Vertx vertx, int maxConcurrentScans, long queueTimeoutMs) {
    this.vertx = vertx;
    this.size = maxConcurrentScans;
    this.free = maxConcurrentScans;
    this.queueTimeoutMs = queueTimeoutMs;
  }

  /** Scans open now (slots taken), for metrics and tests. */
  public synchronized int open() {
    return size - free;
  }

  /** Requests waiting for a slot now. */
  public synchronized int queued() {
    return waiting.size();
  }

  /**
   * A slot, now or when one is given back; fails with 503 after the queue timeout. Call from a
   * Vert.x context.
   */
  Future<Slot> acquire() {
    Waiter w;
    synchronized (this) {
      if (free > 0) {
        free--;
        return Future.succeededFuture(new Slot());
      }
      if (queueTimeoutMs <= 0) return Future.failedFuture(busy());
      w =
          new Waiter(
              Promise.promise(),
              vertx.getOrCreateContext(),
              new long[] {-1}); // its timer id, once set
      waiting.addLast(w);
    }
    w.timer()[0] =
        vertx.setTimer(
            queueTimeoutMs,
            id -> {
              boolean removed;
              synchronized (this) {
                removed = waiting.remove(w);
              }
              if (removed) w.promise().tryFail(busy());
            });
    return w.promise().future();
  }

  private RuntimeException busy() {
    return SharingErrors.unavailable(
        "The gateway is serving "
            + size
            + " table scans at once, its configured limit; please retry shortly.");
  }

  private void giveBack() {
    Waiter next;
    synchronized (this) {
      next = waiting.pollFirst();
      if (next == null) {
        free++;
        return;
      }
    }
    if (next.timer()[0] >= 0)
      vertx.cancelTimer(next.timer()[0]); // not yet set: the timer will find the waiter gone
    next.context()
        .runOnContext(
            v -> {
              if (!next.promise().tryComplete(new Slot())) giveBack();
            });
  }

  /** One taken slot: given back once, by the body it guards or by {@link #releaseUnlessHeld}. */
  final class Slot {
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean held;

    /**
     * Opens a body that holds this slot until it closes; if opening fails, the slot is given back.
     */
    LineSource hold(Supplier<LineSource> opener) {
      LineSource body;
      try {
        body = opener.get();
      } catch (RuntimeException | Error e) {
        release();
        throw e;
      }
      held = true;
      return new Held(body, this);
    }

    /** Gives the slot back unless a body holds it. */
    void releaseUnlessHeld() {
      if (!held) release();
    }

    void release() {
      if (released.compareAndSet(false, true)) giveBack();
    }
  }

  private static final class Held extends ForwardingLineSource {
    private final Slot slot;

    Held(LineSource body, Slot slot) {
      super(body);
      this.slot = slot;
    }

    @Override
    public void close() {
      try {
        inner.close();
      } finally {
        slot.release();
      }
    }
  }
}
