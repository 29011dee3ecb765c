package io.tablegate.spi;

import java.util.Iterator;

/**
 * An iterator over a resource that must be closed by its one owner, on normal end, on failure and
 * on client disconnect. {@link #close()} is idempotent.
 */
public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
  @Override
  void close();
}
