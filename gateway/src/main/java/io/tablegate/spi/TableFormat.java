package io.tablegate.spi;

import io.tablegate.protocol.SharingErrors;

/**
 * A table format (Delta, later Iceberg) seen as versions, snapshots and files. Synchronous and
 * blocking: callers run it on the {@code table-io} worker pool, never on an event loop. Every
 * returned iterator is owned and closed by the caller. Table-level failures are reported as {@link
 * io.tablegate.protocol.SharingException}s with messages safe for recipients.
 */
public interface TableFormat extends AutoCloseable {
  /** The latest committed version of the table at {@code location}. */
  long latestVersion(String location);

  /**
   * The snapshot at {@code version}; throws INVALID_PARAMETER_VALUE if that version cannot be
   * loaded.
   */
  TableSnapshot snapshot(String location, long version);

  /** The latest version committed at or before {@code epochMillis}. */
  long versionAtOrBefore(String location, long epochMillis);

  /** The earliest version committed at or after {@code epochMillis}. */
  long versionAtOrAfter(String location, long epochMillis);

  /** The snapshot's active data files, in a deterministic order. */
  CloseableIterator<DataFile> scan(TableSnapshot snapshot, boolean includeStats);

  /** Whether {@link #changes} is available (change data feed and startingVersion queries). */
  default boolean supportsChanges() {
    return false;
  }

  /** The actions of commits {@code startVersion..endVersion} inclusive, in commit order. */
  default CloseableIterator<ChangeRecord> changes(
      String location, long startVersion, long endVersion) {
    throw SharingErrors.unsupported("This table format does not support change queries");
  }

  /**
   * The rows of {@code snapshot} in its logical schema ({@code snapshot.metadata().schemaString()},
   * fields in order), with deleted rows dropped and partition values and column mapping applied,
   * read lazily: the caller stops (and closes) when it has enough. Values are plain Java: Boolean,
   * Byte, Short, Integer, Long, Float, Double, BigDecimal, String, byte[], LocalDate (date),
   * Instant (timestamp), LocalDateTime (timestamp_ntz), List (array), Map (map, in file order) and
   * Object[] (struct, fields in order); null for null.
   */
  default CloseableIterator<Object[]> rows(TableSnapshot snapshot) {
    throw SharingErrors.unsupported("This table format cannot read rows");
  }

  /** A data file rewritten as plain Parquet: its size in bytes and its Delta stats JSON. */
  record Rewritten(long size, String stats) {}

  /** Whether {@link #rewrite} is available. */
  default boolean rewritesFiles() {
    return false;
  }

  /**
   * What a rewrite keeps: the data columns {@code columns} (null: all) and the rows that pass
   * {@code rows} (null: all; partition columns already bound to the file's values).
   */
  record Restriction(
      java.util.List<String> columns, io.tablegate.protocol.RowFilter rows, boolean logicalNames) {
    public static final Restriction NONE = new Restriction(null, null, false);

    /** Nothing left out, but the columns written under their logical names. */
    public static final Restriction LOGICAL_NAMES = new Restriction(null, null, true);
  }

  /**
   * Writes {@code file} of {@code snapshot} to the local file {@code target} as a Parquet file
   * without the rows its deletion vector deletes and without what {@code restriction} leaves out:
   * the kept columns' names and types as in the data file (partition values stay in the file's
   * partition values), stats recomputed.
   */
  default Rewritten rewrite(
      TableSnapshot snapshot, DataFile file, Restriction restriction, java.nio.file.Path target) {
    throw SharingErrors.unsupported("This table format cannot rewrite data files");
  }

  /** An Iceberg table's own metadata: the JSON of its current metadata file, and where it is. */
  record IcebergMetadata(String metadataLocation, String json) {}

  /**
   * The table's own Iceberg metadata, for the Iceberg REST face, with only the snapshots of
   * versions {@code fromVersion} and later (and always the current one; {@code 0}: all, {@link
   * Long#MAX_VALUE}: the current only; when any is left out, so is the log of earlier metadata
   * files); empty when the table is not an Iceberg table.
   */
  default java.util.Optional<IcebergMetadata> icebergMetadata(String location, long fromVersion) {
    return java.util.Optional.empty();
  }

  @Override
  default void close() {}
}
