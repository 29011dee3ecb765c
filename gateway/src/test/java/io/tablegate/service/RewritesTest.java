package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.protocol.DeletionVector;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rewrite cache: one rewrite per file and deletion vector, bounded, least recently used out.
 */
class RewritesTest {
  @TempDir Path dir;

  /** A format whose rewrites are {@code size} bytes of zeros, counted. */
  static class SizedRewrites implements TableFormat {
    final AtomicInteger made = new AtomicInteger();
    final int size;

    SizedRewrites(int size) {
      this.size = size;
    }

    @Override
    public boolean rewritesFiles() {
      return true;
    }

    @Override
    public Rewritten rewrite(
        TableSnapshot snapshot, DataFile file, Restriction restriction, Path target) {
      made.incrementAndGet();
      try {
        Files.write(target, new byte[size]);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Rewritten(
          size, "{\"numRecords\":" + (10 - file.deletionVector().cardinality()) + "}");
    }

    @Override
    public long latestVersion(String location) {
      throw new UnsupportedOperationException();
    }

    @Override
    public TableSnapshot snapshot(String location, long version) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long versionAtOrBefore(String location, long epochMillis) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long versionAtOrAfter(String location, long epochMillis) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CloseableIterator<DataFile> scan(TableSnapshot snapshot, boolean includeStats) {
      throw new UnsupportedOperationException();
    }
  }

  static DataFile file(String name, long cardinality) {
    return new DataFile(
        "file:/data/" + name + ".parquet",
        name + ".parquet",
        Map.of(),
        1000,
        1,
        true,
        "{\"numRecords\":10}",
        new DeletionVector("i", "wi5b=000010000siXQKl0rr91000f", null, 10, cardinality));
  }

  private long parquetFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".parquet")).count();
    }
  }

  @Test
  void aFileAndItsDeletionVectorAreRewrittenOnceAndFilesWithoutOneAreLeftAlone() {
    SizedRewrites format = new SizedRewrites(100);
    Rewrites rewrites = new Rewrites(dir, 1 << 20);
    DataFile a = file("a", 2);
    DataFile first = rewrites.apply(format, null, a);
    DataFile again = rewrites.apply(format, null, a);
    DataFile moreDeleted = rewrites.apply(format, null, file("a", 3));
    DataFile plain =
        new DataFile("file:/data/p.parquet", "p.parquet", Map.of(), 5, 1, true, null, null);

    assertThat(format.made.get()).isEqualTo(2);
    assertThat(first).isEqualTo(again);
    assertThat(first.location()).startsWith(dir.toUri().toString());
    assertThat(first.size()).isEqualTo(100);
    assertThat(first.stats()).isEqualTo("{\"numRecords\":8}");
    assertThat(first.deletionVector()).isNull();
    // another deletion vector of the same file is another file, with another id
    assertThat(moreDeleted.location()).isNotEqualTo(first.location());
    assertThat(moreDeleted.relativePath()).isNotEqualTo(first.relativePath());
    assertThat(rewrites.apply(format, null, plain)).isSameAs(plain);
    assertThat(rewrites.stats()).containsExactly(1, 2, 200);
    // a new instance on the same directory finds them
    SizedRewrites later = new SizedRewrites(100);
    assertThat(new Rewrites(dir, 1 << 20).apply(later, null, a)).isEqualTo(first);
    assertThat(later.made.get()).isZero();
  }

  @Test
  void pastTheBoundTheLeastRecentlyUsedRewritesAreDeletedAndMadeAgainWhenNeeded() throws Exception {
    SizedRewrites format = new SizedRewrites(300 * 1024);
    Rewrites rewrites = new Rewrites(dir, 1 << 20); // room for three
    DataFile[] files = new DataFile[5];
    for (int i = 0; i < files.length; i++) {
      files[i] = file("f" + i, 1);
      rewrites.apply(format, null, files[i]);
      // distinct use times, whatever the file system's timestamp resolution
      Files.list(dir)
          .filter(p -> p.toString().endsWith(".parquet"))
          .forEach(
              p -> {
                try {
                  long t = Files.getLastModifiedTime(p).toMillis();
                  Files.setLastModifiedTime(
                      p, java.nio.file.attribute.FileTime.fromMillis(t - 10_000));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    assertThat(rewrites.totalBytes()).isLessThanOrEqualTo(1 << 20);
    assertThat(parquetFiles()).isLessThanOrEqualTo(3);
    int before = format.made.get();
    rewrites.apply(format, null, files[4]); // the newest is kept
    assertThat(format.made.get()).isEqualTo(before);
    rewrites.apply(format, null, files[0]); // the oldest was deleted: made again
    assertThat(format.made.get()).isEqualTo(before + 1);
    assertThat(rewrites.totalBytes()).isLessThanOrEqualTo(1 << 20);
  }

  @Test
  void atMostTwoRewritesRunAtOnce() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    SizedRewrites blocking =
        new SizedRewrites(10) {
          @Override
          public Rewritten rewrite(
              TableSnapshot snapshot, DataFile file, Restriction restriction, Path target) {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
              release.await();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
            running.decrementAndGet();
            return super.rewrite(snapshot, file, restriction, target);
          }
        };
    Rewrites rewrites = new Rewrites(dir, 1 << 20);
    List<Thread> threads = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      DataFile f = file("c" + i, 1);
      Thread t = new Thread(() -> rewrites.apply(blocking, null, f));
      t.start();
      threads.add(t);
    }
    // two are rewriting, two wait for a turn
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (running.get() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(running.get()).isEqualTo(2);
    release.countDown();
    for (Thread t : threads) t.join(60_000);
    assertThat(most.get()).isEqualTo(2);
    assertThat(blocking.made.get()).isEqualTo(4);
  }
}
