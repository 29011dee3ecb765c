package io.tablegate.format.delta;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.defaults.internal.data.DefaultColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.internal.util.Utils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.roaringbitmap.RoaringBitmap;

/**
 * Writes small Delta tables by hand: Parquet data through Kernel's Parquet writer (with stats),
 * and {@code _delta_log} commits as JSON written here, so that any action (remove, cdc, deletion
 * vectors, metadata changes) can be produced. For the demo share and test fixtures; not a general
 * writer (no conflict detection).
 */
public final class DeltaTableWriter {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A column: {@code type} is one of long, integer, string, double, boolean, date, timestamp. */
  public record ColumnSpec(String name, String type) {}

  /** A written data file: its path relative to the table root, and what an add action needs. */
  public record FileRef(String path, long size, Map<String, String> partitionValues, String stats, long numRecords) {}

  /** A written deletion vector, as its descriptor fields. */
  public record DvRef(String storageType, String pathOrInlineDv, Integer offset, int sizeInBytes, long cardinality) {}

  private final Path root;
  private final Engine engine = DefaultEngine.create(new Configuration());
  private final StructType schema;
  private final List<String> partitionColumns;
  private final String tableId = UUID.randomUUID().toString();

  public DeltaTableWriter(Path root, List<ColumnSpec> columns, List<String> partitionColumns) {
    this.root = root.toAbsolutePath();
    StructType s = new StructType();
    for (ColumnSpec c : columns) s = s.add(c.name(), type(c.type()), true);
    this.schema = s;
    this.partitionColumns = List.copyOf(partitionColumns);
  }

  private static DataType type(String t) {
    return switch (t) {
      case "long" -> LongType.LONG;
      case "integer" -> IntegerType.INTEGER;
      case "string" -> StringType.STRING;
      case "double" -> DoubleType.DOUBLE;
      case "boolean" -> BooleanType.BOOLEAN;
      case "date" -> DateType.DATE;
      case "timestamp" -> TimestampType.TIMESTAMP;
      default -> throw new IllegalArgumentException("Unsupported column type: " + t);
    };
  }

  public String schemaString() {
    return schema.toJson();
  }

  /** The protocol and metaData actions of a new table. */
  public List<String> createActions(Map<String, String> configuration, int minReader, int minWriter, List<String> readerFeatures,
      List<String> writerFeatures) {
    ObjectNode protocol = MAPPER.createObjectNode();
    ObjectNode p = protocol.putObject("protocol");
    p.put("minReaderVersion", minReader);
    p.put("minWriterVersion", minWriter);
    if (readerFeatures != null) readerFeatures.forEach(p.putArray("readerFeatures")::add);
    if (writerFeatures != null) writerFeatures.forEach(p.putArray("writerFeatures")::add);
    return List.of(protocol.toString(), metadataAction(configuration, schema.toJson()));
  }

  public String metadataAction(Map<String, String> configuration, String schemaString) {
    ObjectNode metadata = MAPPER.createObjectNode();
    ObjectNode m = metadata.putObject("metaData");
    m.put("id", tableId);
    m.putObject("format").put("provider", "parquet").putObject("options");
    m.put("schemaString", schemaString);
    ArrayNode pcs = m.putArray("partitionColumns");
    partitionColumns.forEach(pcs::add);
    ObjectNode conf = m.putObject("configuration");
    configuration.forEach(conf::put);
    m.put("createdTime", System.currentTimeMillis());
    return metadata.toString();
  }

  /** Writes rows (all with the same partition values) as one Parquet file. */
  public FileRef writeFile(List<Object[]> rows) {
    Map<String, String> partitionValues = new LinkedHashMap<>();
    StructType dataSchema = new StructType();
    List<Integer> dataColumns = new ArrayList<>();
    for (int i = 0; i < schema.length(); i++) {
      StructField f = schema.at(i);
      if (partitionColumns.contains(f.getName())) {
        Object v = rows.get(0)[i];
        partitionValues.put(f.getName(), v == null ? null : v.toString());
      } else {
        dataSchema = dataSchema.add(f);
        dataColumns.add(i);
      }
    }
    ColumnVector[] vectors = new ColumnVector[dataColumns.size()];
    for (int c = 0; c < dataColumns.size(); c++) {
      Object[] values = new Object[rows.size()];
      for (int r = 0; r < rows.size(); r++) values[r] = rows.get(r)[dataColumns.get(c)];
      vectors[c] = new ValueVector(dataSchema.at(c).getDataType(), values);
    }
    String dir = root.toString();
    StringBuilder relativeDir = new StringBuilder();
    for (Map.Entry<String, String> e : partitionValues.entrySet()) {
      relativeDir.append(e.getKey()).append('=').append(e.getValue() == null ? "__HIVE_DEFAULT_PARTITION__" : e.getValue()).append('/');
    }
    dir = root.resolve(relativeDir.toString()).toString();
    FilteredColumnarBatch batch = new FilteredColumnarBatch(new DefaultColumnarBatch(rows.size(), dataSchema, vectors), Optional.empty());
    List<Column> statsColumns = new ArrayList<>();
    for (StructField f : dataSchema.fields()) statsColumns.add(new Column(f.getName()));
    try (CloseableIterator<DataFileStatus> written = engine.getParquetHandler()
        .writeParquetFiles(dir, Utils.singletonCloseableIterator(batch), statsColumns)) {
      DataFileStatus status = written.next();
      String name = new org.apache.hadoop.fs.Path(status.getPath()).getName();
      String stats = status.getStatistics().map(s -> s.serializeAsJson(schema)).orElse(null);
      return new FileRef(relativeDir + name, status.getSize(), partitionValues, stats, rows.size());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String add(FileRef f, long modificationTime, DvRef dv) {
    ObjectNode a = MAPPER.createObjectNode();
    ObjectNode add = a.putObject("add");
    fileFields(add, f);
    add.put("modificationTime", modificationTime);
    add.put("dataChange", true);
    if (f.stats() != null) add.put("stats", f.stats());
    if (dv != null) dv(add, dv);
    return a.toString();
  }

  public static String remove(FileRef f, long deletionTimestamp, boolean dataChange) {
    ObjectNode a = MAPPER.createObjectNode();
    ObjectNode remove = a.putObject("remove");
    remove.put("path", encodePath(f.path()));
    remove.put("deletionTimestamp", deletionTimestamp);
    remove.put("dataChange", dataChange);
    remove.put("extendedFileMetadata", true);
    ObjectNode pv = remove.putObject("partitionValues");
    f.partitionValues().forEach(pv::put);
    remove.put("size", f.size());
    return a.toString();
  }

  public static String cdc(FileRef f) {
    ObjectNode a = MAPPER.createObjectNode();
    ObjectNode cdc = a.putObject("cdc");
    fileFields(cdc, f);
    cdc.put("dataChange", false);
    return a.toString();
  }

  public static String commitInfo(String operation, long timestamp) {
    ObjectNode a = MAPPER.createObjectNode();
    a.putObject("commitInfo").put("timestamp", timestamp).put("operation", operation).put("engineInfo", "Tablegate-DeltaTableWriter");
    return a.toString();
  }

  private static void fileFields(ObjectNode n, FileRef f) {
    n.put("path", encodePath(f.path()));
    ObjectNode pv = n.putObject("partitionValues");
    f.partitionValues().forEach(pv::put);
    n.put("size", f.size());
  }

  private static String encodePath(String path) {
    try {
      return new URI(null, null, path, null).getRawPath();
    } catch (Exception e) {
      throw new IllegalArgumentException("Invalid path " + path, e);
    }
  }

  private static void dv(ObjectNode add, DvRef dv) {
    ObjectNode d = add.putObject("deletionVector");
    d.put("storageType", dv.storageType());
    d.put("pathOrInlineDv", dv.pathOrInlineDv());
    if (dv.offset() != null) d.put("offset", dv.offset());
    d.put("sizeInBytes", dv.sizeInBytes());
    d.put("cardinality", dv.cardinality());
  }

  /** Writes commit {@code version} with the given action lines; its file time is the commit time. */
  public void commit(long version, List<String> actions, Instant commitTime) {
    Path log = root.resolve("_delta_log");
    try {
      Files.createDirectories(log);
      Path file = log.resolve(String.format("%020d.json", version));
      if (Files.exists(file)) throw new IllegalStateException("Version " + version + " already exists at " + root);
      Files.writeString(file, String.join("\n", actions) + "\n", StandardCharsets.UTF_8);
      Files.setLastModifiedTime(file, FileTime.from(commitTime));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a classic checkpoint of {@code version} and {@code _last_checkpoint}. */
  public void checkpoint(long version) {
    try {
      Table.forPath(engine, root.toUri().toString()).checkpoint(engine, version);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot checkpoint version " + version + " of " + root, e);
    }
  }

  /** Writes an on-disk deletion vector (storage type {@code u}) marking {@code rows} deleted. */
  public DvRef writeDeletionVector(long... rows) {
    byte[] bitmap = serializeBitmap(rows);
    UUID uuid = UUID.randomUUID();
    Path file = root.resolve("deletion_vector_" + uuid + ".bin");
    CRC32 crc = new CRC32();
    crc.update(bitmap);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1); // format version
    out.writeBytes(ByteBuffer.allocate(4).putInt(bitmap.length).array());
    out.writeBytes(bitmap);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    try {
      Files.write(file, out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new DvRef("u", io.delta.kernel.internal.deletionvectors.Base85Codec.encodeUUID(uuid), 1, bitmap.length, rows.length);
  }

  /** Magic number, then the 64-bit portable RoaringBitmapArray format (all positions below 2^32 here). */
  private static byte[] serializeBitmap(long... rows) {
    RoaringBitmap rb = new RoaringBitmap();
    for (long r : rows) rb.add((int) r);
    rb.runOptimize();
    ByteBuffer buf = ByteBuffer.allocate(4 + 8 + 4 + rb.serializedSizeInBytes()).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(1681511377);
    buf.putLong(1);
    buf.putInt(0);
    rb.serialize(buf);
    return buf.array();
  }

}
