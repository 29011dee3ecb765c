package io.tablegate.format.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.defaults.engine.hadoopio.HadoopFileIO;
import io.delta.kernel.defaults.internal.parquet.ParquetFileWriter;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.deletionvectors.DeletionVectorUtils;
import io.delta.kernel.internal.deletionvectors.RoaringBitmapArray;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import io.tablegate.protocol.DeletionVector;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.TableFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * A data file rewritten without the rows its deletion vector deletes: read with Kernel's Parquet
 * reader in the file's physical schema (data columns only), the deletion vector as each batch's
 * selection, and written with Kernel's Parquet file writer as one file with stats.
 */
final class KernelRewrites {
  /** Row groups of rewritten files (parquet's default, 128 MB, is held in memory per writer). */
  static final long ROW_GROUP_BYTES = 16L << 20;

  /** Local files without Hadoop's checksum side files. */
  private static final HadoopFileIO LOCAL = new HadoopFileIO(rawLocal());

  private static Configuration rawLocal() {
    Configuration conf = new Configuration();
    conf.setClass(
        "fs.file.impl",
        org.apache.hadoop.fs.RawLocalFileSystem.class,
        org.apache.hadoop.fs.FileSystem.class);
    conf.setBoolean("fs.file.impl.disable.cache", true);
    // a row group is buffered in memory until written: keep each rewrite's buffer small
    conf.setLong("parquet.block.size", ROW_GROUP_BYTES);
    return conf;
  }

  private KernelRewrites() {}

  static TableFormat.Rewritten rewrite(
      Engine engine,
      SnapshotImpl snapshot,
      String tableRoot,
      DataFile file,
      TableFormat.Restriction restriction,
      Path target)
      throws IOException {
    Scan scan = snapshot.getScanBuilder().build();
    StructType physical =
        dataColumns(ScanStateRow.getPhysicalDataReadSchema(scan.getScanState(engine)));
    // a column-mapped table's files name columns physically; policies and readers name them
    // logically
    java.util.Map<String, String> toPhysical = new java.util.HashMap<>();
    java.util.Map<String, String> toLogical = new java.util.HashMap<>();
    for (StructField f : snapshot.getSchema().fields()) {
      Object p = f.getMetadata().get("delta.columnMapping.physicalName");
      String name = p == null ? f.getName() : p.toString();
      toPhysical.put(f.getName().toLowerCase(java.util.Locale.ROOT), name);
      toLogical.put(name, f.getName());
    }
    List<String> columns =
        restriction.columns() == null
            ? null
            : restriction.columns().stream()
                .map(c -> toPhysical.getOrDefault(c.toLowerCase(java.util.Locale.ROOT), c))
                .toList();
    StructType kept = kept(physical, columns);
    StructType written = restriction.logicalNames() ? renamed(kept, toLogical) : kept;
    RoaringBitmapArray deleted = deletedRows(engine, tableRoot, file.deletionVector());
    io.tablegate.protocol.RowFilter rows = restriction.rows();
    FileStatus status = FileStatus.of(file.location(), file.size(), file.modificationTime());
    CloseableIterator<ColumnarBatch> batches =
        engine
            .getParquetHandler()
            .readParquetFiles(Utils.singletonCloseableIterator(status), physical, Optional.empty())
            .map(FileReadResult::getData);
    long[] position = {0};
    CloseableIterator<FilteredColumnarBatch> out =
        batches.map(
            b -> {
              long base = position[0];
              position[0] += b.getSize();
              ColumnarBatch projected = project(b, physical, kept);
              return new FilteredColumnarBatch(
                  written == kept ? projected : renamed(projected, written),
                  Optional.of(selection(deleted, rows, b, base, toPhysical)));
            });
    DataFileStatus result;
    try (CloseableIterator<DataFileStatus> w =
        ParquetFileWriter.singleFileWriter(
                LOCAL, target.toUri().toString(), false, statsColumns(written))
            .write(out)) {
      result = w.next();
    }
    String stats = result.getStatistics().map(s -> s.serializeAsJson(written)).orElse(null);
    return new TableFormat.Rewritten(result.getSize(), stats);
  }

  /** The columns a rewrite keeps (all when {@code columns} is null), in the file's order. */
  private static StructType kept(StructType physical, List<String> columns) {
    if (columns == null) return physical;
    StructType out = new StructType();
    for (StructField f : physical.fields())
      if (columns.stream().anyMatch(c -> c.equalsIgnoreCase(f.getName()))) out = out.add(f);
    return out;
  }

  /** The top-level fields under their logical names (no column-mapping metadata). */
  private static StructType renamed(StructType physical, java.util.Map<String, String> toLogical) {
    StructType out = new StructType();
    for (StructField f : physical.fields())
      out =
          out.add(
              toLogical.getOrDefault(f.getName(), f.getName()), f.getDataType(), f.isNullable());
    return out;
  }

  /** The batch under another schema of the same columns (top-level names only differ). */
  private static ColumnarBatch renamed(ColumnarBatch b, StructType schema) {
    return new ColumnarBatch() {
      @Override
      public StructType getSchema() {
        return schema;
      }

      @Override
      public ColumnVector getColumnVector(int ordinal) {
        return b.getColumnVector(ordinal);
      }

      @Override
      public int getSize() {
        return b.getSize();
      }
    };
  }

  /** A batch with only the kept columns. */
  private static ColumnarBatch project(ColumnarBatch b, StructType physical, StructType kept) {
    if (kept.length() == physical.length()) return b;
    ColumnarBatch out = b;
    for (int i = physical.length() - 1; i >= 0; i--) {
      String name = physical.at(i).getName();
      if (kept.fields().stream().noneMatch(f -> f.getName().equals(name)))
        out = out.withDeletedColumnAt(i);
    }
    return out;
  }

  /** The deleted row positions of a file's deletion vector (an empty set for none). */
  private static RoaringBitmapArray deletedRows(
      Engine engine, String tableRoot, DeletionVector dv) {
    if (dv == null) return new RoaringBitmapArray();
    DeletionVectorDescriptor descriptor =
        new DeletionVectorDescriptor(
            dv.storageType(),
            dv.pathOrInlineDv(),
            Optional.ofNullable(dv.offset()),
            dv.sizeInBytes(),
            dv.cardinality());
    return DeletionVectorUtils.loadNewDvAndBitmap(engine, tableRoot, descriptor)._2;
  }

  /** The schema without Kernel's metadata columns (a row index it may add for deletion vectors). */
  private static StructType dataColumns(StructType schema) {
    StructType out = new StructType();
    for (StructField f : schema.fields()) if (!f.isMetadataColumn()) out = out.add(f);
    return out;
  }

  /** Every primitive column, nested in structs too: the columns Delta keeps stats on. */
  private static List<Column> statsColumns(StructType schema) {
    List<Column> out = new ArrayList<>();
    addLeaves(schema, new String[0], out);
    return out;
  }

  private static void addLeaves(StructType struct, String[] parent, List<Column> out) {
    for (StructField f : struct.fields()) {
      String[] path = java.util.Arrays.copyOf(parent, parent.length + 1);
      path[parent.length] = f.getName();
      DataType t = f.getDataType();
      if (t instanceof StructType s) addLeaves(s, path, out);
      else if (!(t instanceof ArrayType) && !(t instanceof MapType)) out.add(new Column(path));
    }
  }

  /**
   * Rows {@code base..base+size} of the file: selected unless deleted or refused by {@code rows}
   * (evaluated on the batch's values, before columns are left out).
   */
  private static ColumnVector selection(
      RoaringBitmapArray deleted,
      io.tablegate.protocol.RowFilter rows,
      ColumnarBatch batch,
      long base,
      java.util.Map<String, String> toPhysical) {
    int size = batch.getSize();
    boolean[] keep = new boolean[size];
    StructType schema = batch.getSchema();
    for (int r = 0; r < size; r++) {
      if (deleted.contains(base + r)) continue;
      if (rows != null) {
        final int row = r;
        keep[r] =
            rows.test(
                logical -> {
                  String column =
                      toPhysical.getOrDefault(logical.toLowerCase(java.util.Locale.ROOT), logical);
                  int i = schema.indexOf(column);
                  if (i < 0) {
                    for (int k = 0; k < schema.length(); k++)
                      if (schema.at(k).getName().equalsIgnoreCase(column)) i = k;
                  }
                  return i < 0 ? null : KernelRows.value(batch.getColumnVector(i), row);
                });
      } else keep[r] = true;
    }
    return new ColumnVector() {
      @Override
      public DataType getDataType() {
        return BooleanType.BOOLEAN;
      }

      @Override
      public int getSize() {
        return size;
      }

      @Override
      public void close() {}

      @Override
      public boolean isNullAt(int rowId) {
        return false;
      }

      @Override
      public boolean getBoolean(int rowId) {
        return keep[rowId];
      }
    };
  }
}
