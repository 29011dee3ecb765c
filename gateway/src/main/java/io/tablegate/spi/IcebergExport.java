package io.tablegate.spi;

/**
 * Iceberg metadata generated for a table that is not an Iceberg table (a Delta table as the Iceberg
 * REST face serves it): manifests listing the snapshot's data files where they are, a manifest list
 * and the table metadata, so an Iceberg client reads the Delta table's own Parquet files in place.
 * Blocking: call it from the {@code table-io} pool.
 */
public interface IcebergExport {
  /** Where the generated files go: {@code put} publishes a finished local file at a location. */
  interface Sink {
    void put(String location, java.nio.file.Path file);
  }

  /** The metadata file's name in the metadata directory; written last, after what it names. */
  String METADATA_FILE = "metadata.json";

  /**
   * Writes the manifests and the manifest list describing {@code files} (every active file of
   * {@code snapshot}), then the table metadata ({@value #METADATA_FILE}), under {@code
   * metadataDirectory} through {@code sink}, using {@code work} (an existing local directory) for
   * the files being written. Refuses (UNSUPPORTED_OPERATION) what an Iceberg reader would read
   * wrongly: files with deletion vectors, types Iceberg has not.
   *
   * @param tableUuid the table's Iceberg UUID: the same for every version of one table
   */
  TableFormat.IcebergMetadata export(
      TableSnapshot snapshot,
      CloseableIterator<DataFile> files,
      String metadataDirectory,
      String tableUuid,
      Sink sink,
      java.nio.file.Path work);
}
