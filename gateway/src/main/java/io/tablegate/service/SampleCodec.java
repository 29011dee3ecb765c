package io.tablegate.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows of a table (the plain values of {@link io.tablegate.spi.TableFormat#rows}) as an Arrow IPC
 * stream or as JSON, typed by the table's Delta schema JSON (Iceberg tables are described the same
 * way). Arrow buffers come from one bounded allocator for the whole process.
 */
public final class SampleCodec {
  public static final String ARROW_STREAM = "application/vnd.apache.arrow.stream";

  /** Every sample being encoded at once shares this much off-heap memory. */
  private static final long ARROW_MEMORY = 256L << 20;

  private static final RootAllocator ROOT = new RootAllocator(ARROW_MEMORY);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory JSON = new JsonFactory();
  private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),\\s*(\\d+)\\)");

  private SampleCodec() {}

  /** A table's rows and what they are. */
  public record Sample(long version, String schemaString, List<Object[]> rows, boolean truncated) {}

  /** The top-level column names of a Delta schema JSON string, in order. */
  public static List<String> columnNames(String schemaString) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : read(schemaString).path("fields")) out.add(f.path("name").asText());
    return out;
  }

  /** A row's value of a column by name (case-insensitive), or null when there is none. */
  static Object valueOf(List<String> names, Object[] row, String column) {
    for (int i = 0; i < names.size(); i++) if (names.get(i).equalsIgnoreCase(column)) return row[i];
    return null;
  }

  /** The Arrow schema of a Delta schema JSON string (field metadata kept as Arrow metadata). */
  public static Schema arrowSchema(String schemaString) {
    JsonNode root = read(schemaString);
    List<Field> fields = new ArrayList<>();
    for (JsonNode f : root.path("fields")) fields.add(field(f));
    return new Schema(fields);
  }

  private static JsonNode read(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Field field(JsonNode f) {
    return field(f.path("name").asText(), f.path("type"), f.path("nullable").asBoolean(true));
  }

  private static Field field(String name, JsonNode type, boolean nullable) {
    if (type.isObject()) {
      String kind = type.path("type").asText();
      switch (kind) {
        case "struct" -> {
          List<Field> children = new ArrayList<>();
          for (JsonNode c : type.path("fields")) children.add(field(c));
          return new Field(
              name, new FieldType(nullable, ArrowType.Struct.INSTANCE, null), children);
        }
        case "array" -> {
          Field element =
              field("element", type.path("elementType"), type.path("containsNull").asBoolean(true));
          return new Field(
              name, new FieldType(nullable, ArrowType.List.INSTANCE, null), List.of(element));
        }
        case "map" -> {
          Field key = field(MapVector.KEY_NAME, type.path("keyType"), false);
          Field value =
              field(
                  MapVector.VALUE_NAME,
                  type.path("valueType"),
                  type.path("valueContainsNull").asBoolean(true));
          Field entries =
              new Field(
                  MapVector.DATA_VECTOR_NAME,
                  new FieldType(false, ArrowType.Struct.INSTANCE, null),
                  List.of(key, value));
          return new Field(
              name, new FieldType(nullable, new ArrowType.Map(false), null), List.of(entries));
        }
        default -> throw new IllegalArgumentException("unknown Delta type " + kind);
      }
    }
    return new Field(name, new FieldType(nullable, primitive(type.asText()), null), null);
  }

  private static ArrowType primitive(String type) {
    return switch (type) {
      case "boolean" -> ArrowType.Bool.INSTANCE;
      case "byte" -> new ArrowType.Int(8, true);
      case "short" -> new ArrowType.Int(16, true);
      case "integer" -> new ArrowType.Int(32, true);
      case "long" -> new ArrowType.Int(64, true);
      case "float" -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case "double" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case "string" -> ArrowType.Utf8.INSTANCE;
      case "binary" -> ArrowType.Binary.INSTANCE;
      case "date" -> new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY);
      case "timestamp" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      case "timestamp_ntz" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      default -> {
        Matcher m = DECIMAL.matcher(type);
        if (m.matches())
          yield new ArrowType.Decimal(
              Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 128);
        if (type.equals("decimal")) yield new ArrowType.Decimal(10, 0, 128);
        throw new IllegalArgumentException("unknown Delta type " + type);
      }
    };
  }

  // ---- Arrow -----------------------------------------------------------------------------------

  /**
   * The sample as an Arrow IPC stream: one record batch; the schema's metadata carries {@code
   * tablegate.version} and {@code tablegate.truncated}.
   */
  public static byte[] arrow(Sample sample) {
    Schema plain = arrowSchema(sample.schemaString());
    Schema schema =
        new Schema(
            plain.getFields(),
            Map.of(
                "tablegate.version",
                Long.toString(sample.version()),
                "tablegate.truncated",
                Boolean.toString(sample.truncated())));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BufferAllocator allocator = ROOT.newChildAllocator("sample", 0, ARROW_MEMORY);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      List<FieldVector> vectors = root.getFieldVectors();
      int n = sample.rows().size();
      for (int r = 0; r < n; r++) {
        Object[] row = sample.rows().get(r);
        for (int c = 0; c < vectors.size(); c++) set(vectors.get(c), r, row[c]);
      }
      root.setRowCount(n);
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void set(FieldVector v, int i, Object value) {
    if (value == null) {
      if (v instanceof StructVector s) s.setNull(i);
      else if (v instanceof ListVector l) l.setNull(i);
      else if (v instanceof org.apache.arrow.vector.BaseFixedWidthVector f) f.setNull(i);
      else if (v instanceof org.apache.arrow.vector.BaseVariableWidthVector w) w.setNull(i);
      return;
    }
    if (v instanceof BitVector b) b.setSafe(i, (Boolean) value ? 1 : 0);
    else if (v instanceof TinyIntVector b) b.setSafe(i, ((Number) value).byteValue());
    else if (v instanceof SmallIntVector s) s.setSafe(i, ((Number) value).shortValue());
    else if (v instanceof IntVector n) n.setSafe(i, ((Number) value).intValue());
    else if (v instanceof BigIntVector n) n.setSafe(i, ((Number) value).longValue());
    else if (v instanceof Float4Vector f) f.setSafe(i, ((Number) value).floatValue());
    else if (v instanceof Float8Vector f) f.setSafe(i, ((Number) value).doubleValue());
    else if (v instanceof DecimalVector d)
      d.setSafe(i, ((BigDecimal) value).setScale(d.getScale(), RoundingMode.UNNECESSARY));
    else if (v instanceof VarCharVector s)
      s.setSafe(i, value.toString().getBytes(StandardCharsets.UTF_8));
    else if (v instanceof VarBinaryVector b) b.setSafe(i, (byte[]) value);
    else if (v instanceof DateDayVector d)
      d.setSafe(i, Math.toIntExact(((LocalDate) value).toEpochDay()));
    else if (v instanceof TimeStampMicroTZVector t) t.setSafe(i, micros((Instant) value));
    else if (v instanceof TimeStampMicroVector t)
      t.setSafe(i, micros(((LocalDateTime) value).toInstant(ZoneOffset.UTC)));
    else if (v instanceof MapVector m) {
      Map<?, ?> map = (Map<?, ?>) value;
      int start = m.startNewValue(i);
      StructVector entries = (StructVector) m.getDataVector();
      FieldVector keys = (FieldVector) entries.getChild(MapVector.KEY_NAME);
      FieldVector values = (FieldVector) entries.getChild(MapVector.VALUE_NAME);
      int k = start;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        entries.setIndexDefined(k);
        set(keys, k, e.getKey());
        set(values, k, e.getValue());
        k++;
      }
      m.endValue(i, map.size());
    } else if (v instanceof ListVector l) {
      List<?> list = (List<?>) value;
      int start = l.startNewValue(i);
      FieldVector elements = l.getDataVector();
      for (int k = 0; k < list.size(); k++) set(elements, start + k, list.get(k));
      l.endValue(i, list.size());
    } else if (v instanceof StructVector s) {
      Object[] fields = (Object[]) value;
      s.setIndexDefined(i);
      List<FieldVector> children = s.getChildrenFromFields();
      for (int k = 0; k < children.size(); k++) set(children.get(k), i, fields[k]);
    } else throw new IllegalStateException("no Arrow writer for " + v.getClass());
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  // ---- JSON ------------------------------------------------------------------------------------

  /**
   * The sample as one JSON object: {@code version}, {@code schemaString}, {@code truncated} and
   * {@code rows}, each row an object by column name (dates and timestamps ISO-8601, binary base64,
   * decimals exact).
   */
  public static byte[] json(Sample sample) {
    JsonNode schema = read(sample.schemaString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("version", sample.version());
      g.writeStringField("schemaString", sample.schemaString());
      g.writeBooleanField("truncated", sample.truncated());
      g.writeArrayFieldStart("rows");
      for (Object[] row : sample.rows()) writeStruct(g, schema, row);
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeStruct(JsonGenerator g, JsonNode struct, Object[] values)
      throws IOException {
    g.writeStartObject();
    int i = 0;
    for (JsonNode f : struct.path("fields")) {
      g.writeFieldName(f.path("name").asText());
      write(g, f.path("type"), values[i++]);
    }
    g.writeEndObject();
  }

  private static void write(JsonGenerator g, JsonNode type, Object v) throws IOException {
    if (v == null) g.writeNull();
    else if (v instanceof Object[] fields) writeStruct(g, type, fields);
    else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object e : list) write(g, type.path("elementType"), e);
      g.writeEndArray();
    } else if (v instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, type.path("valueType"), e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof Boolean b) g.writeBoolean(b);
    else if (v instanceof BigDecimal d) g.writeNumber(d);
    else if (v instanceof Float f) g.writeNumber(f);
    else if (v instanceof Double d) g.writeNumber(d);
    else if (v instanceof Number n) g.writeNumber(n.longValue());
    else if (v instanceof byte[] b) g.writeBinary(b);
    else g.writeString(v.toString());
  }

  /** A rough size of a value in bytes, to bound how much a sample holds. */
  public static long estimateBytes(Object v) {
    if (v == null) return 1;
    if (v instanceof String s) return 16 + s.length();
    if (v instanceof byte[] b) return 16 + b.length;
    long n = 16;
    if (v instanceof Object[] fields) for (Object f : fields) n += estimateBytes(f);
    else if (v instanceof List<?> list) for (Object e : list) n += estimateBytes(e);
    else if (v instanceof Map<?, ?> map)
      for (Map.Entry<?, ?> e : map.entrySet())
        n += estimateBytes(e.getKey()) + estimateBytes(e.getValue());
    return n;
  }
}
