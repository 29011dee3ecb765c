package io.tablegate.spi;

import java.io.InputStream;

/**
 * An object store seen as files: list, stat and ranged reads of {@code scheme://bucket/key}
 * locations. Blocking and thread-safe; call it from the {@code table-io} pool. Failures are {@link
 * StorageException}s; returned streams and iterators are closed by the caller.
 */
public interface ObjectStore extends AutoCloseable {
  /** An object: its location, size in bytes and last-modified time in epoch milliseconds. */
  record ObjectInfo(String location, long size, long lastModified) {}

  /**
   * The objects in the same "directory" as {@code location} whose names sort at or after its last
   * path segment (UTF-8 order), without descending into sub-directories.
   */
  CloseableIterator<ObjectInfo> listFrom(String location);

  /**
   * Every object under {@code prefixLocation} (a "directory", sub-directories included), in key
   * order; {@link StorageException.Kind#FAILED} when this store cannot list so.
   */
  default CloseableIterator<ObjectInfo> listTree(String prefixLocation) {
    throw new StorageException(StorageException.Kind.FAILED, "this store cannot list trees", null);
  }

  /** The object at {@code location}; {@link StorageException.Kind#NOT_FOUND} if there is none. */
  ObjectInfo stat(String location);

  /** Bytes {@code [offset, offset + length)} of an object; {@code length < 0} reads to the end. */
  InputStream open(String location, long offset, long length);

  /**
   * Writes the local file {@code file} as the object {@code location} (for the gateway's own
   * rewritten files); {@link StorageException.Kind#FAILED} when this store takes no writes.
   */
  default void put(String location, java.nio.file.Path file) {
    throw new StorageException(StorageException.Kind.FAILED, "this store takes no writes", null);
  }

  /**
   * Deletes the object {@code location} (the gateway's own rewritten files); no error if absent.
   */
  default void delete(String location) {
    throw new StorageException(StorageException.Kind.FAILED, "this store takes no deletes", null);
  }

  /** A presigned GET URL valid for {@code seconds}, built against the store's public endpoint. */
  UrlSigner.SignedUrl presign(String location, long seconds);

  /** Store credentials that expire, limited to reading one prefix (never the store's own keys). */
  record TemporaryCredentials(
      String accessKeyId, String secretAccessKey, String sessionToken, long expirationMillis) {
    @Override
    public String toString() {
      return "TemporaryCredentials[accessKeyId="
          + accessKeyId
          + ", expires="
          + expirationMillis
          + "]";
    }
  }

  /**
   * What a client needs beside credentials to reach this store (as Iceberg's S3FileIO names them:
   * {@code s3.endpoint}, {@code s3.path-style-access}, {@code client.region}; pyiceberg's {@code
   * s3.region}).
   */
  default java.util.Map<String, String> clientProperties() {
    return java.util.Map.of();
  }

  /**
   * Signs a client's read of one object of this store with the store's own credentials (SigV4
   * headers; the payload unsigned), for clients that sign remotely (Iceberg's S3 remote signing):
   * the headers to send, or {@link StorageException.Kind#FAILED} when this store cannot. The caller
   * has checked that the request reads an object it may read.
   */
  default java.util.Map<String, java.util.List<String>> signRead(
      String method,
      java.net.URI uri,
      java.util.Map<String, java.util.List<String>> headers,
      String region) {
    throw new StorageException(
        StorageException.Kind.FAILED, "this store does not sign requests", null);
  }

  /**
   * The {@code s3://bucket/key} location a client request URI of this store reads (path style, or
   * virtual-host style on the store's endpoint), or null when the URI is not one of this store's.
   */
  default String locationOf(java.net.URI uri) {
    return null;
  }

  /**
   * Read-only credentials for the objects under {@code prefixLocation}, valid for {@code seconds};
   * {@link StorageException.Kind#FAILED} when this store cannot issue them.
   */
  default TemporaryCredentials temporaryCredentials(String prefixLocation, long seconds) {
    return temporaryCredentials(java.util.List.of(prefixLocation), seconds);
  }

  /** Read-only credentials for the objects under any of {@code prefixLocations}. */
  default TemporaryCredentials temporaryCredentials(
      java.util.List<String> prefixLocations, long seconds) {
    throw new StorageException(
        StorageException.Kind.FAILED, "this store does not issue temporary credentials", null);
  }

  @Override
  default void close() {}
}
