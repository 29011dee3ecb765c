package io.tablegate.format.iceberg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.IcebergExport;
import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.LocationProviders;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestWriter;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.LocationProvider;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.mapping.MappedField;
import org.apache.iceberg.mapping.MappedFields;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.mapping.NameMappingParser;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * A Delta snapshot as Iceberg metadata, written with Iceberg's own manifest writer and commit path
 * (a fast append of the manifests onto empty table metadata held in memory):
 *
 * <ul>
 *   <li>the schema with field ids from Delta column mapping ({@code delta.columnMapping.id}, and
 *       {@code delta.columnMapping.nested.ids} for array elements and map keys and values), or
 *       assigned by position (top-level fields 1..n, then nested ones) when the table has none;
 *       always with a name mapping ({@code schema.name-mapping.default}) from the Parquet column
 *       names (physical names under column mapping) to those ids, for files without field ids;
 *   <li>identity partitions on the Delta partition columns (their values live only in the file
 *       list, as for Iceberg tables migrated from Hive; Iceberg readers take them from the
 *       manifests);
 *   <li>per file: path, size, record count and metrics from the Delta stats (record count, null
 *       counts, and bounds only where Delta's are exact: numbers, dates, decimals; never truncated
 *       strings or millisecond timestamps), or from the Parquet footer when the stats are missing.
 * </ul>
 *
 * Files with deletion vectors are refused: Iceberg v2 readers would read the deleted rows.
 */
public final class DeltaAsIceberg implements IcebergExport {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Files per manifest: bounds the memory of one manifest writer and lets readers plan in parallel.
   */
  static final int FILES_PER_MANIFEST = 50_000;

  private final Function<String, ObjectStore> stores;

  public DeltaAsIceberg(Function<String, ObjectStore> stores) {
    this.stores = stores;
  }

  @Override
  public TableFormat.IcebergMetadata export(
      TableSnapshot snapshot,
      CloseableIterator<io.tablegate.spi.DataFile> files,
      String metadataDirectory,
      String tableUuid,
      Sink sink,
      Path work) {
    Mapped mapped = schema(snapshot.metadata());
    PartitionSpec spec = spec(mapped.schema, snapshot.metadata().partitionColumns());
    String dir = metadataDirectory.replaceAll("/+$", "");
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(TableProperties.DEFAULT_NAME_MAPPING, NameMappingParser.toJson(mapped.mapping));
    properties.put("tablegate.source-format", "delta");
    properties.put("tablegate.delta-version", Long.toString(snapshot.version()));
    properties.put(TableProperties.FORMAT_VERSION, "2");
    TableMetadata empty =
        TableMetadata.buildFromEmpty(2)
            .assignUUID(tableUuid)
            .setLocation(snapshot.location())
            .setCurrentSchema(mapped.schema, mapped.lastColumnId)
            .setDefaultPartitionSpec(spec)
            .setDefaultSortOrder(SortOrder.unsorted())
            .setProperties(properties)
            .build();
    SinkIO io = new SinkIO(sink, work);
    try {
      List<ManifestFile> manifests = new ArrayList<>();
      ManifestWriter<org.apache.iceberg.DataFile> writer = null;
      DataFiles.Builder builder = DataFiles.builder(spec);
      int inManifest = 0;
      try {
        while (files.hasNext()) {
          io.tablegate.spi.DataFile f = files.next();
          if (f.deletionVector() != null)
            throw SharingErrors.unsupported(
                "Table version "
                    + snapshot.version()
                    + " has files with deletion vectors, which Iceberg readers of the Iceberg REST"
                    + " face would not apply; read it with a Delta Sharing client.");
          if (writer == null) {
            writer =
                ManifestFiles.write(
                    2, spec, io.newOutputFile(dir + "/" + manifestName(manifests.size())), null);
          }
          writer.add(dataFile(builder, spec, mapped, f));
          if (++inManifest == FILES_PER_MANIFEST) {
            writer.close();
            manifests.add(writer.toManifestFile());
            writer = null;
            inManifest = 0;
          }
        }
        if (writer != null) {
          writer.close();
          manifests.add(writer.toManifestFile());
          writer = null;
        }
      } finally {
        if (writer != null) writer.close();
        files.close();
      }
      MemoryOps ops = new MemoryOps(empty, io, dir);
      AppendFiles append = new BaseTable(ops, "delta").newFastAppend();
      manifests.forEach(append::appendManifest);
      append.set("tablegate.delta-version", Long.toString(snapshot.version()));
      append.commit();
      String json = TableMetadataParser.toJson(ops.current());
      Path local = work.resolve("metadata-" + java.util.UUID.randomUUID() + ".json");
      Files.writeString(local, json);
      try {
        sink.put(dir + "/" + METADATA_FILE, local);
      } finally {
        Files.deleteIfExists(local);
      }
      return new TableFormat.IcebergMetadata(dir + "/" + METADATA_FILE, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      io.cleanUp();
    }
  }

  private static String manifestName(int n) {
    return "manifest-" + n + "-" + java.util.UUID.randomUUID() + ".avro";
  }

  // ---- data files -------------------------------------------------------------------------------

  /**
   * One manifest entry. {@code b} is reused for every file: its partition tuple (whose Avro schema
   * Iceberg derives when it is created, a fifth of the time per file) is created once.
   */
  private org.apache.iceberg.DataFile dataFile(
      DataFiles.Builder b, PartitionSpec spec, Mapped mapped, io.tablegate.spi.DataFile f) {
    b.clear();
    b.withPath(icebergPath(f.location()))
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(f.size());
    if (spec.isPartitioned()) b.withPartition(partition(spec, mapped, f.partitionValues()));
    Metrics metrics = metrics(mapped, f.stats());
    if (metrics == null) metrics = footerMetrics(mapped, f);
    return b.withMetrics(metrics).build();
  }

  /**
   * A data file's location as Iceberg file paths are written: not a URI but the object's own name
   * ({@code s3://bucket/key} with the key as stored, {@code file:/path} with the path as on disk);
   * the gateway's locations are URIs, escaped as Delta logs escape them.
   */
  static String icebergPath(String location) {
    try {
      java.net.URI uri = new java.net.URI(location);
      if (uri.getScheme() == null) return location;
      if ("file".equals(uri.getScheme())) return "file:" + uri.getPath();
      return uri.getScheme() + "://" + uri.getAuthority() + uri.getPath();
    } catch (java.net.URISyntaxException e) {
      return location;
    }
  }

  private static StructLike partition(
      PartitionSpec spec, Mapped mapped, Map<String, String> values) {
    Object[] out = new Object[spec.fields().size()];
    for (int i = 0; i < out.length; i++) {
      Types.NestedField source = mapped.schema.findField(spec.fields().get(i).sourceId());
      String physical = mapped.physicalNames.get(source.fieldId());
      String raw = values.containsKey(physical) ? values.get(physical) : values.get(source.name());
      out[i] = partitionValue(source, raw);
    }
    return new Row(out);
  }

  /** A Delta partition value (a string) as Iceberg's Java value for an identity partition. */
  static Object partitionValue(Types.NestedField field, String raw) {
    Type type = field.type();
    if (raw == null || (raw.isEmpty() && type.typeId() != Type.TypeID.STRING)) return null;
    try {
      return switch (type.typeId()) {
        case BOOLEAN -> Boolean.parseBoolean(raw);
        case INTEGER -> Integer.parseInt(raw);
        case LONG -> Long.parseLong(raw);
        case FLOAT -> Float.parseFloat(raw);
        case DOUBLE -> Double.parseDouble(raw);
        case DATE -> (int) LocalDate.parse(raw).toEpochDay();
        case TIMESTAMP -> timestampMicros(raw);
        case DECIMAL -> new BigDecimal(raw).setScale(((Types.DecimalType) type).scale());
        case STRING -> raw;
        case BINARY -> ByteBuffer.wrap(raw.getBytes(StandardCharsets.UTF_8));
        default -> throw new IllegalArgumentException("type " + type);
      };
    } catch (RuntimeException e) {
      throw SharingErrors.unsupported(
          "Partition column '"
              + field.name()
              + "' has a value Iceberg readers cannot be given ("
              + type
              + "); read the table with a Delta Sharing client.");
    }
  }

  /**
   * Delta's timestamp partition values: {@code yyyy-MM-dd HH:mm:ss[.SSSSSS]} (UTC, as Delta readers
   * take them) or ISO-8601 with an offset.
   */
  static long timestampMicros(String raw) {
    String iso = raw.replace(' ', 'T');
    LocalDateTime t;
    try {
      t = OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    } catch (DateTimeParseException e) {
      t = LocalDateTime.parse(iso);
    }
    return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), t);
  }

  /** Metrics from the Delta stats JSON; null when they lack the record count. */
  private static Metrics metrics(Mapped mapped, String stats) {
    if (stats == null || stats.isEmpty()) return null;
    JsonNode s;
    try {
      s = MAPPER.readTree(stats);
    } catch (IOException e) {
      return null;
    }
    if (s == null || !s.path("numRecords").canConvertToLong()) return null;
    long records = s.get("numRecords").asLong();
    Map<Integer, Long> nulls = new HashMap<>();
    Map<Integer, ByteBuffer> lower = new HashMap<>();
    Map<Integer, ByteBuffer> upper = new HashMap<>();
    for (Types.NestedField field : mapped.schema.columns()) {
      if (!field.type().isPrimitiveType()) continue;
      String name = mapped.physicalNames.get(field.fieldId());
      JsonNode n = s.path("nullCount").path(name);
      if (n.canConvertToLong()) nulls.put(field.fieldId(), n.asLong());
      ByteBuffer lo = bound(field.type(), s.path("minValues").path(name));
      ByteBuffer hi = bound(field.type(), s.path("maxValues").path(name));
      // both or neither: a lone bound from a partial stats object is still correct, but keep it
      // simple for readers that expect pairs
      if (lo != null && hi != null) {
        lower.put(field.fieldId(), lo);
        upper.put(field.fieldId(), hi);
      }
    }
    return new Metrics(records, null, null, nulls, null, lower, upper);
  }

  /** An exact Delta bound as Iceberg's single-value serialization, or null when not exact. */
  private static ByteBuffer bound(Type type, JsonNode v) {
    if (v == null || v.isMissingNode() || v.isNull()) return null;
    try {
      Object value =
          switch (type.typeId()) {
            case INTEGER -> v.isIntegralNumber() && v.canConvertToInt() ? v.asInt() : null;
            case LONG -> v.isIntegralNumber() && v.canConvertToLong() ? v.asLong() : null;
            case FLOAT -> v.isNumber() ? (float) v.asDouble() : null;
            case DOUBLE -> v.isNumber() ? v.asDouble() : null;
            case DATE -> v.isTextual() ? (int) LocalDate.parse(v.asText()).toEpochDay() : null;
            case DECIMAL ->
                v.isNumber() || v.isTextual()
                    ? new BigDecimal(v.asText()).setScale(((Types.DecimalType) type).scale())
                    : null;
            // strings are truncated by Delta writers, timestamps kept to milliseconds: not bounds
            default -> null;
          };
      if (value instanceof Float x && x.isNaN()) return null;
      if (value instanceof Double x && x.isNaN()) return null;
      return value == null ? null : Conversions.toByteBuffer(type, value);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Metrics read from the file's Parquet footer (files written without Delta stats). */
  private Metrics footerMetrics(Mapped mapped, io.tablegate.spi.DataFile f) {
    InputFile in;
    String location = f.location();
    if (location.startsWith("file:") || location.startsWith("/")) {
      in =
          org.apache.iceberg.Files.localInput(
              Path.of(java.net.URI.create(fileUri(location))).toFile());
    } else {
      in = new ObjectStoreIcebergIO(stores).newInputFile(location, f.size());
    }
    return ParquetUtil.fileMetrics(in, MetricsConfig.getDefault(), mapped.mapping);
  }

  private static String fileUri(String location) {
    if (location.startsWith("file:")) return location;
    return "file://" + location;
  }

  // ---- schema -----------------------------------------------------------------------------------

  /** The Iceberg schema, its name mapping, and each field's Parquet (physical) name by id. */
  record Mapped(
      Schema schema, NameMapping mapping, Map<Integer, String> physicalNames, int lastColumnId) {}

  static Mapped schema(io.tablegate.protocol.TableMetadata metadata) {
    JsonNode root;
    try {
      root = MAPPER.readTree(metadata.schemaString());
    } catch (IOException e) {
      throw SharingErrors.unsupported("The table's schema cannot be read");
    }
    String mode = metadata.configuration().getOrDefault("delta.columnMapping.mode", "none");
    boolean columnMapping = !"none".equals(mode);
    Ids ids = new Ids(columnMapping ? maxColumnId(root, metadata) : 0);
    Map<Integer, String> physical = new ConcurrentHashMap<>();
    List<MappedField> mapping = new ArrayList<>();
    Types.StructType struct = struct(root, "", columnMapping, ids, physical, mapping, true);
    // Delta writers may leave the change data feed's _change_type column in data files; readers
    // ignore it. Mapped to an id no column has, so readers that require every file column to be
    // mapped (pyiceberg) read those files too.
    if (struct.field("_change_type") == null && !physical.containsValue("_change_type"))
      mapping.add(MappedField.of(ids.next(), "_change_type"));
    return new Mapped(
        new Schema(struct.fields()),
        NameMapping.of(MappedFields.of(mapping)),
        Map.copyOf(physical),
        ids.last);
  }

  /** Hands out field ids: column mapping's own, or new ones after the highest in use. */
  private static final class Ids {
    int last;

    Ids(int start) {
      last = start;
    }

    int next() {
      return ++last;
    }
  }

  private static int maxColumnId(JsonNode root, io.tablegate.protocol.TableMetadata metadata) {
    int[] max = {0};
    String configured = metadata.configuration().get("delta.columnMapping.maxColumnId");
    if (configured != null) {
      try {
        max[0] = Integer.parseInt(configured);
      } catch (NumberFormatException e) {
        // scanned below
      }
    }
    root.findValues("delta.columnMapping.id").forEach(v -> max[0] = Math.max(max[0], v.asInt()));
    root.findValues("delta.columnMapping.nested.ids")
        .forEach(v -> v.forEach(id -> max[0] = Math.max(max[0], id.asInt())));
    return max[0];
  }

  /**
   * A Delta struct. Top-level fields without column mapping take ids 1..n before any nested field
   * (so adding a nested field never renumbers a top-level column).
   */
  private static Types.StructType struct(
      JsonNode node,
      String path,
      boolean columnMapping,
      Ids ids,
      Map<Integer, String> physical,
      List<MappedField> mapping,
      boolean topLevel) {
    JsonNode fields = node.path("fields");
    int[] fieldIds = new int[fields.size()];
    String[] names = new String[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      JsonNode f = fields.get(i);
      JsonNode meta = f.path("metadata");
      if (columnMapping && meta.path("delta.columnMapping.id").canConvertToInt()) {
        fieldIds[i] = meta.get("delta.columnMapping.id").asInt();
        names[i] = meta.path("delta.columnMapping.physicalName").asText(f.path("name").asText());
      } else {
        fieldIds[i] = ids.next();
        names[i] = f.path("name").asText();
      }
    }
    List<Types.NestedField> out = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      JsonNode f = fields.get(i);
      String name = f.path("name").asText();
      String fieldPath = path.isEmpty() ? name : path + "." + name;
      List<MappedField> children = new ArrayList<>();
      Type type =
          type(
              f.path("type"),
              fieldPath,
              names[i],
              f.path("metadata").path("delta.columnMapping.nested.ids"),
              columnMapping,
              ids,
              physical,
              children);
      physical.put(fieldIds[i], names[i]);
      mapping.add(
          children.isEmpty()
              ? MappedField.of(fieldIds[i], names[i])
              : MappedField.of(fieldIds[i], names[i], MappedFields.of(children)));
      boolean nullable = f.path("nullable").asBoolean(true);
      out.add(
          nullable
              ? Types.NestedField.optional(fieldIds[i], name, type)
              : Types.NestedField.required(fieldIds[i], name, type));
    }
    return Types.StructType.of(out);
  }

  private static Type type(
      JsonNode t,
      String path,
      String physicalPath,
      JsonNode nestedIds,
      boolean columnMapping,
      Ids ids,
      Map<Integer, String> physical,
      List<MappedField> children) {
    if (t.isTextual()) return primitive(t.asText(), path);
    String kind = t.path("type").asText();
    switch (kind) {
      case "struct":
        return struct(t, path, columnMapping, ids, physical, children, false);
      case "array":
        {
          int elementId = nestedId(nestedIds, physicalPath + ".element", ids);
          List<MappedField> grand = new ArrayList<>();
          Type element =
              type(
                  t.path("elementType"),
                  path + ".element",
                  physicalPath + ".element",
                  nestedIds,
                  columnMapping,
                  ids,
                  physical,
                  grand);
          children.add(mapped(elementId, "element", grand));
          return t.path("containsNull").asBoolean(true)
              ? Types.ListType.ofOptional(elementId, element)
              : Types.ListType.ofRequired(elementId, element);
        }
      case "map":
        {
          int keyId = nestedId(nestedIds, physicalPath + ".key", ids);
          int valueId = nestedId(nestedIds, physicalPath + ".value", ids);
          List<MappedField> keyChildren = new ArrayList<>();
          List<MappedField> valueChildren = new ArrayList<>();
          Type key =
              type(
                  t.path("keyType"),
                  path + ".key",
                  physicalPath + ".key",
                  nestedIds,
                  columnMapping,
                  ids,
                  physical,
                  keyChildren);
          Type value =
              type(
                  t.path("valueType"),
                  path + ".value",
                  physicalPath + ".value",
                  nestedIds,
                  columnMapping,
                  ids,
                  physical,
                  valueChildren);
          children.add(mapped(keyId, "key", keyChildren));
          children.add(mapped(valueId, "value", valueChildren));
          return t.path("valueContainsNull").asBoolean(true)
              ? Types.MapType.ofOptional(keyId, valueId, key, value)
              : Types.MapType.ofRequired(keyId, valueId, key, value);
        }
      default:
        throw unsupportedType(path, kind);
    }
  }

  private static MappedField mapped(int id, String name, List<MappedField> children) {
    return children.isEmpty()
        ? MappedField.of(id, name)
        : MappedField.of(id, name, MappedFields.of(children));
  }

  private static int nestedId(JsonNode nestedIds, String key, Ids ids) {
    JsonNode v = nestedIds.path(key);
    return v.canConvertToInt() ? v.asInt() : ids.next();
  }

  private static Type primitive(String name, String path) {
    switch (name) {
      case "boolean":
        return Types.BooleanType.get();
      case "byte":
      case "short":
      case "integer":
        return Types.IntegerType.get();
      case "long":
        return Types.LongType.get();
      case "float":
        return Types.FloatType.get();
      case "double":
        return Types.DoubleType.get();
      case "date":
        return Types.DateType.get();
      case "timestamp":
        return Types.TimestampType.withZone();
      case "timestamp_ntz":
        return Types.TimestampType.withoutZone();
      case "string":
        return Types.StringType.get();
      case "binary":
        return Types.BinaryType.get();
      default:
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("decimal\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)")
                .matcher(name);
        if (m.matches())
          return Types.DecimalType.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        throw unsupportedType(path, name);
    }
  }

  private static RuntimeException unsupportedType(String path, String type) {
    return SharingErrors.unsupported(
        "Column '"
            + path
            + "' has Delta type "
            + type
            + ", which Iceberg has not; read the table with a Delta Sharing client.");
  }

  static PartitionSpec spec(Schema schema, List<String> partitionColumns) {
    if (partitionColumns.isEmpty()) return PartitionSpec.unpartitioned();
    PartitionSpec.Builder b = PartitionSpec.builderFor(schema);
    for (String c : partitionColumns) {
      Types.NestedField field = schema.caseInsensitiveFindField(c);
      if (field == null)
        throw SharingErrors.unsupported("Partition column '" + c + "' is not in the schema");
      b.identity(field.name());
    }
    return b.build();
  }

  // ---- Iceberg plumbing -------------------------------------------------------------------------

  /** A partition tuple. */
  private record Row(Object[] values) implements StructLike {
    @Override
    public int size() {
      return values.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      return javaClass.cast(values[pos]);
    }

    @Override
    public <T> void set(int pos, T value) {
      values[pos] = value;
    }
  }

  /**
   * Writes go to local files in the work directory and are published through the sink when closed;
   * reads of what was written come from those local files.
   */
  private static final class SinkIO implements FileIO {
    private final Sink sink;
    private final Path work;
    private final Map<String, Path> written = new ConcurrentHashMap<>();

    SinkIO(Sink sink, Path work) {
      this.sink = sink;
      this.work = work;
    }

    @Override
    public InputFile newInputFile(String path) {
      Path local = written.get(path);
      if (local == null)
        throw new org.apache.iceberg.exceptions.NotFoundException("Not written here: %s", path);
      return org.apache.iceberg.Files.localInput(local.toFile());
    }

    @Override
    public OutputFile newOutputFile(String path) {
      Path local = work.resolve("iceberg-" + java.util.UUID.randomUUID());
      OutputFile file = org.apache.iceberg.Files.localOutput(local.toFile());
      return new OutputFile() {
        @Override
        public PositionOutputStream create() {
          return published(file.create());
        }

        @Override
        public PositionOutputStream createOrOverwrite() {
          return published(file.createOrOverwrite());
        }

        private PositionOutputStream published(PositionOutputStream out) {
          return new PositionOutputStream() {
            private boolean closed;

            @Override
            public long getPos() throws IOException {
              return out.getPos();
            }

            @Override
            public void write(int b) throws IOException {
              out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
              out.flush();
            }

            @Override
            public void close() throws IOException {
              if (closed) return;
              closed = true;
              out.close();
              written.put(path, local);
              sink.put(path, local);
            }
          };
        }

        @Override
        public String location() {
          return path;
        }

        @Override
        public InputFile toInputFile() {
          return org.apache.iceberg.Files.localInput(local.toFile());
        }
      };
    }

    @Override
    public void deleteFile(String path) {
      Path local = written.remove(path);
      try {
        if (local != null) Files.deleteIfExists(local);
      } catch (IOException e) {
        // a leftover in the work directory
      }
    }

    void cleanUp() {
      for (Path p : written.values()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // a leftover in the work directory
        }
      }
      written.clear();
    }
  }

  /** Table operations over metadata in memory: the one commit is kept, never written as a table. */
  private static final class MemoryOps implements TableOperations {
    private TableMetadata current;
    private final FileIO io;
    private final String dir;

    MemoryOps(TableMetadata current, FileIO io, String dir) {
      this.current = current;
      this.io = io;
      this.dir = dir;
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
    public void commit(TableMetadata base, TableMetadata metadata) {
      if (base != current)
        throw new org.apache.iceberg.exceptions.CommitFailedException("concurrent commit");
      current = metadata;
    }

    @Override
    public FileIO io() {
      return io;
    }

    @Override
    public String metadataFileLocation(String fileName) {
      return dir + "/" + fileName;
    }

    @Override
    public LocationProvider locationProvider() {
      return LocationProviders.locationsFor(current.location(), current.properties());
    }
  }
}
