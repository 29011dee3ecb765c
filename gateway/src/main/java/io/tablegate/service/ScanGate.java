package io.tablegate.service;

import io.tablegate.protocol.EndStreamAction;
import io.tablegate.protocol.SharingErrors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Bounds the table scans (file listings read from storage or the shared tier) open at once in this
 * instance, and so the memory they hold: a request that finds every slot taken is answered at once
 * with {@code 503 TEMPORARILY_UNAVAILABLE} and {@code Retry-After} (the connectors retry), instead of
 * queueing work the heap cannot hold. A slot is held from the scan's opening until its body is closed
 * (end, failure or client disconnect). Thread-safe.
 */
public final class ScanGate {
  private final Semaphore slots;
  private final int size;

  public ScanGate(int maxConcurrentScans) {
    this.size = maxConcurrentScans;
    this.slots = new Semaphore(maxConcurrentScans);
  }

  /** Scans open now, for metrics and tests. */
  public int open() {
    return size - slots.availablePermits();
  }

  /** Opens a body under a slot; the slot is given back when the body closes (or if opening it fails). */
  LineSource open(Supplier<LineSource> opener) {
    if (!slots.tryAcquire()) {
      throw SharingErrors.unavailable("The gateway is serving " + size + " table scans at once, its configured limit; please retry shortly.");
    }
    LineSource body;
    try {
      body = opener.get();
    } catch (RuntimeException | Error e) {
      slots.release();
      throw e;
    }
    return new Held(body);
  }

  private final class Held implements LineSource {
    private final LineSource body;
    private final AtomicBoolean released = new AtomicBoolean();

    Held(LineSource body) {
      this.body = body;
    }

    @Override
    public byte[] next(int maxLines) {
      return body.next(maxLines);
    }

    @Override
    public boolean inMemory() {
      return body.inMemory();
    }

    @Override
    public long emitted() {
      return body.emitted();
    }

    @Override
    public EndStreamAction trailer() {
      return body.trailer();
    }

    @Override
    public void cancel() {
      body.cancel();
    }

    @Override
    public void close() {
      try {
        body.close();
      } finally {
        if (released.compareAndSet(false, true)) slots.release();
      }
    }
  }
}
