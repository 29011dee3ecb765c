package io.tablegate.catalog;

/**
 * Durable storage of the live catalog (shares, recipients and tokens made through the admin API),
 * shared by every instance. Writes are compare-and-set on a version number, so two admins changing
 * the catalog at once cannot lose an update: the second write fails with {@link Conflict} and is
 * retried on the new state. Blocking; call it from a worker thread.
 */
public interface CatalogStore extends AutoCloseable {
  /**
   * The stored document and its version; version 0 and empty content when nothing was written yet.
   */
  record Stored(byte[] content, long version) {}

  Stored read();

  /** The current version, cheaply (no content). */
  long version();

  /**
   * Writes {@code content} as version {@code expectedVersion + 1} if the stored version is still
   * {@code expectedVersion}.
   */
  long write(byte[] content, long expectedVersion);

  @Override
  default void close() {}

  /** Another writer changed the catalog first. */
  final class Conflict extends RuntimeException {
    public Conflict(String message) {
      super(message);
    }
  }
}
