package io.tablegate.service;

import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A bound on heavy work running at once on this instance (rewrites, Iceberg metadata generation):
 * each piece waits for a turn, fairly, and is told to retry (TEMPORARILY_UNAVAILABLE) when none
 * comes in time.
 */
final class Turns {
  private final Semaphore turns;
  private final long waitMillis;
  private final String busy;
  private final String stopped;

  /**
   * @param busy the message when no turn came within {@code waitMillis}
   * @param stopped the message when the wait was interrupted
   */
  Turns(int count, long waitMillis, String busy, String stopped) {
    this.turns = new Semaphore(count, true);
    this.waitMillis = waitMillis;
    this.busy = busy;
    this.stopped = stopped;
  }

  <T> T run(Supplier<T> work) {
    try {
      if (!turns.tryAcquire(waitMillis, TimeUnit.MILLISECONDS))
        throw new SharingException(ErrorCode.TEMPORARILY_UNAVAILABLE, busy);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SharingException(ErrorCode.TEMPORARILY_UNAVAILABLE, stopped);
    }
    try {
      return work.get();
    } finally {
      turns.release();
    }
  }
}
