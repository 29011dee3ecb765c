package io.tablegate.format.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;

/**
 * Writes Iceberg tables in the layout of a Hadoop catalog ({@code metadata/vN.metadata.json} plus
 * {@code metadata/version-hint.text}) through any {@link FileIO}: for tests and the load-test table
 * generator, like {@code DeltaTableWriter} for Delta (the gateway itself never writes tables).
 * Single writer: commits are checked against the last one this object made.
 */
public final class HadoopLayoutTables {
  private HadoopLayoutTables() {}

  /** Creates a table at {@code location} (as its metadata will name it) with the given properties. */
  public static Table create(FileIO io, String location, Schema schema, PartitionSpec spec, Map<String, String> properties) {
    Operations ops = new Operations(io, location);
    ops.commit(null, TableMetadata.newTableMetadata(schema, spec, SortOrder.unsorted(), location, properties));
    return new BaseTable(ops, location);
  }

  private static final class Operations implements TableOperations {
    private final FileIO io;
    private final String location;
    private TableMetadata current;
    private int version;

    Operations(FileIO io, String location) {
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
        out.write(Integer.toString(next).getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
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
