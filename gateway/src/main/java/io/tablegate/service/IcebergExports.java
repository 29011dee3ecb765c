package io.tablegate.service;

import io.tablegate.protocol.SharingErrors;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.IcebergExport;
import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.StorageException;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * Delta tables as the Iceberg REST face serves them: Iceberg metadata generated per (table,
 * version) by an {@link IcebergExport}, kept where Iceberg clients read it. For tables in an object
 * store that is the rewrite prefix ({@code rewrites.location}, shared by every instance: an
 * instance finds another's metadata there instead of generating it again); for local tables the
 * local rewrite directory. Everything of one table is under one directory ({@link #root}), so the
 * face signs reads of it for that table's readers only.
 */
public final class IcebergExports {
  private static final org.slf4j.Logger LOGGER =
      org.slf4j.LoggerFactory.getLogger(IcebergExports.class);

  /** Part of every directory name: a change to how metadata is generated makes new files. */
  static final String GENERATION = "2";

  /** Largest metadata file read back from the store (it holds one schema and one snapshot). */
  static final long MAX_METADATA_BYTES = 16L << 20;

  private final IcebergExport exporter;
  private final Path localDir;
  private final ObjectStore store;
  private final String prefix;
  private final com.github.benmanes.caffeine.cache.Cache<String, TableFormat.IcebergMetadata>
      generated =
          com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
              .maximumSize(10_000)
              .expireAfterAccess(java.time.Duration.ofHours(1))
              .build();

  /**
   * @param localDir where local tables' metadata is kept and files are written before they are
   *     published
   * @param store with {@code prefix} ({@code s3://bucket/prefix}): where metadata of tables in
   *     stores is kept; null when there is no such prefix (then only local tables are served)
   */
  public IcebergExports(IcebergExport exporter, Path localDir, ObjectStore store, String prefix) {
    this(exporter, localDir, store, prefix, GENERATION_WAIT_MILLIS);
  }

  IcebergExports(
      IcebergExport exporter, Path localDir, ObjectStore store, String prefix, long waitMillis) {
    this.turns =
        new Turns(
            MAX_CONCURRENT_GENERATIONS,
            waitMillis,
            "The gateway is generating Iceberg metadata for other tables; please retry later.",
            "The load was stopped while it waited to generate Iceberg metadata.");
    this.exporter = exporter;
    this.localDir = localDir.toAbsolutePath().normalize();
    this.store = store;
    this.prefix = prefix == null ? null : prefix.replaceAll("/+$", "");
  }

  /**
   * Generations running at once on this instance: each holds a table-io worker for as long as it
   * lists the version's files (seconds for a million), so their number bounds what Iceberg clients
   * can take from the sharing API's workers.
   */
  static final int MAX_CONCURRENT_GENERATIONS = 2;

  /** How long a load waits for a turn to generate before it is told to retry. */
  static final long GENERATION_WAIT_MILLIS = 120_000;

  private final Turns turns;
  private final KeyedLocks inProgress = new KeyedLocks();

  /** Whether a table whose files are in a store (true) or local (false) can be served. */
  boolean serves(boolean inStore) {
    return !inStore || store != null;
  }

  /**
   * The directory holding every generated version of the table at {@code tableLocation}: in the
   * store (an {@code s3://} location) or local (a {@code file:} URI).
   */
  String root(String tableLocation, boolean inStore) {
    String hash = sha256(tableLocation).substring(0, 32);
    if (inStore) return prefix + "/iceberg/" + hash;
    return localDir.resolve("iceberg").resolve(hash).toUri().toString().replaceAll("/+$", "");
  }

  /**
   * The Iceberg metadata of {@code snapshot}: generated once per (table, version) and kept; {@code
   * files} (every active file with stats) is only asked for when it is generated.
   */
  TableFormat.IcebergMetadata metadata(
      TableSnapshot snapshot, boolean inStore, Supplier<CloseableIterator<DataFile>> files) {
    if (!serves(inStore))
      throw SharingErrors.unsupported(
          "Delta tables in an object store are served to Iceberg clients only when the gateway has"
              + " a store prefix for the metadata it generates (rewrites.location); read this"
              + " table with a Delta Sharing client.");
    String dir = root(snapshot.location(), inStore) + "/v" + snapshot.version() + "-" + GENERATION;
    TableFormat.IcebergMetadata known = generated.getIfPresent(dir);
    if (known != null) return known;
    // one load per version generates, the others wait for it; never inside the cache's own compute,
    // which would hold loads of other tables that share its hash bin for the whole generation
    return inProgress.with(
        dir,
        () -> {
          TableFormat.IcebergMetadata m = generated.getIfPresent(dir);
          if (m != null) return m;
          m = readKept(dir, inStore);
          if (m == null) {
            Path work = localDir.resolve("iceberg-work");
            try {
              Files.createDirectories(work);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            m = turns.run(() -> generate(snapshot, inStore, files, dir, work));
          }
          generated.put(dir, m);
          return m;
        });
  }

  private TableFormat.IcebergMetadata generate(
      TableSnapshot snapshot,
      boolean inStore,
      Supplier<CloseableIterator<DataFile>> files,
      String d,
      Path work) {
    long started = System.nanoTime();
    String uuid =
        java.util
            .UUID
            .nameUUIDFromBytes(
                ("tablegate:" + snapshot.location()).getBytes(StandardCharsets.UTF_8))
            .toString();
    TableFormat.IcebergMetadata m =
        exporter.export(
            snapshot, files.get(), d, uuid, inStore ? store::put : IcebergExports::copyLocal, work);
    LOGGER
        .atInfo()
        .addKeyValue("version", snapshot.version())
        .addKeyValue("metadata", m.metadataLocation())
        .addKeyValue("ms", (System.nanoTime() - started) / 1_000_000)
        .log("Generated Iceberg metadata for a Delta table version");
    removeOlder(root(snapshot.location(), inStore), d, inStore);
    return m;
  }

  /**
   * How long generated metadata of a version other than the latest is kept: a reader that loaded
   * the table before a new version planned its scan from it.
   */
  static final long KEEP_OLDER_MILLIS = 3_600_000L;

  /**
   * Deletes the files of the table's other generated versions (and other generations) once they are
   * {@link #KEEP_OLDER_MILLIS} old, so a table's metadata takes the space of about one version.
   * Never fails the load that triggered it.
   */
  private void removeOlder(String root, String current, boolean inStore) {
    long cutoff = System.currentTimeMillis() - KEEP_OLDER_MILLIS;
    String keep = inStore ? SharingService.normalizeLocation(current) + "/" : current + "/";
    int removed = 0;
    try {
      if (inStore) {
        List<String> old = new java.util.ArrayList<>();
        try (CloseableIterator<ObjectStore.ObjectInfo> it = store.listTree(root)) {
          while (it.hasNext()) {
            ObjectStore.ObjectInfo o = it.next();
            String location = SharingService.normalizeLocation(o.location());
            if (location != null && !location.startsWith(keep) && o.lastModified() < cutoff)
              old.add(o.location());
          }
        }
        for (String location : old) {
          store.delete(location);
          removed++;
        }
      } else {
        Path rootPath = Path.of(java.net.URI.create(root));
        Path keepPath = Path.of(java.net.URI.create(current));
        if (!Files.isDirectory(rootPath)) return;
        try (java.util.stream.Stream<Path> files = Files.walk(rootPath)) {
          for (Path p : files.filter(Files::isRegularFile).toList()) {
            if (!p.startsWith(keepPath) && Files.getLastModifiedTime(p).toMillis() < cutoff) {
              Files.deleteIfExists(p);
              removed++;
            }
          }
        }
        try (java.util.stream.Stream<Path> dirs = Files.list(rootPath)) {
          for (Path dir : dirs.toList()) {
            try (java.util.stream.Stream<Path> left = Files.list(dir)) {
              if (!dir.equals(keepPath) && left.findAny().isEmpty()) Files.deleteIfExists(dir);
            }
          }
        }
      }
    } catch (RuntimeException | IOException e) {
      LOGGER
          .atWarn()
          .addKeyValue("error", e.getClass().getSimpleName())
          .log(
              "Could not remove older generated Iceberg metadata; it is retried on the next version");
      return;
    }
    if (removed > 0)
      LOGGER
          .atInfo()
          .addKeyValue("files", removed)
          .log("Removed generated Iceberg metadata of older versions");
  }

  /** Metadata of this version generated before (by this or another instance), or null. */
  private TableFormat.IcebergMetadata readKept(String dir, boolean inStore) {
    String location = dir + "/" + IcebergExport.METADATA_FILE;
    try {
      if (!inStore) {
        Path p = Path.of(java.net.URI.create(location));
        if (!Files.isRegularFile(p)) return null;
        return new TableFormat.IcebergMetadata(location, Files.readString(p));
      }
      ObjectStore.ObjectInfo info = store.stat(location);
      if (info.size() > MAX_METADATA_BYTES) return null;
      try (InputStream in = store.open(location, 0, -1)) {
        return new TableFormat.IcebergMetadata(
            location, new String(in.readNBytes((int) info.size()), StandardCharsets.UTF_8));
      }
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) return null;
      throw e;
    } catch (IOException e) {
      return null;
    }
  }

  private static void copyLocal(String location, Path file) {
    Path target = Path.of(java.net.URI.create(location));
    try {
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling("tmp-" + java.util.UUID.randomUUID());
      Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
