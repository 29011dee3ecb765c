package io.tablegate.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.protocol.DeletionVector;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data files with deletion vectors rewritten as plain Parquet without the deleted rows, for clients
 * that read only Parquet: kept in a local directory keyed by the data file and its deletion vector
 * (so every recipient reuses one rewrite), bounded in total size (least recently listed deleted
 * first). Blocking: call from the {@code table-io} pool.
 */
public final class Rewrites {
  private static final Logger LOGGER = LoggerFactory.getLogger(Rewrites.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Part of every key: a change to how files are rewritten makes new files. */
  private static final String REWRITE_VERSION = "1";

  private final Path dir;
  private final long maxBytes;
  private final AtomicLong total = new AtomicLong();
  private final KeyedLocks inProgress = new KeyedLocks();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder rewrittenBytes = new LongAdder();

  /** Where rewritten files are kept for every instance (null: in {@link #dir}, this one's own). */
  private final io.tablegate.spi.ObjectStore store;

  private final String prefix;

  /** Rewrites known to be kept in the store (saves two requests per file and listing). */
  private final com.github.benmanes.caffeine.cache.Cache<String, TableFormat.Rewritten> known =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .maximumSize(100_000)
          .expireAfterWrite(java.time.Duration.ofMinutes(10))
          .build();

  public Rewrites(Path dir, long maxBytes) {
    this(dir, maxBytes, null, null);
  }

  /**
   * @param dir where files are rewritten (and kept, when there is no store)
   * @param store with {@code prefix} ({@code s3://bucket/prefix}): where rewritten files are kept,
   *     shared by every instance (a download may reach any of them); null to keep them in {@code
   *     dir}
   */
  public Rewrites(Path dir, long maxBytes, io.tablegate.spi.ObjectStore store, String prefix) {
    this.dir = dir.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    this.store = store;
    this.prefix = prefix == null ? null : prefix.replaceAll("/+$", "");
    try {
      Files.createDirectories(this.dir);
      try (Stream<Path> files = Files.list(this.dir)) {
        for (Path p : files.toList()) {
          String name = p.getFileName().toString();
          // a rewrite cut short (by a stop) an hour ago: never another instance's running one
          if (name.startsWith("tmp-")) {
            if (lastModified(p) < System.currentTimeMillis() - 3_600_000L) Files.deleteIfExists(p);
          } else if (name.endsWith(".parquet")) total.addAndGet(Files.size(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the rewrite directory " + this.dir, e);
    }
  }

  /**
   * Rewrites running at once on this instance: each holds a Parquet reader's batch and a writer's
   * row group in memory, so their number bounds the memory rewrites take.
   */
  static final int MAX_CONCURRENT_REWRITES = 2;

  /** How long a rewrite waits for a turn before its query is told to retry. */
  static final long REWRITE_WAIT_SECONDS = 120;

  private final Turns turns =
      new Turns(
          MAX_CONCURRENT_REWRITES,
          REWRITE_WAIT_SECONDS * 1000,
          "The gateway is busy rewriting files for other queries; please retry later.",
          "The query was stopped while it waited to rewrite a file.");

  /** Rewrites found, rewrites made, and the bytes written. */
  public long[] stats() {
    return new long[] {hits.sum(), misses.sum(), rewrittenBytes.sum()};
  }

  /**
   * {@code file} as a parquet client reads it: the rewritten file (made now if it is not kept yet)
   * in place of a file with a deletion vector; other files as they are.
   */
  DataFile apply(TableFormat format, TableSnapshot snapshot, DataFile file) {
    if (file.deletionVector() == null) return file;
    return apply(format, snapshot, file, TableFormat.Restriction.NONE, "");
  }

  /**
   * {@code file} rewritten for a recipient policy ({@code restriction}, whose canonical text is
   * {@code fingerprint}): always rewritten, deletion vector or not; never the raw file.
   */
  DataFile apply(
      TableFormat format,
      TableSnapshot snapshot,
      DataFile file,
      TableFormat.Restriction restriction,
      String fingerprint) {
    DeletionVector dv = file.deletionVector();
    String key = key(file, dv, fingerprint);
    Path target = dir.resolve(key + ".parquet");
    Path sidecar = dir.resolve(key + ".json");
    TableFormat.Rewritten kept = kept(key, target, sidecar);
    if (kept == null) {
      kept =
          inProgress.with(
              key,
              () -> {
                TableFormat.Rewritten found = kept(key, target, sidecar);
                if (found != null) {
                  hits.increment();
                  return found;
                }
                TableFormat.Rewritten made =
                    turns.run(() -> rewrite(format, snapshot, file, restriction, target, sidecar));
                if (store != null) made = share(key, target, sidecar, made);
                known.put(key, made);
                misses.increment();
                return made;
              });
      if (store == null) evict(target);
      else evictShared(key);
    } else {
      hits.increment();
    }
    return new DataFile(
        store == null ? target.toUri().toString() : prefix + "/" + key + ".parquet",
        file.relativePath() + "#rw=" + key.substring(0, 16),
        file.partitionValues(),
        kept.size(),
        file.modificationTime(),
        file.dataChange(),
        kept.stats(),
        null);
  }

  private static String key(DataFile file, DeletionVector dv, String fingerprint) {
    String material =
        String.join(
            "\n",
            REWRITE_VERSION,
            file.location(),
            Long.toString(file.size()),
            dv == null ? "-" : dv.storageType(),
            dv == null ? "-" : dv.pathOrInlineDv(),
            dv == null ? "-" : String.valueOf(dv.offset()),
            dv == null ? "-" : Integer.toString(dv.sizeInBytes()),
            dv == null ? "-" : Long.toString(dv.cardinality()),
            fingerprint);
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(material.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A kept rewrite (locally: marked used), or null. */
  private TableFormat.Rewritten kept(String key, Path target, Path sidecar) {
    if (store == null) return keptLocally(target, sidecar);
    TableFormat.Rewritten r = known.getIfPresent(key);
    if (r != null) return r;
    try (java.io.InputStream in = store.open(prefix + "/" + key + ".json", 0, -1)) {
      JsonNode s = MAPPER.readTree(in.readNBytes(1 << 20));
      long size = s.path("size").asLong(-1);
      if (store.stat(prefix + "/" + key + ".parquet").size() != size) return null;
      r =
          new TableFormat.Rewritten(
              size, s.path("stats").isNull() ? null : s.path("stats").asText());
      known.put(key, r);
      return r;
    } catch (IOException | io.tablegate.spi.StorageException e) {
      return null; // not there (another instance's eviction, or never made): rewrite
    }
  }

  /**
   * Uploads a rewrite made in {@link #dir} to the store (data, then its sidecar); local copies go.
   */
  private TableFormat.Rewritten share(
      String key, Path target, Path sidecar, TableFormat.Rewritten r) {
    try {
      store.put(prefix + "/" + key + ".parquet", target);
      store.put(prefix + "/" + key + ".json", sidecar);
      total.addAndGet(-r.size()); // this instance's disk no longer holds it
      sharedTotal.addAndGet(r.size());
      return r;
    } finally {
      try {
        Files.deleteIfExists(target);
        Files.deleteIfExists(sidecar);
      } catch (IOException ignored) {
        // a later start removes it
      }
    }
  }

  /** Bytes this instance put into the store (and saw there at its first eviction). */
  private final AtomicLong sharedTotal = new AtomicLong();

  /**
   * Deletes the oldest rewrites in the store past the bound (never {@code keep}); the bound counts
   * what this instance wrote until it first lists the prefix.
   */
  private synchronized void evictShared(String keep) {
    if (sharedTotal.get() <= maxBytes) return;
    List<io.tablegate.spi.ObjectStore.ObjectInfo> files = new ArrayList<>();
    long sum = 0;
    try (var it = store.listFrom(prefix + "/")) {
      while (it.hasNext()) {
        var o = it.next();
        if (!o.location().endsWith(".parquet")) continue;
        files.add(o);
        sum += o.size();
      }
    } catch (io.tablegate.spi.StorageException e) {
      return;
    }
    sharedTotal.set(sum);
    files.sort(Comparator.comparingLong(io.tablegate.spi.ObjectStore.ObjectInfo::lastModified));
    long goal = maxBytes - maxBytes / 10;
    for (var o : files) {
      if (sharedTotal.get() <= goal) break;
      String loc = o.location();
      String k = loc.substring(loc.lastIndexOf('/') + 1, loc.length() - 8);
      if (k.equals(keep)) continue;
      try {
        store.delete(prefix + "/" + k + ".json");
        store.delete(loc);
        known.invalidate(k);
        sharedTotal.addAndGet(-o.size());
      } catch (io.tablegate.spi.StorageException ignored) {
        // another instance deleted it first
      }
    }
  }

  /** A kept rewrite in the local directory (and marks it used), or null. */
  private static TableFormat.Rewritten keptLocally(Path target, Path sidecar) {
    try {
      JsonNode s = MAPPER.readTree(Files.readAllBytes(sidecar));
      long size = s.path("size").asLong(-1);
      if (Files.size(target) != size) return null;
      Files.setLastModifiedTime(target, FileTime.fromMillis(System.currentTimeMillis()));
      return new TableFormat.Rewritten(
          size, s.path("stats").isNull() ? null : s.path("stats").asText());
    } catch (IOException e) {
      return null; // not there (or evicted meanwhile): rewrite
    }
  }

  private TableFormat.Rewritten rewrite(
      TableFormat format,
      TableSnapshot snapshot,
      DataFile file,
      TableFormat.Restriction restriction,
      Path target,
      Path sidecar) {
    Path tmp = dir.resolve("tmp-" + java.util.UUID.randomUUID() + ".parquet");
    long started = System.nanoTime();
    try {
      TableFormat.Rewritten r = format.rewrite(snapshot, file, restriction, tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      ObjectNode s = MAPPER.createObjectNode().put("size", r.size()).put("stats", r.stats());
      Path sideTmp = dir.resolve("tmp-" + java.util.UUID.randomUUID() + ".json");
      Files.write(sideTmp, MAPPER.writeValueAsBytes(s));
      Files.move(
          sideTmp, sidecar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      total.addAndGet(r.size());
      rewrittenBytes.add(r.size());
      LOGGER
          .atDebug()
          .addKeyValue("bytesIn", file.size())
          .addKeyValue("bytesOut", r.size())
          .addKeyValue(
              "deletedRows",
              file.deletionVector() == null ? 0 : file.deletionVector().cardinality())
          .addKeyValue("ms", (System.nanoTime() - started) / 1_000_000)
          .log("Rewrote a data file without its deleted rows");
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort; a later start removes it
      }
    }
  }

  /** Deletes the least recently used rewrites past the bound (never {@code keep}). */
  private synchronized void evict(Path keep) {
    if (total.get() <= maxBytes) return;
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .filter(p -> !p.getFileName().toString().startsWith("tmp-"))
          .forEach(files::add);
    } catch (IOException e) {
      return;
    }
    files.sort(Comparator.comparingLong(Rewrites::lastModified));
    long goal = maxBytes - maxBytes / 10;
    for (Path p : files) {
      if (total.get() <= goal) break;
      if (p.equals(keep)) continue;
      try {
        long size = Files.size(p);
        String name = p.getFileName().toString();
        Files.deleteIfExists(dir.resolve(name.substring(0, name.length() - 8) + ".json"));
        if (Files.deleteIfExists(p)) total.addAndGet(-size);
      } catch (IOException ignored) {
        // gone already
      }
    }
  }

  private static long lastModified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** The directory's bytes as this instance counts them. */
  long totalBytes() {
    return total.get();
  }
}
