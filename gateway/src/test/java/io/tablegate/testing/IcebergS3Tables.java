package io.tablegate.testing;

import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.LocationProviders;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;

/**
 * Iceberg tables written into s3proxy by Iceberg itself ({@link S3FileIO}), in the layout of a
 * Hadoop catalog: {@code metadata/vN.metadata.json} plus {@code metadata/version-hint.text}, as Spark's
 * HadoopCatalog writes them over s3a.
 */
public final class IcebergS3Tables {
  private IcebergS3Tables() {}

  public static S3FileIO io(S3Harness s3) {
    S3FileIO io = new S3FileIO();
    io.initialize(Map.of("s3.endpoint", s3.endpoint(), "s3.path-style-access", "true", "s3.access-key-id", S3Harness.ACCESS_KEY,
        "s3.secret-access-key", S3Harness.SECRET_KEY, "client.region", "us-east-1", "http-client.type", "urlconnection"));
    return io;
  }

  /** Creates a format-v2 table at {@code location} ({@code s3://bucket/prefix}). */
  public static Table create(FileIO io, String location, Schema schema, PartitionSpec spec) {
    HadoopStyleOperations ops = new HadoopStyleOperations(io, location);
    TableMetadata metadata = TableMetadata.newTableMetadata(schema, spec, SortOrder.unsorted(), location, Map.of("format-version", "2"));
    ops.commit(null, metadata);
    return new BaseTable(ops, location);
  }

  /** Commits write the next {@code vN.metadata.json} and then the version hint. */
  private static final class HadoopStyleOperations implements TableOperations {
    private final FileIO io;
    private final String location;
    private TableMetadata current;
    private int version;

    HadoopStyleOperations(FileIO io, String location) {
      this.io = io;
      this.location = location;
    }

    @Override
    public TableMetadata current() {
      return current;
    }

    @Override
    public TableMetadata refresh() {
      return current;
    }

    @Override
    public synchronized void commit(TableMetadata base, TableMetadata metadata) {
      if (base != current) throw new CommitFailedException("Stale base metadata");
      int next = version + 1;
      String path = location + "/metadata/v" + next + ".metadata.json";
      TableMetadataParser.write(metadata, io.newOutputFile(path));
      try (var out = io.newOutputFile(location + "/metadata/version-hint.text").createOrOverwrite()) {
        out.write(Integer.toString(next).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      version = next;
      current = TableMetadataParser.read(io, path);
    }

    @Override
    public FileIO io() {
      return io;
    }

    @Override
    public String metadataFileLocation(String fileName) {
      return location + "/metadata/" + fileName;
    }

    @Override
    public LocationProvider locationProvider() {
      return LocationProviders.locationsFor(current.location(), current.properties());
    }

    @Override
    public TableOperations temp(TableMetadata uncommitted) {
      return this;
    }

    @Override
    public long newSnapshotId() {
      return UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE;
    }
  }
}
