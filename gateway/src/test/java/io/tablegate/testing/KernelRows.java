package io.tablegate.testing;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.types.DataTypeJsonSerDe;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/** Reads rows as canonical strings with Delta Kernel: whole tables, or plain Parquet files. */
public final class KernelRows {
  private static final Engine ENGINE = DefaultEngine.create(new Configuration());

  private KernelRows() {}

  /**
   * Every row of the latest snapshot of the Delta table at {@code root}, with DVs, partitions and
   * column mapping applied.
   */
  public static List<String> readTable(Path root) throws Exception {
    Snapshot snap = Table.forPath(ENGINE, root.toUri().toString()).getLatestSnapshot(ENGINE);
    Scan scan = snap.getScanBuilder().build();
    Row scanState = scan.getScanState(ENGINE);
    StructType physical = ScanStateRow.getPhysicalDataReadSchema(scanState);
    List<String> rows = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(ENGINE)) {
      while (files.hasNext()) {
        try (CloseableIterator<Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            Row fileRow = fileRows.next();
            FileStatus status = InternalScanFileUtils.getAddFileStatus(fileRow);
            CloseableIterator<ColumnarBatch> data =
                ENGINE
                    .getParquetHandler()
                    .readParquetFiles(
                        Utils.singletonCloseableIterator(status), physical, Optional.empty())
                    .map(FileReadResult::getData);
            try (CloseableIterator<FilteredColumnarBatch> logical =
                Scan.transformPhysicalData(ENGINE, scanState, fileRow, data)) {
              while (logical.hasNext()) collect(logical.next(), rows);
            }
          }
        }
      }
    }
    return rows;
  }

  /**
   * Rows of the plain Parquet files in {@code dir}, read with {@code schema} (names matched, not
   * field ids).
   */
  public static List<String> readParquetDir(Path dir, StructType schema) throws Exception {
    List<FileStatus> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList()) {
        files.add(FileStatus.of(p.toUri().toString(), Files.size(p), 0));
      }
    }
    List<String> rows = new ArrayList<>();
    StructType plain = (StructType) withoutMetadata(schema);
    try (CloseableIterator<FileReadResult> data =
        ENGINE
            .getParquetHandler()
            .readParquetFiles(
                Utils.toCloseableIterator(files.iterator()), plain, Optional.empty())) {
      while (data.hasNext())
        collect(new FilteredColumnarBatch(data.next().getData(), Optional.empty()), rows);
    }
    return rows;
  }

  /** The number of rows of a Parquet file, from its footer. */
  public static long countParquetRows(Path file) throws Exception {
    try (var reader =
        org.apache.parquet.hadoop.ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return reader.getRecordCount();
    }
  }

  public static StructType schema(String schemaJson) {
    return DataTypeJsonSerDe.deserializeStructType(schemaJson);
  }

  static DataType withoutMetadata(DataType t) {
    if (t instanceof StructType s) {
      StructType out = new StructType();
      for (StructField f : s.fields())
        out = out.add(f.getName(), withoutMetadata(f.getDataType()), f.isNullable());
      return out;
    }
    if (t instanceof ArrayType a)
      return new ArrayType(withoutMetadata(a.getElementType()), a.containsNull());
    if (t instanceof MapType m)
      return new MapType(
          withoutMetadata(m.getKeyType()),
          withoutMetadata(m.getValueType()),
          m.isValueContainsNull());
    return t;
  }

  private static void collect(FilteredColumnarBatch batch, List<String> rows) {
    ColumnarBatch data = batch.getData();
    Optional<ColumnVector> sel = batch.getSelectionVector();
    StructType schema = data.getSchema();
    for (int r = 0; r < data.getSize(); r++) {
      if (sel.isPresent() && (sel.get().isNullAt(r) || !sel.get().getBoolean(r))) continue;
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < schema.length(); c++) {
        if (c > 0) sb.append('|');
        sb.append(schema.at(c).getName()).append('=').append(value(data.getColumnVector(c), r));
      }
      rows.add(sb.toString());
    }
  }

  static String value(ColumnVector v, int r) {
    if (v.isNullAt(r)) return "null";
    DataType t = v.getDataType();
    if (t instanceof StructType s) {
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < s.length(); i++) {
        if (i > 0) sb.append(',');
        sb.append(s.at(i).getName()).append(':').append(value(v.getChild(i), r));
      }
      return sb.append('}').toString();
    }
    if (t instanceof ArrayType) {
      ArrayValue a = v.getArray(r);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < a.getSize(); i++) out.add(value(a.getElements(), i));
      return out.toString();
    }
    if (t instanceof MapType) {
      MapValue m = v.getMap(r);
      TreeMap<String, String> out = new TreeMap<>();
      for (int i = 0; i < m.getSize(); i++) out.put(value(m.getKeys(), i), value(m.getValues(), i));
      return out.toString();
    }
    if (t instanceof BooleanType) return Boolean.toString(v.getBoolean(r));
    if (t instanceof ByteType) return Byte.toString(v.getByte(r));
    if (t instanceof ShortType) return Short.toString(v.getShort(r));
    if (t instanceof IntegerType || t instanceof DateType) return Integer.toString(v.getInt(r));
    if (t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType)
      return Long.toString(v.getLong(r));
    if (t instanceof FloatType) return Float.toString(v.getFloat(r));
    if (t instanceof DoubleType) return Double.toString(v.getDouble(r));
    if (t instanceof DecimalType) return v.getDecimal(r).toPlainString();
    if (t instanceof StringType) return v.getString(r);
    if (t instanceof BinaryType) return HexFormat.of().formatHex(v.getBinary(r));
    return "?" + t;
  }
}
