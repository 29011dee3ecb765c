package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.cache.InProcessMetadataCache;
import io.tablegate.cache.MetadataCache;
import io.tablegate.cache.SharedTier;
import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.TableMetadata;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The caching decorator over a hand-written fake format and an in-memory shared tier. */
class CachingTableFormatTest {
  static final String T = "s3://b/t";

  /** Version v committed at v * 1000 ms; latest is 5; 3 files per version. */
  static final class FakeFormat implements TableFormat {
    int latestCalls;
    int snapshotCalls;
    int timestampCalls;
    int scans;
    long latest = 5;

    public long latestVersion(String location) {
      latestCalls++;
      return latest;
    }

    public TableSnapshot snapshot(String location, long version) {
      snapshotCalls++;
      return new TableSnapshot(
          location,
          version,
          version * 1000,
          new DeltaProtocol(1, 2, null, null),
          new TableMetadata(
              "id",
              null,
              null,
              "parquet",
              Map.of(),
              "{\"type\":\"struct\",\"fields\":[]}",
              List.of("p"),
              Map.of("k", "v"),
              7L),
          10L,
          3L);
    }

    public long versionAtOrBefore(String location, long epochMillis) {
      timestampCalls++;
      return Math.min(latest, epochMillis / 1000);
    }

    public long versionAtOrAfter(String location, long epochMillis) {
      timestampCalls++;
      return (epochMillis + 999) / 1000;
    }

    int changeReads;

    public CloseableIterator<io.tablegate.spi.ChangeRecord> changes(
        String location, long start, long end) {
      changeReads++;
      Iterator<io.tablegate.spi.ChangeRecord> it = records().iterator();
      return new CloseableIterator<>() {
        public boolean hasNext() {
          return it.hasNext();
        }

        public io.tablegate.spi.ChangeRecord next() {
          return it.next();
        }

        public void close() {}
      };
    }

    public CloseableIterator<DataFile> scan(TableSnapshot snapshot, boolean includeStats) {
      scans++;
      Iterator<Integer> it = List.of(0, 1, 2).iterator();
      return new CloseableIterator<>() {
        public boolean hasNext() {
          return it.hasNext();
        }

        public DataFile next() {
          int i = it.next();
          return new DataFile(
              T + "/f" + i,
              "f" + i,
              Map.of("p", "v" + i),
              i,
              i,
              true,
              "{\"numRecords\":" + i + "}",
              null);
        }

        public void close() {}
      };
    }
  }

  /** An in-process cache whose shared tier is a map: enough to see what is written and read. */
  static final class MapSharedCache implements MetadataCache {
    final InProcessMetadataCache local = new InProcessMetadataCache(100);
    final Map<String, List<byte[]>> lists = new HashMap<>();

    public <V> V get(String namespace, String key, Duration ttl, Callable<V> loader) {
      return local.get(namespace, key, ttl, loader);
    }

    public Optional<Iterator<byte[]>> readList(String namespace, String key) {
      List<byte[]> l = lists.get(namespace + "|" + key);
      return l == null ? Optional.empty() : Optional.of(l.iterator());
    }

    public SharedTier.ListWriter writeList(String namespace, String key, Duration ttl) {
      List<byte[]> pending = new ArrayList<>();
      return new SharedTier.ListWriter() {
        public void add(byte[] item) {
          pending.add(item);
        }

        public void commit() {
          lists.put(namespace + "|" + key, pending);
        }

        public void close() {}
      };
    }

    public void invalidate(String namespace) {
      local.invalidate(namespace);
    }

    public long size() {
      return local.size();
    }
  }

  static List<DataFile> drain(CloseableIterator<DataFile> it, int max) {
    List<DataFile> out = new ArrayList<>();
    while (out.size() < max && it.hasNext()) out.add(it.next());
    it.close();
    return out;
  }

  @Test
  void aCompleteScanIsServedFromTheSharedListAfterwardsAndAPartialOneIsNot() {
    FakeFormat inner = new FakeFormat();
    MapSharedCache cache = new MapSharedCache();
    CachingTableFormat format =
        new CachingTableFormat(inner, cache, Duration.ofMinutes(1), Duration.ofDays(1));
    TableSnapshot snap = format.snapshot(T, 5);
    drain(format.scan(snap, true), 2); // a client that stopped early
    assertThat(cache.lists).isEmpty();
    List<DataFile> first = drain(format.scan(snap, true), 100);
    assertThat(cache.lists).hasSize(1);
    List<DataFile> second = drain(format.scan(snap, true), 100);
    assertThat(second).isEqualTo(first);
    assertThat(inner.scans).isEqualTo(2);
  }

  @Test
  void latestAndSnapshotsAreCached() {
    FakeFormat inner = new FakeFormat();
    CachingTableFormat format =
        new CachingTableFormat(
            inner, new MapSharedCache(), Duration.ofMinutes(1), Duration.ofDays(1));
    format.latestVersion(T);
    format.latestVersion(T);
    format.snapshot(T, 3);
    format.snapshot(T, 3);
    assertThat(inner.latestCalls).isEqualTo(1);
    assertThat(inner.snapshotCalls).isEqualTo(1);
  }

  @Test
  void timestampResolutionsAreCachedOnlyWhenLaterCommitsCannotChangeThem() {
    FakeFormat inner = new FakeFormat();
    CachingTableFormat format =
        new CachingTableFormat(
            inner, new MapSharedCache(), Duration.ofMinutes(1), Duration.ofDays(1));
    assertThat(format.versionAtOrBefore(T, 2500)).isEqualTo(2);
    assertThat(format.versionAtOrBefore(T, 2500)).isEqualTo(2);
    assertThat(format.versionAtOrAfter(T, 2500)).isEqualTo(3);
    assertThat(format.versionAtOrAfter(T, 2500)).isEqualTo(3);
    assertThat(inner.timestampCalls).isEqualTo(2);
    // at or after the latest commit (5 at 5000 ms) a new commit could change the answer: not cached
    format.versionAtOrBefore(T, 9000);
    format.versionAtOrBefore(T, 9000);
    assertThat(inner.timestampCalls).isEqualTo(4);
  }

  static List<io.tablegate.spi.ChangeRecord> records() {
    var snap = new FakeFormat().snapshot(T, 1);
    return List.of(
        new io.tablegate.spi.ChangeRecord.CommitInfo(
            1, 1000, "MERGE", Map.of("numTargetRowsInserted", "0")),
        new io.tablegate.spi.ChangeRecord.CommitInfo(1, 1000, null, Map.of()),
        new io.tablegate.spi.ChangeRecord.MetadataChange(1, 1000, snap.metadata()),
        new io.tablegate.spi.ChangeRecord.ProtocolChange(
            1, 1000, new DeltaProtocol(3, 7, List.of("deletionVectors"), List.of("x"))),
        new io.tablegate.spi.ChangeRecord.FileChange(
            2,
            2000,
            io.tablegate.spi.ChangeRecord.FileKind.CDC,
            new DataFile(T + "/c", "c", Map.of(), 5, 6, false, null, null)),
        new io.tablegate.spi.ChangeRecord.FileChange(
            2,
            2000,
            io.tablegate.spi.ChangeRecord.FileKind.REMOVE,
            new DataFile(T + "/r", "r", Map.of("p", "1"), 5, 6, true, "{}", null)));
  }

  @Test
  void changeRangesAreCachedAfterACompletePassAndRecordsRoundTrip() {
    for (var r : records())
      assertThat(ChangeRecordCodec.decode(ChangeRecordCodec.encode(r))).isEqualTo(r);
    FakeFormat inner = new FakeFormat();
    MapSharedCache cache = new MapSharedCache();
    CachingTableFormat format =
        new CachingTableFormat(inner, cache, Duration.ofMinutes(1), Duration.ofDays(1));
    List<io.tablegate.spi.ChangeRecord> first = new ArrayList<>();
    try (var it = format.changes(T, 1, 2)) {
      it.forEachRemaining(first::add);
    }
    List<io.tablegate.spi.ChangeRecord> second = new ArrayList<>();
    try (var it = format.changes(T, 1, 2)) {
      it.forEachRemaining(second::add);
    }
    assertThat(second).isEqualTo(first).isEqualTo(records());
    assertThat(inner.changeReads).isEqualTo(1);
  }

  @Test
  void theFileCodecRoundTrips() {
    Map<String, String> pv = new HashMap<>();
    pv.put("a", null);
    pv.put("b", "x=y/é");
    DataFile f =
        new DataFile(
            "s3://b/t/x",
            "x",
            pv,
            12,
            34,
            false,
            null,
            new io.tablegate.protocol.DeletionVector("u", "ab^cd", 1, 40, 3));
    assertThat(DataFileCodec.decode(DataFileCodec.encode(f))).isEqualTo(f);
    DataFile plain =
        new DataFile("file:/t/y", "y", Map.of(), 1, 2, true, "{\"numRecords\":1}", null);
    assertThat(DataFileCodec.decode(DataFileCodec.encode(plain))).isEqualTo(plain);
  }
}
