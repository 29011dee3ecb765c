package io.tablegate.spi;

import java.util.Iterator;

/**
 * An iterator over a resource that must be closed by its one owner, on normal end, on failure and
 * on client disconnect. {@link #close()} is idempotent.
 */
public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
  @Override
  void close();

  /** The elements that pass {@code keep}, read lazily; closing closes this iterator. */
  default CloseableIterator<T> filter(java.util.function.Predicate<T> keep) {
    CloseableIterator<T> source = this;
    return new CloseableIterator<>() {
      private T next;

      @Override
      public boolean hasNext() {
        while (next == null && source.hasNext()) {
          T candidate = source.next();
          if (keep.test(candidate)) next = candidate;
        }
        return next != null;
      }

      @Override
      public T next() {
        if (!hasNext()) throw new java.util.NoSuchElementException();
        T out = next;
        next = null;
        return out;
      }

      @Override
      public void close() {
        source.close();
      }
    };
  }

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
