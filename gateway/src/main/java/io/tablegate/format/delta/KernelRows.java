package io.tablegate.format.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.data.ScanStateRow;
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
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.FileStatus;
import io.tablegate.spi.CloseableIterator;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * A snapshot's rows through Kernel's own read path: scan files, Parquet batches, then {@link
 * Scan#transformPhysicalData} (deletion vectors, partition values, column mapping). One file and
 * one batch are open at a time; closing stops the read.
 */
final class KernelRows implements CloseableIterator<Object[]> {
  private final Engine engine;
  private final Row scanState;
  private final StructType physical;
  private final io.delta.kernel.utils.CloseableIterator<FilteredColumnarBatch> scanFiles;
  private io.delta.kernel.utils.CloseableIterator<Row> fileRows;
  private io.delta.kernel.utils.CloseableIterator<FilteredColumnarBatch> logical;
  private ColumnarBatch batch;
  private Optional<ColumnVector> selection = Optional.empty();
  private int row;
  private Object[] next;
  private boolean closed;

  KernelRows(Engine engine, SnapshotImpl snapshot) {
    this.engine = engine;
    Scan scan = snapshot.getScanBuilder().build();
    this.scanState = scan.getScanState(engine);
    this.physical = ScanStateRow.getPhysicalDataReadSchema(scanState);
    this.scanFiles = scan.getScanFiles(engine);
  }

  @Override
  public boolean hasNext() {
    if (next != null) return true;
    if (closed) return false;
    try {
      while (true) {
        if (batch != null) {
          while (row < batch.getSize()) {
            int r = row++;
            if (selection.isPresent()
                && (selection.get().isNullAt(r) || !selection.get().getBoolean(r))) continue;
            next = row(batch, r);
            return true;
          }
          batch = null;
        }
        if (logical != null && logical.hasNext()) {
          FilteredColumnarBatch b = logical.next();
          batch = b.getData();
          selection = b.getSelectionVector();
          row = 0;
          continue;
        }
        closeQuietly(logical);
        logical = null;
        if (fileRows != null && fileRows.hasNext()) {
          Row fileRow = fileRows.next();
          FileStatus status = InternalScanFileUtils.getAddFileStatus(fileRow);
          io.delta.kernel.utils.CloseableIterator<ColumnarBatch> data =
              engine
                  .getParquetHandler()
                  .readParquetFiles(
                      Utils.singletonCloseableIterator(status), physical, Optional.empty())
                  .map(FileReadResult::getData);
          logical = Scan.transformPhysicalData(engine, scanState, fileRow, data);
          continue;
        }
        closeQuietly(fileRows);
        fileRows = null;
        if (!scanFiles.hasNext()) {
          close();
          return false;
        }
        fileRows = scanFiles.next().getRows();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public Object[] next() {
    if (!hasNext()) throw new NoSuchElementException();
    Object[] r = next;
    next = null;
    return r;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    closeQuietly(logical);
    closeQuietly(fileRows);
    closeQuietly(scanFiles);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) return;
    try {
      c.close();
    } catch (Exception ignored) {
      // nothing left to read from it
    }
  }

  private static Object[] row(ColumnarBatch batch, int r) {
    StructType schema = batch.getSchema();
    Object[] out = new Object[schema.length()];
    for (int c = 0; c < out.length; c++) out[c] = value(batch.getColumnVector(c), r);
    return out;
  }

  /** One value as plain Java (see {@link io.tablegate.spi.TableFormat#rows}). */
  static Object value(ColumnVector v, int r) {
    if (v.isNullAt(r)) return null;
    DataType t = v.getDataType();
    if (t instanceof StructType s) {
      Object[] out = new Object[s.length()];
      for (int i = 0; i < out.length; i++) out[i] = value(v.getChild(i), r);
      return out;
    }
    if (t instanceof ArrayType) {
      ArrayValue a = v.getArray(r);
      List<Object> out = new ArrayList<>(a.getSize());
      for (int i = 0; i < a.getSize(); i++) out.add(value(a.getElements(), i));
      return out;
    }
    if (t instanceof MapType) {
      MapValue m = v.getMap(r);
      Map<Object, Object> out = new LinkedHashMap<>();
      for (int i = 0; i < m.getSize(); i++) out.put(value(m.getKeys(), i), value(m.getValues(), i));
      return out;
    }
    if (t instanceof BooleanType) return v.getBoolean(r);
    if (t instanceof ByteType) return v.getByte(r);
    if (t instanceof ShortType) return v.getShort(r);
    if (t instanceof IntegerType) return v.getInt(r);
    if (t instanceof DateType) return LocalDate.ofEpochDay(v.getInt(r));
    if (t instanceof LongType) return v.getLong(r);
    if (t instanceof TimestampType) return micros(v.getLong(r));
    if (t instanceof TimestampNTZType)
      return LocalDateTime.ofInstant(micros(v.getLong(r)), ZoneOffset.UTC);
    if (t instanceof FloatType) return v.getFloat(r);
    if (t instanceof DoubleType) return v.getDouble(r);
    if (t instanceof DecimalType) return v.getDecimal(r);
    if (t instanceof StringType) return v.getString(r);
    if (t instanceof BinaryType) return v.getBinary(r);
    throw new IllegalStateException("unsupported column type " + t);
  }

  private static Instant micros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
