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
  /** Local files without Hadoop's checksum side files. */
  private static final HadoopFileIO LOCAL = new HadoopFileIO(rawLocal());

  private static Configuration rawLocal() {
    Configuration conf = new Configuration();
    conf.setClass(
        "fs.file.impl",
        org.apache.hadoop.fs.RawLocalFileSystem.class,
        org.apache.hadoop.fs.FileSystem.class);
    conf.setBoolean("fs.file.impl.disable.cache", true);
    return conf;
  }

  private KernelRewrites() {}

  static TableFormat.Rewritten rewrite(
      Engine engine, SnapshotImpl snapshot, String tableRoot, DataFile file, Path target)
      throws IOException {
    Scan scan = snapshot.getScanBuilder().build();
    StructType physical =
        dataColumns(ScanStateRow.getPhysicalDataReadSchema(scan.getScanState(engine)));
    RoaringBitmapArray deleted = deletedRows(engine, tableRoot, file.deletionVector());
    FileStatus status = FileStatus.of(file.location(), file.size(), file.modificationTime());
    CloseableIterator<ColumnarBatch> batches =
        engine
            .getParquetHandler()
            .readParquetFiles(Utils.singletonCloseableIterator(status), physical, Optional.empty())
            .map(FileReadResult::getData);
    long[] position = {0};
    CloseableIterator<FilteredColumnarBatch> kept =
        batches.map(
            b -> {
              long base = position[0];
              position[0] += b.getSize();
              return new FilteredColumnarBatch(
                  b, Optional.of(selection(deleted, base, b.getSize())));
            });
    DataFileStatus written;
    try (CloseableIterator<DataFileStatus> out =
        ParquetFileWriter.singleFileWriter(
                LOCAL, target.toUri().toString(), false, statsColumns(physical))
            .write(kept)) {
      written = out.next();
    }
    String stats = written.getStatistics().map(s -> s.serializeAsJson(physical)).orElse(null);
    return new TableFormat.Rewritten(written.getSize(), stats);
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

  /** Rows {@code base..base+size} of the file: selected unless deleted. */
  private static ColumnVector selection(RoaringBitmapArray deleted, long base, int size) {
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
        return !deleted.contains(base + rowId);
      }
    };
  }
}
