package io.tablegate.spi;

import java.util.Iterator;

/**
 * An iterator over a resource that must be closed by its one owner, on normal end, on failure and
 * on client disconnect. {@link #close()} is idempotent.
 */
public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
  @Override
  void close();

  /** An iterator with nothing in it. */
  static <T> CloseableIterator<T> empty() {
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return false;
      }

      @Override
      public T next() {
        throw new java.util.NoSuchElementException();
      }

      @Override
      public void close() {}
    };
  }
}
