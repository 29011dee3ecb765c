package io.tablegate.http;

import io.tablegate.spi.ChangeRecord;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A table format that counts the files the server pulls and the scans it opens and closes; a
 * location containing "failing" fails 5,000 files into every 20,000.
 */
public final class CountingFormat implements TableFormat {
  private final TableFormat inner;
  private final AtomicLong pulled;
  private final AtomicInteger opened;
  private final AtomicInteger closed;

  public CountingFormat(TableFormat inner, AtomicLong pulled) {
    this(inner, pulled, new AtomicInteger(), new AtomicInteger());
  }

  public CountingFormat(
      TableFormat inner, AtomicLong pulled, AtomicInteger opened, AtomicInteger closed) {
    this.inner = inner;
    this.pulled = pulled;
    this.opened = opened;
    this.closed = closed;
  }

  public long latestVersion(String location) {
    return inner.latestVersion(location);
  }

  public TableSnapshot snapshot(String location, long version) {
    return inner.snapshot(location, version);
  }

  public long versionAtOrBefore(String location, long epochMillis) {
    return inner.versionAtOrBefore(location, epochMillis);
  }

  public long versionAtOrAfter(String location, long epochMillis) {
    return inner.versionAtOrAfter(location, epochMillis);
  }

  public boolean supportsChanges() {
    return inner.supportsChanges();
  }

  public CloseableIterator<ChangeRecord> changes(String location, long start, long end) {
    return inner.changes(location, start, end);
  }

  public CloseableIterator<DataFile> scan(TableSnapshot snapshot, boolean includeStats) {
    CloseableIterator<DataFile> it = inner.scan(snapshot, includeStats);
    opened.incrementAndGet();
    return new CloseableIterator<>() {
      boolean done;

      public boolean hasNext() {
        return it.hasNext();
      }

      public DataFile next() {
        if (snapshot.location().contains("failing") && pulled.get() % 20_000 == 5_000) {
          pulled.incrementAndGet();
          throw new IllegalStateException("simulated storage failure in the middle of a scan");
        }
        pulled.incrementAndGet();
        return it.next();
      }

      public void close() {
        if (!done) closed.incrementAndGet();
        done = true;
        it.close();
      }
    };
  }
}
