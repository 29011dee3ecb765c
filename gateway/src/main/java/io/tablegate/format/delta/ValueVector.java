package io.tablegate.format.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.TimestampType;
import java.time.Instant;
import java.time.LocalDate;

/** A column vector over plain Java values, for writing small tables (demo data, test fixtures). */
final class ValueVector implements ColumnVector {
  private final DataType type;
  private final Object[] values;

  ValueVector(DataType type, Object[] values) {
    this.type = type;
    this.values = values;
  }

  @Override
  public DataType getDataType() {
    return type;
  }

  @Override
  public int getSize() {
    return values.length;
  }

  @Override
  public void close() {}

  @Override
  public boolean isNullAt(int rowId) {
    return values[rowId] == null;
  }

  @Override
  public boolean getBoolean(int rowId) {
    return (Boolean) values[rowId];
  }

  @Override
  public int getInt(int rowId) {
    Object v = values[rowId];
    if (type instanceof DateType) return (int) (v instanceof LocalDate d ? d.toEpochDay() : ((Number) v).longValue());
    return ((Number) v).intValue();
  }

  @Override
  public long getLong(int rowId) {
    Object v = values[rowId];
    if (type instanceof TimestampType && v instanceof Instant i) return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    return ((Number) v).longValue();
  }

  @Override
  public double getDouble(int rowId) {
    return ((Number) values[rowId]).doubleValue();
  }

  @Override
  public String getString(int rowId) {
    return (String) values[rowId];
  }
}
