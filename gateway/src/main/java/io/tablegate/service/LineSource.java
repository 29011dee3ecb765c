package io.tablegate.service;

import io.tablegate.protocol.EndStreamAction;

/**
 * The body lines of an NDJSON response after its head, pulled in chunks by the HTTP layer. {@link
 * #next} blocks (it reads the table) and runs on the worker pool, one call at a time. The one owner
 * closes it on end, failure and client disconnect; close is idempotent.
 */
public interface LineSource extends AutoCloseable {
  /** Up to {@code maxLines} more lines as NDJSON bytes, or null at the end. */
  byte[] next(int maxLines);

  /**
   * True when {@link #next} only copies bytes already in memory (it may then run on an event loop).
   */
  default boolean inMemory() {
    return false;
  }

  /**
   * Every remaining body byte at once, without a copy, when they are in memory (a cached response,
   * possibly off the heap); null otherwise. Read-only. After it, {@link #next} returns null.
   */
  default java.nio.ByteBuffer rest() {
    return null;
  }

  /**
   * True when {@link #close} holds nothing to release (no file, no scan): the owner then closes it
   * where it is, an event loop included, instead of handing it to the worker pool.
   */
  default boolean closesInline() {
    return false;
  }

  /** How many files (actions) were emitted so far, for the audit log; -1 when unknown. */
  default long emitted() {
    return -1;
  }

  /**
   * Asks a {@link #next} running now on another thread to stop soon (the client went away); it then
   * returns what it has. Called from any thread; {@link #close} still follows.
   */
  default void cancel() {}

  /**
   * The {@code endStreamAction} to finish with once {@link #next} returned null, or null for none.
   */
  EndStreamAction trailer();

  @Override
  void close();

  LineSource EMPTY =
      new LineSource() {
        @Override
        public byte[] next(int maxLines) {
          return null;
        }

        @Override
        public boolean inMemory() {
          return true;
        }

        @Override
        public boolean closesInline() {
          return true;
        }

        @Override
        public EndStreamAction trailer() {
          return null;
        }

        @Override
        public void close() {}
      };
}
