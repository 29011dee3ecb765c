package io.tablegate.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tablegate.cache.Codec;
import io.tablegate.cache.MetadataCache;
import io.tablegate.cache.SharedTier;
import io.tablegate.spi.ChangeRecord;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Puts the metadata cache in front of any table format: the latest version (for the staleness
 * bound), resolved snapshots, and each version's file list, which is streamed into the shared tier
 * chunk by chunk during the first complete scan and streamed back from it afterwards, on any
 * instance. Every key but {@link #LATEST} contains the version, so it never goes stale.
 */
public final class CachingTableFormat implements TableFormat {
  public static final String LATEST = "s:latest";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Codec<TableSnapshot> SNAPSHOT =
      new Codec<>() {
        @Override
        public byte[] encode(TableSnapshot value) {
          try {
            return MAPPER.writeValueAsBytes(value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override
        public TableSnapshot decode(byte[] bytes) {
          try {
            return MAPPER.readValue(bytes, TableSnapshot.class);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private final TableFormat inner;
  private final SharedScans scans;
  private final MetadataCache cache;
  private final Duration latestTtl;
  private final Duration versionedTtl;
  private final java.util.concurrent.atomic.LongAdder lookups =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder misses =
      new java.util.concurrent.atomic.LongAdder();

  /** Latest-version, snapshot and file-list lookups so far. */
  public long lookups() {
    return lookups.sum();
  }

  /** Those that had to read the table's storage (no cache tier had them). */
  public long misses() {
    return misses.sum();
  }

  public CachingTableFormat(
      TableFormat inner, MetadataCache cache, Duration latestTtl, Duration versionedTtl) {
    this(inner, cache, latestTtl, versionedTtl, null);
  }

  /**
   * @param scans one scan per version shared by all its readers through a local spill; null: every
   *     reader scans
   */
  public CachingTableFormat(
      TableFormat inner,
      MetadataCache cache,
      Duration latestTtl,
      Duration versionedTtl,
      SharedScans scans) {
    this.scans = scans;
    this.inner = inner;
    this.cache = cache;
    this.latestTtl = latestTtl;
    this.versionedTtl = versionedTtl;
  }

  /** The in-process value in inline mode (never loading there); null when not inline. */
  private <V> V inline(String location, String key) {
    if (!Inline.active()) return null;
    V v = cache.peek(location, key);
    if (v == null) throw Inline.MISS;
    Inline.onSuccess(
        lookups::increment); // counted once: a missed inline run is repeated on the worker pool
    return v;
  }

  @Override
  public long latestVersion(String location) {
    Long inline = inline(location, LATEST);
    if (inline != null) return inline;
    lookups.increment();
    return cache.get(
        location,
        LATEST,
        latestTtl,
        Codec.LONG,
        () -> {
          misses.increment();
          return inner.latestVersion(location);
        });
  }

  @Override
  public TableSnapshot snapshot(String location, long version) {
    TableSnapshot inline = inline(location, "s:snapshot@" + version);
    if (inline != null) return inline;
    lookups.increment();
    return cache.get(
        location,
        "s:snapshot@" + version,
        versionedTtl,
        SNAPSHOT,
        () -> {
          misses.increment();
          return inner.snapshot(location, version);
        });
  }

  /**
   * Cached only for a timestamp before the latest commit: later commits cannot change that answer
   * (at or after the latest commit, a new commit could).
   */
  @Override
  public long versionAtOrBefore(String location, long epochMillis) {
    if (Inline.active()) throw Inline.MISS;
    if (epochMillis >= snapshot(location, latestVersion(location)).timestamp())
      return inner.versionAtOrBefore(location, epochMillis);
    return cache.get(
        location,
        "s:atOrBefore@" + epochMillis,
        versionedTtl,
        Codec.LONG,
        () -> inner.versionAtOrBefore(location, epochMillis));
  }

  /**
   * Cached only for a timestamp at or before the latest commit, whose answer later commits cannot
   * change.
   */
  @Override
  public long versionAtOrAfter(String location, long epochMillis) {
    if (Inline.active()) throw Inline.MISS;
    if (epochMillis > snapshot(location, latestVersion(location)).timestamp())
      return inner.versionAtOrAfter(location, epochMillis);
    return cache.get(
        location,
        "s:atOrAfter@" + epochMillis,
        versionedTtl,
        Codec.LONG,
        () -> inner.versionAtOrAfter(location, epochMillis));
  }

  @Override
  public boolean supportsChanges() {
    return inner.supportsChanges();
  }

  @Override
  public boolean rewritesFiles() {
    return inner.rewritesFiles();
  }

  /** Not cached here: the rewrite cache keeps the files. */
  @Override
  public Rewritten rewrite(
      TableSnapshot snapshot, DataFile file, Restriction restriction, java.nio.file.Path target) {
    if (Inline.active()) throw Inline.MISS;
    return inner.rewrite(snapshot, file, restriction, target);
  }

  /** Not cached: rows are read for previews, a few at a time. */
  @Override
  public CloseableIterator<Object[]> rows(TableSnapshot snapshot) {
    if (Inline.active()) throw Inline.MISS;
    return inner.rows(snapshot);
  }

  /** Not cached: the Iceberg REST face asks for it once per table load. */
  @Override
  public java.util.Optional<IcebergMetadata> icebergMetadata(String location, long fromVersion) {
    if (Inline.active()) throw Inline.MISS;
    return inner.icebergMetadata(location, fromVersion);
  }

  /** A range's actions never change once written, so each range is cached like a file list. */
  @Override
  public CloseableIterator<ChangeRecord> changes(
      String location, long startVersion, long endVersion) {
    if (Inline.active()) throw Inline.MISS;
    String key = "s:changes@" + startVersion + "-" + endVersion;
    Optional<Iterator<byte[]>> cached = cache.readList(location, key);
    if (cached.isPresent()) {
      Iterator<byte[]> it = cached.get();
      // a failing shared tier mid-range: restart from the store and skip what was served (same
      // order)
      return new CloseableIterator<>() {
        private CloseableIterator<ChangeRecord> fallback;
        private long served;

        @Override
        public boolean hasNext() {
          if (fallback == null) {
            try {
              return it.hasNext();
            } catch (RuntimeException e) {
              fallback = inner.changes(location, startVersion, endVersion);
              for (long i = 0; i < served && fallback.hasNext(); i++) fallback.next();
            }
          }
          return fallback.hasNext();
        }

        @Override
        public ChangeRecord next() {
          if (!hasNext()) throw new NoSuchElementException();
          served++;
          return fallback != null ? fallback.next() : ChangeRecordCodec.decode(it.next());
        }

        @Override
        public void close() {
          if (fallback != null) fallback.close();
        }
      };
    }
    CloseableIterator<ChangeRecord> records = inner.changes(location, startVersion, endVersion);
    SharedTier.ListWriter writer = cache.writeList(location, key, versionedTtl);
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = records.hasNext();
        if (!more) writer.commit();
        return more;
      }

      @Override
      public ChangeRecord next() {
        if (!records.hasNext()) throw new NoSuchElementException();
        ChangeRecord r = records.next();
        writer.add(ChangeRecordCodec.encode(r));
        return r;
      }

      @Override
      public void close() {
        writer.close();
        records.close();
      }
    };
  }

  @Override
  public CloseableIterator<DataFile> scan(TableSnapshot snapshot, boolean includeStats) {
    if (Inline.active()) throw Inline.MISS; // a file list is never only in memory
    String key = "s:files@" + snapshot.version() + (includeStats ? "" : ":nostats");
    lookups.increment();
    Optional<Iterator<byte[]>> cached = cache.readList(snapshot.location(), key);
    if (cached.isPresent()) return new SharedListIterator(cached.get(), snapshot, includeStats);
    if (scans != null) {
      // one scan of this version, whatever the number of readers: they follow its spill
      return scans.open(
          snapshot.location() + "\u0000" + key, () -> recordedScan(snapshot, includeStats, key));
    }
    return recordedScan(snapshot, includeStats, key);
  }

  /** A scan of the table itself, written to the shared tier as it goes (when there is one). */
  private CloseableIterator<DataFile> recordedScan(
      TableSnapshot snapshot, boolean includeStats, String key) {
    misses.increment();
    CloseableIterator<DataFile> files = inner.scan(snapshot, includeStats);
    SharedTier.ListWriter writer = cache.writeList(snapshot.location(), key, versionedTtl);
    if (!writer.active()) return files; // no shared tier: nothing to record
    return new CloseableIterator<>() {
      private boolean closed;

      @Override
      public boolean hasNext() {
        boolean more = files.hasNext();
        if (!more) writer.commit(); // the scan ran to its end: the list is complete
        return more;
      }

      @Override
      public DataFile next() {
        if (!files.hasNext()) throw new NoSuchElementException();
        DataFile f = files.next();
        writer.add(DataFileCodec.encode(f));
        return f;
      }

      @Override
      public void close() {
        if (closed) return;
        closed = true;
        writer.close();
        files.close();
      }
    };
  }

  /**
   * Streams a cached file list; if the shared tier fails mid-list (Redis went away), continues from
   * the table itself at the same position: a fresh scan of the same version yields the files in the
   * same order, so the client sees no failure and no duplicate.
   */
  private final class SharedListIterator implements CloseableIterator<DataFile> {
    private final Iterator<byte[]> cached;
    private final TableSnapshot snapshot;
    private final boolean includeStats;
    private CloseableIterator<DataFile> fallback;
    private long served;

    SharedListIterator(Iterator<byte[]> cached, TableSnapshot snapshot, boolean includeStats) {
      this.cached = cached;
      this.snapshot = snapshot;
      this.includeStats = includeStats;
    }

    @Override
    public boolean hasNext() {
      if (fallback == null) {
        try {
          return cached.hasNext();
        } catch (RuntimeException e) {
          fallback = inner.scan(snapshot, includeStats);
          for (long i = 0; i < served && fallback.hasNext(); i++) fallback.next();
        }
      }
      return fallback.hasNext();
    }

    @Override
    public DataFile next() {
      if (!hasNext()) throw new NoSuchElementException();
      served++;
      return fallback != null ? fallback.next() : DataFileCodec.decode(cached.next());
    }

    @Override
    public void close() {
      if (fallback != null) fallback.close();
    }
  }

  @Override
  public void close() {
    inner.close();
  }
}
