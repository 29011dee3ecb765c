package io.tablegate.service;

import io.tablegate.protocol.SharingErrors;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scan per table version, however many requests read it: the first request for a version starts
 * a producer that reads the table's file list once, on its own thread and at storage speed, into a
 * spill file on local disk; that request and every other one for the same version (concurrent or
 * later) follow the file at their own pace. So the memory of a large query no longer grows with the
 * number of readers: it is one table scan per version being listed (at most {@code producers} at
 * once) plus a small read buffer per stream, and a reader that stops reading holds only its
 * position. Finished lists are kept for reuse (pages, refreshes, other recipients) within a disk
 * budget and a lifetime, then deleted. Thread-safe.
 */
public final class SharedScans implements AutoCloseable {
  private static final Logger LOGGER = LoggerFactory.getLogger(SharedScans.class);

  /** Records between two publications of the spill's readable length. */
  private static final int PUBLISH_EVERY = 256;

  private static final int READ_BLOCK = 64 * 1024;

  /** How long a reader waits for the producer before it reports the table as unavailable. */
  private static final long MAX_WAIT_NANOS = TimeUnit.MINUTES.toNanos(5);

  private final Path dir;
  private final long maxBytes;
  private final Duration keep;
  private final Clock clock;
  private final ThreadPoolExecutor producers;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param dir where spill files go (created; emptied on close)
   * @param producers table scans running at once; more wait in a short queue, beyond it requests
   *     get 503
   * @param maxBytes disk budget for finished lists (the oldest unused ones are deleted first)
   * @param keep how long a finished list is kept after its last use
   */
  public SharedScans(Path dir, int producers, long maxBytes, Duration keep, Clock clock) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.keep = keep;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.producers =
        new ThreadPoolExecutor(
            producers,
            producers,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(producers * 16),
            r -> {
              Thread t = new Thread(r, "table-scan-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.producers.allowCoreThreadTimeOut(true);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the scan spill directory " + dir, e);
    }
  }

  /** A spill directory of this process under the system's temporary directory. */
  public static Path temporaryDirectory() {
    try {
      Path d = Files.createTempDirectory("tablegate-scans-");
      d.toFile().deleteOnExit();
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Scans running or queued now, for tests and metrics. */
  public int producing() {
    return producers.getActiveCount() + producers.getQueue().size();
  }

  /** Versions whose lists are held now (being written or finished). */
  public int held() {
    return entries.size();
  }

  /**
   * The files of {@code key}: followed from the spill of a scan running or finished, or from a new
   * scan that {@code scan} opens on a producer thread. The caller closes the iterator.
   */
  CloseableIterator<DataFile> open(String key, Supplier<CloseableIterator<DataFile>> scan) {
    evict();
    while (true) {
      Entry e = entries.get(key);
      if (e == null) {
        Entry fresh =
            new Entry(
                key,
                dir.resolve(
                    Integer.toHexString(key.hashCode()) + "-" + System.nanoTime() + ".spill"));
        if (entries.putIfAbsent(key, fresh) != null) continue;
        try {
          producers.execute(() -> fresh.produce(scan));
        } catch (RejectedExecutionException rejected) {
          entries.remove(key, fresh);
          throw SharingErrors.unavailable(
              "The gateway is listing as many tables as it can at once; please retry shortly.");
        }
        e = fresh;
      }
      Follower f = e.follow();
      if (f != null) return f;
      entries.remove(key, e); // failed or deleted meanwhile: start again
    }
  }

  /**
   * Deletes finished lists unused for longer than {@code keep}, then the oldest unused ones beyond
   * the budget.
   */
  private void evict() {
    long now = clock.millis();
    List<Entry> idle = new ArrayList<>();
    long bytes = 0;
    for (Entry e : entries.values()) {
      if (!e.removable()) continue;
      if (now - e.lastUsed > keep.toMillis()) {
        e.delete();
        entries.remove(e.key, e);
        continue;
      }
      idle.add(e);
      bytes += e.published;
    }
    if (bytes <= maxBytes) return;
    idle.sort(Comparator.comparingLong(e -> e.lastUsed));
    for (Entry e : idle) {
      if (bytes <= maxBytes) break;
      if (e.delete()) {
        entries.remove(e.key, e);
        bytes -= e.published;
      }
    }
  }

  @Override
  public void close() {
    producers.shutdownNow();
    for (Entry e : entries.values()) e.abandon();
    entries.clear();
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) Files.deleteIfExists(p);
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      LOGGER
          .atDebug()
          .addKeyValue("cause", e.toString())
          .log("Cannot remove the scan spill directory");
    }
  }

  /** One version's list: written by its producer, read by any number of followers. */
  private final class Entry {
    final String key;
    final Path file;

    /** Bytes of whole records written and flushed: followers read up to here. */
    volatile long published;

    volatile boolean complete;
    volatile RuntimeException failure;
    volatile boolean deleted;
    volatile long lastUsed = clock.millis();
    private int followers;

    Entry(String key, Path file) {
      this.key = key;
      this.file = file;
    }

    void produce(Supplier<CloseableIterator<DataFile>> scan) {
      long written = 0;
      try (CloseableIterator<DataFile> files = scan.get();
          java.io.OutputStream out = Files.newOutputStream(file)) {
        // records are encoded into one reused buffer, each after its 4-byte length, and written
        // from it every PUBLISH_EVERY records (or when it outgrows a read block)
        DataFileCodec.Record block = new DataFileCodec.Record(READ_BLOCK + 4096);
        int n = 0;
        while (files.hasNext()) {
          if (deleted) return;
          int at = block.size();
          block.writeInt(0);
          DataFileCodec.encodeTo(files.next(), block);
          block.setInt(at, block.size() - at - 4);
          if (++n % PUBLISH_EVERY == 0 || block.size() >= READ_BLOCK) {
            out.write(block.array(), 0, block.size());
            written += block.size();
            block.reset();
            if (n % PUBLISH_EVERY == 0) publish(written, false);
          }
        }
        out.write(block.array(), 0, block.size());
        written += block.size();
        publish(written, true);
      } catch (RuntimeException e) {
        fail(e);
      } catch (IOException e) {
        fail(new UncheckedIOException("Cannot write the scan spill", e));
      } catch (Error e) {
        fail(new IllegalStateException("The table scan failed", e));
        throw e;
      }
    }

    private synchronized void publish(long bytes, boolean done) {
      published = bytes;
      complete = done;
      notifyAll();
    }

    private synchronized void fail(RuntimeException e) {
      failure = e;
      notifyAll();
      entries.remove(key, this);
      if (followers == 0) delete();
    }

    /** A reader from the start, or null when this list failed or was deleted. */
    synchronized Follower follow() {
      if (deleted || failure != null && followers == 0) return null;
      followers++;
      lastUsed = clock.millis();
      return new Follower(this);
    }

    synchronized void unfollow() {
      followers--;
      lastUsed = clock.millis();
      if (followers == 0
          && (failure != null || !entries.containsKey(key) || entries.get(key) != this)) delete();
    }

    synchronized boolean removable() {
      return followers == 0 && (complete || failure != null);
    }

    /** Waits until more than {@code position} bytes are readable or the list ends. */
    synchronized void awaitBeyond(long position) {
      long deadline = System.nanoTime() + MAX_WAIT_NANOS;
      while (published <= position && !complete && failure == null && !deleted) {
        long left = deadline - System.nanoTime();
        if (left <= 0)
          throw SharingErrors.unavailable(
              "Listing the table's files takes too long; please retry later.");
        try {
          wait(
              Math.max(
                  1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, TimeUnit.SECONDS.toNanos(1)))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw SharingErrors.unavailable(
              "Listing the table's files was interrupted; please retry.");
        }
      }
    }

    /** Deletes the list unless a follower still reads it; true once it is gone. */
    synchronized boolean delete() {
      if (followers > 0 || deleted) return deleted;
      abandon();
      return true;
    }

    /** Deletes the list whoever reads it (shutdown); its followers then fail. */
    synchronized void abandon() {
      deleted = true;
      notifyAll();
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOGGER.atDebug().addKeyValue("cause", e.toString()).log("Cannot delete a scan spill file");
      }
    }
  }

  /** Reads one list from its start, blocking only while the producer is behind it. */
  private final class Follower implements CloseableIterator<DataFile> {
    private final Entry entry;
    private RandomAccessFile in;
    private long position;
    private byte[] block = new byte[READ_BLOCK];
    private int start;
    private int end;
    private DataFile next;
    private boolean closed;

    Follower(Entry entry) {
      this.entry = entry;
    }

    @Override
    public boolean hasNext() {
      if (next != null) return true;
      if (closed) return false;
      next = read();
      return next != null;
    }

    @Override
    public DataFile next() {
      if (!hasNext()) throw new NoSuchElementException();
      DataFile f = next;
      next = null;
      return f;
    }

    private DataFile read() {
      while (true) {
        if (end - start >= 4) {
          int length =
              ((block[start] & 0xff) << 24)
                  | ((block[start + 1] & 0xff) << 16)
                  | ((block[start + 2] & 0xff) << 8)
                  | (block[start + 3] & 0xff);
          if (end - start >= 4 + length) {
            DataFile f = DataFileCodec.decode(block, start + 4, length);
            start += 4 + length;
            return f;
          }
          if (4 + length > block.length) block = java.util.Arrays.copyOf(block, 4 + length);
        }
        if (entry.failure != null) throw entry.failure;
        if (position >= entry.published) {
          if (entry.complete && position >= entry.published) return null;
          entry.awaitBeyond(position);
          if (entry.failure != null) throw entry.failure;
          if (entry.deleted)
            throw SharingErrors.unavailable("The table's file list was dropped; please retry.");
          if (entry.complete && position >= entry.published) return null;
        }
        fill();
      }
    }

    /** Reads more published bytes after what the block holds. */
    private void fill() {
      if (start > 0) {
        System.arraycopy(block, start, block, 0, end - start);
        end -= start;
        start = 0;
      }
      int want = (int) Math.min(block.length - end, entry.published - position);
      if (want <= 0) return;
      try {
        if (in == null) in = new RandomAccessFile(entry.file.toFile(), "r");
        in.seek(position);
        in.readFully(block, end, want);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the scan spill", e);
      }
      end += want;
      position += want;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      try {
        if (in != null) in.close();
      } catch (IOException e) {
        // nothing left to do
      }
      entry.unfollow();
    }
  }
}
