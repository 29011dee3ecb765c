package io.tablegate.format.iceberg;

import io.tablegate.protocol.DeletionVector;
import io.tablegate.protocol.RowFilter;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.TableFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.roaringbitmap.RoaringBitmap;

/**
 * An Iceberg data file rewritten without its deleted rows (the position deletes the scan turned
 * into an inline deletion vector) and without what a recipient policy leaves out: read and written
 * with Iceberg's generic Parquet reader and writer, stats from the written file's metrics.
 */
final class IcebergRewrites {
  private IcebergRewrites() {}

  static TableFormat.Rewritten rewrite(
      Table t, Schema schema, DataFile file, TableFormat.Restriction restriction, Path target) {
    Positions deleted = positions(file.deletionVector());
    List<Types.NestedField> keptFields = new ArrayList<>();
    for (Types.NestedField f : schema.columns()) {
      if (restriction.columns() == null
          || restriction.columns().stream().anyMatch(c -> c.equalsIgnoreCase(f.name())))
        keptFields.add(f);
    }
    Schema kept = new Schema(keptFields);
    RowFilter rows = restriction.rows();
    org.apache.iceberg.DataFile written;
    Parquet.ReadBuilder read =
        Parquet.read(t.io().newInputFile(file.location()))
            .project(schema)
            .createReaderFunc(fs -> GenericParquetReaders.buildReader(schema, fs));
    // files written without field ids (add_files, migrated tables) are read by the name mapping
    org.apache.iceberg.mapping.NameMapping mapping = IcebergTableFormat.nameMapping(t);
    if (mapping != null) read.withNameMapping(mapping);
    try (CloseableIterable<Record> in = read.build()) {
      DataWriter<Record> out =
          Parquet.writeData(org.apache.iceberg.Files.localOutput(target.toFile()))
              .schema(kept)
              .createWriterFunc(GenericParquetWriter::create)
              // a row group is buffered in memory until written: keep each rewrite's buffer small
              .set(org.apache.iceberg.TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, "16777216")
              .withSpec(PartitionSpec.unpartitioned())
              .overwrite()
              .build();
      try (out) {
        long position = 0;
        for (Record r : in) {
          long p = position++;
          if (deleted.contains(p)) continue;
          if (rows != null && !rows.test(c -> value(r, schema, c))) continue;
          GenericRecord k = GenericRecord.create(kept);
          for (Types.NestedField f : keptFields) k.setField(f.name(), r.getField(f.name()));
          out.write(k);
        }
      }
      written = out.toDataFile();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TableFormat.Rewritten(
        target.toFile().length(),
        IcebergTableFormat.stats(kept, written, false, MetricsConfig.forTable(t)));
  }

  /** A column's value as {@link RowFilter} compares it (by name, case-insensitively). */
  private static Object value(Record r, Schema schema, String column) {
    for (Types.NestedField f : schema.columns()) {
      if (!f.name().equalsIgnoreCase(column)) continue;
      Object v = r.getField(f.name());
      if (v instanceof java.time.OffsetDateTime odt) return odt.toInstant();
      if (v instanceof CharSequence cs) return cs.toString();
      return v;
    }
    return null;
  }

  /** Deleted row positions. */
  private interface Positions {
    boolean contains(long position);
  }

  /**
   * The positions of an inline deletion vector (Z85 of the 64-bit portable Roaring bitmap after a
   * 4-byte magic), none for no vector.
   */
  private static Positions positions(DeletionVector dv) {
    if (dv == null) return p -> false;
    if (!"i".equals(dv.storageType()))
      throw new IllegalStateException("Iceberg deletes are inline deletion vectors");
    byte[] payload = IcebergDeletes.z85Decode(dv.pathOrInlineDv(), dv.sizeInBytes());
    ByteBuffer buf = ByteBuffer.wrap(payload, 4, payload.length - 4).order(ByteOrder.LITTLE_ENDIAN);
    long count = buf.getLong();
    java.util.Map<Integer, RoaringBitmap> bitmaps = new java.util.HashMap<>();
    try {
      for (long i = 0; i < count; i++) {
        int key = buf.getInt();
        RoaringBitmap b = new RoaringBitmap();
        b.deserialize(buf.slice().order(ByteOrder.LITTLE_ENDIAN));
        buf.position(buf.position() + b.serializedSizeInBytes());
        bitmaps.put(key, b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p -> {
      RoaringBitmap b = bitmaps.get((int) (p >>> 32));
      return b != null && b.contains((int) p);
    };
  }
}
