package io.tablegate.app;

import io.tablegate.catalog.CatalogStore;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingException;
import io.tablegate.spi.StorageException;
import io.tablegate.storage.s3.S3Store;
import java.util.Map;

/**
 * The live catalog as one object in the object store (the durable, replicated system of record on
 * premises), so instances need no shared disk. The version is the object's user metadata
 * {@code tablegate-version}; a write is a conditional PUT: {@code If-Match} the ETag of the version it
 * read, or {@code If-None-Match: *} for the first one, so the store itself refuses a lost update (Ceph
 * RGW, MinIO and AWS S3 honour both; a store that ignored them would let a concurrent write win).
 * Other instances learn of a change through Redis when configured, else by polling the object's
 * metadata. A store outage keeps the last catalog served; admin writes then fail with 503.
 */
final class ObjectStoreCatalogStore implements CatalogStore {
  static final String VERSION = "tablegate-version";
  private final S3Store store;
  private final String location;

  ObjectStoreCatalogStore(S3Store store, String location) {
    this.store = store;
    this.location = location;
  }

  @Override
  public Stored read() {
    S3Store.Document d = guarded(() -> store.readDocument(location));
    return d == null ? new Stored(new byte[0], 0) : new Stored(d.content(), version(d));
  }

  @Override
  public long version() {
    S3Store.Document d = guarded(() -> store.headDocument(location));
    return d == null ? 0 : version(d);
  }

  /** A store failure as the admin API's error: 503 while the store is unavailable (the last catalog still serves). */
  private static <T> T guarded(java.util.function.Supplier<T> op) {
    try {
      return op.get();
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.UNAVAILABLE) {
        throw new SharingException(ErrorCode.TEMPORARILY_UNAVAILABLE,
            "The live catalog's object store is unavailable; recipients are served the last catalog read. Retry later.", e);
      }
      throw new SharingException(ErrorCode.INTERNAL_ERROR, "The live catalog's object store refused the request: " + e.getMessage(), e);
    }
  }

  @Override
  public long write(byte[] content, long expectedVersion) {
    S3Store.Document current = guarded(() -> store.headDocument(location));
    long stored = current == null ? 0 : version(current);
    if (stored != expectedVersion) throw new Conflict("The catalog is at version " + stored + ", not " + expectedVersion);
    long next = expectedVersion + 1;
    if (!guarded(() -> store.writeDocumentIf(location, content, Map.of(VERSION, Long.toString(next)), current == null ? null : current.etag()))) {
      throw new Conflict("Another instance wrote the catalog first");
    }
    return next;
  }

  private long version(S3Store.Document d) {
    String v = d.metadata() == null ? null : d.metadata().get(VERSION);
    if (v == null) {
      throw new StorageException(StorageException.Kind.FAILED, "The catalog object " + location + " has no " + VERSION + " metadata", null);
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new StorageException(StorageException.Kind.FAILED, "The catalog object " + location + " has a bad " + VERSION, e);
    }
  }
}
