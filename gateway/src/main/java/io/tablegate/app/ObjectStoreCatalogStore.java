package io.tablegate.app;

import io.tablegate.catalog.CatalogStore;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingException;
import io.tablegate.spi.StorageException;
import io.tablegate.storage.s3.S3Store;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live catalog in the object store (the durable, replicated system of record on premises), so
 * instances need no shared disk. Two ways to refuse a lost update, chosen by {@code
 * admin.catalogWrites}:
 *
 * <ul>
 *   <li><b>conditional</b>: one object; its version is the user metadata {@code tablegate-version};
 *       a write is a conditional PUT ({@code If-Match} the ETag it read, or {@code If-None-Match:
 *       *} for the first), so the store itself refuses the second of two writers (Ceph RGW, MinIO
 *       and AWS S3).
 *   <li><b>versioned</b>, for stores that ignore conditional writes but keep object versions:
 *       generation {@code N} of the catalog is the object {@code <key>.gen/<N, 20 digits>}. Two
 *       writers of the same generation both succeed as two versions of that object, and the store's
 *       version order decides: the <em>first</em> version is generation {@code N}; a writer whose
 *       version is not the first lost and retries on it. Readers read the first version of the
 *       newest generation, never a loser's. Old generations (all but the last {@link #KEEP}) are
 *       deleted.
 * </ul>
 *
 * {@code auto} probes the store once at start (a PUT whose {@code If-Match} cannot hold, to {@code
 * <key>.probe}): refused means conditional; accepted means versioned, which then needs bucket
 * versioning, or the gateway refuses to start with a message saying so. Other instances learn of a
 * change through Redis when configured, else by polling. A store outage keeps the last catalog
 * served; admin writes then fail with 503.
 */
final class ObjectStoreCatalogStore implements CatalogStore {
  private static final Logger LOGGER = LoggerFactory.getLogger(ObjectStoreCatalogStore.class);
  static final String VERSION = "tablegate-version";

  /** Generations kept behind the newest (readers that are a little behind still find theirs). */
  static final int KEEP = 16;

  private final S3Store store;
  private final String location;
  private final boolean versioned;

  ObjectStoreCatalogStore(S3Store store, String location, String writes) {
    this.store = store;
    this.location = location;
    this.versioned =
        switch (writes) {
          case "versioned" -> true;
          case "conditional" -> false;
          default -> !guarded(() -> store.refusesFailedPrecondition(location + ".probe"));
        };
    if (versioned) {
      if (!guarded(() -> store.versioningEnabled(location))) {
        throw new IllegalStateException(
            ("versioned".equals(writes)
                    ? "admin.catalogWrites is versioned, "
                    : "The store of " + location + " ignores conditional writes (If-Match), ")
                + "but the bucket has no versioning: enable versioning on it (the catalog then uses versioned generations), "
                + "or keep the catalog in a file (admin.catalogFile) on one node");
      }
      LOGGER
          .atInfo()
          .addKeyValue("catalog", location)
          .log("The live catalog uses versioned generations (first version wins)");
    }
  }

  boolean versioned() {
    return versioned;
  }

  @Override
  public Stored read() {
    if (versioned) return guarded(this::readGeneration);
    S3Store.Document d = guarded(() -> store.readDocument(location));
    return d == null ? new Stored(new byte[0], 0) : new Stored(d.content(), version(d));
  }

  @Override
  public long version() {
    if (versioned) return guarded(this::newestGeneration);
    S3Store.Document d = guarded(() -> store.headDocument(location));
    return d == null ? 0 : version(d);
  }

  @Override
  public long write(byte[] content, long expectedVersion) {
    if (versioned) return guarded(() -> writeGeneration(content, expectedVersion));
    S3Store.Document current = guarded(() -> store.headDocument(location));
    long stored = current == null ? 0 : version(current);
    if (stored != expectedVersion)
      throw new Conflict("The catalog is at version " + stored + ", not " + expectedVersion);
    long next = expectedVersion + 1;
    if (!guarded(
        () ->
            store.writeDocumentIf(
                location,
                content,
                Map.of(VERSION, Long.toString(next)),
                current == null ? null : current.etag()))) {
      throw new Conflict("Another instance wrote the catalog first");
    }
    return next;
  }

  // ---- versioned generations
  // ---------------------------------------------------------------------

  private String generation(long n) {
    return String.format("%s.gen/%020d", location, n);
  }

  /** The newest generation, 0 when none was written. */
  private long newestGeneration() {
    String prefix = location + ".gen/";
    List<String> keys = store.keysAfter(prefix, null);
    long newest = 0;
    for (String key : keys) {
      String n = key.substring(key.lastIndexOf('/') + 1);
      if (n.matches("\\d{20}")) newest = Math.max(newest, Long.parseLong(n));
    }
    return newest;
  }

  private Stored readGeneration() {
    long n = newestGeneration();
    if (n == 0) return new Stored(new byte[0], 0);
    S3Store.Document first = firstVersion(n);
    if (first == null)
      throw new StorageException(
          StorageException.Kind.FAILED, "Catalog generation " + n + " vanished while read", null);
    return new Stored(first.content(), n);
  }

  /** Generation {@code n} as its first writer wrote it. */
  private S3Store.Document firstVersion(long n) {
    List<S3Store.ObjectVersion> versions = store.versions(generation(n));
    if (versions.isEmpty()) return null;
    return store.readVersion(generation(n), versions.get(versions.size() - 1).versionId());
  }

  private long writeGeneration(byte[] content, long expectedVersion) {
    long newest = newestGeneration();
    if (newest != expectedVersion)
      throw new Conflict("The catalog is at generation " + newest + ", not " + expectedVersion);
    long next = expectedVersion + 1;
    String ours =
        store.putDocument(generation(next), content, Map.of(VERSION, Long.toString(next)));
    if (ours == null) {
      throw new StorageException(
          StorageException.Kind.FAILED,
          "The store gave no version id: bucket versioning is off for " + location,
          null);
    }
    List<S3Store.ObjectVersion> versions = store.versions(generation(next));
    if (versions.isEmpty() || !versions.get(versions.size() - 1).versionId().equals(ours)) {
      throw new Conflict("Another instance wrote catalog generation " + next + " first");
    }
    if (next > KEEP) {
      try {
        for (S3Store.ObjectVersion v : store.versions(generation(next - KEEP)))
          store.deleteVersion(generation(next - KEEP), v.versionId());
      } catch (StorageException e) {
        LOGGER
            .atDebug()
            .addKeyValue("cause", e.toString())
            .log("An old catalog generation stays (deleted with a later one)");
      }
    }
    return next;
  }

  // ---- both
  // --------------------------------------------------------------------------------------

  /**
   * A store failure as the admin API's error: 503 while the store is unavailable (the last catalog
   * still serves).
   */
  private static <T> T guarded(java.util.function.Supplier<T> op) {
    try {
      return op.get();
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.UNAVAILABLE) {
        throw new SharingException(
            ErrorCode.TEMPORARILY_UNAVAILABLE,
            "The live catalog's object store is unavailable; recipients are served the last catalog read. Retry later.",
            e);
      }
      throw new SharingException(
          ErrorCode.INTERNAL_ERROR,
          "The live catalog's object store refused the request: " + e.getMessage(),
          e);
    }
  }

  private long version(S3Store.Document d) {
    String v = d.metadata() == null ? null : d.metadata().get(VERSION);
    if (v == null) {
      throw new StorageException(
          StorageException.Kind.FAILED,
          "The catalog object " + location + " has no " + VERSION + " metadata",
          null);
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new StorageException(
          StorageException.Kind.FAILED,
          "The catalog object " + location + " has a bad " + VERSION,
          e);
    }
  }
}
