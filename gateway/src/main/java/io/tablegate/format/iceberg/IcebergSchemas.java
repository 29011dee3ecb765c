package io.tablegate.format.iceberg;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.protocol.SharingErrors;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Iceberg schemas as Delta {@code schemaString} JSON (ecosystem.md §6.3): timestamptz → timestamp,
 * timestamp → timestamp_ntz, fixed → binary, doc → comment; types no Delta reader can read safely
 * are refused with UNSUPPORTED_OPERATION naming the column, never served as wrong data.
 */
final class IcebergSchemas {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private IcebergSchemas() {}

  /** The schema string, and whether it uses timestamp_ntz (a Delta reader feature). */
  record Mapped(String schemaString, boolean timestampNtz) {}

  static Mapped toDelta(Schema schema) {
    return toDelta(schema, false);
  }

  /**
   * @param idMapping add Delta column mapping ({@code id} mode) to every field: its Iceberg field
   *     id and a physical name no data file uses ({@link #physicalName}), so readers match Parquet
   *     columns by field id as Iceberg does, and a reader that falls back to names (Kernel does,
   *     for ids a file lacks) finds nothing and reads null, never another column of the same name
   */
  static Mapped toDelta(Schema schema, boolean idMapping) {
    boolean[] ntz = {false};
    ObjectNode root = struct(schema.asStruct(), "", ntz, idMapping);
    return new Mapped(root.toString(), ntz[0]);
  }

  /**
   * The Delta physical name of an Iceberg field under id column mapping; stats and partition values
   * use it.
   */
  static String physicalName(int fieldId) {
    return "col-iceberg-" + fieldId;
  }

  /**
   * Whether a name-based reader could read the wrong column: some column of the current schema had
   * another name (renamed, or a parent renamed) in an older schema, or a current name belonged to
   * another field id before (dropped and re-added).
   */
  static boolean needsIdMapping(Schema current, Iterable<Schema> history) {
    java.util.Map<Integer, String> now =
        org.apache.iceberg.types.TypeUtil.indexNameById(current.asStruct());
    java.util.Map<String, Integer> nowIds =
        org.apache.iceberg.types.TypeUtil.indexByName(current.asStruct());
    for (Schema older : history) {
      for (java.util.Map.Entry<Integer, String> e :
          org.apache.iceberg.types.TypeUtil.indexNameById(older.asStruct()).entrySet()) {
        String name = now.get(e.getKey());
        if (name != null && !name.equals(e.getValue())) return true;
        Integer id = nowIds.get(e.getValue());
        if (id != null && !id.equals(e.getKey())) return true;
      }
    }
    return false;
  }

  private static ObjectNode struct(
      Types.StructType struct, String path, boolean[] ntz, boolean idMapping) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("type", "struct");
    ArrayNode fields = node.putArray("fields");
    for (Types.NestedField f : struct.fields()) {
      ObjectNode field = fields.addObject();
      field.put("name", f.name());
      String fieldPath = path.isEmpty() ? f.name() : path + "." + f.name();
      setType(field, "type", f.type(), fieldPath, ntz, idMapping);
      field.put("nullable", f.isOptional());
      ObjectNode meta = field.putObject("metadata");
      if (f.doc() != null) meta.put("comment", f.doc());
      if (idMapping) {
        meta.put("delta.columnMapping.id", f.fieldId());
        meta.put("delta.columnMapping.physicalName", physicalName(f.fieldId()));
      }
    }
    return node;
  }

  private static void setType(
      ObjectNode parent, String key, Type type, String path, boolean[] ntz, boolean idMapping) {
    switch (type.typeId()) {
      case STRUCT -> parent.set(key, struct(type.asStructType(), path, ntz, idMapping));
      case LIST -> {
        Types.ListType list = type.asListType();
        ObjectNode node = parent.putObject(key);
        node.put("type", "array");
        setType(node, "elementType", list.elementType(), path + ".element", ntz, idMapping);
        node.put("containsNull", list.isElementOptional());
      }
      case MAP -> {
        Types.MapType map = type.asMapType();
        ObjectNode node = parent.putObject(key);
        node.put("type", "map");
        setType(node, "keyType", map.keyType(), path + ".key", ntz, idMapping);
        setType(node, "valueType", map.valueType(), path + ".value", ntz, idMapping);
        node.put("valueContainsNull", map.isValueOptional());
      }
      default -> parent.put(key, primitive(type, path, ntz));
    }
  }

  private static String primitive(Type type, String path, boolean[] ntz) {
    return switch (type.typeId()) {
      case BOOLEAN -> "boolean";
      case INTEGER -> "integer";
      case LONG -> "long";
      case FLOAT -> "float";
      case DOUBLE -> "double";
      case DATE -> "date";
      case STRING -> "string";
      case BINARY, FIXED -> "binary";
      case DECIMAL -> {
        Types.DecimalType d = (Types.DecimalType) type;
        yield "decimal(" + d.precision() + "," + d.scale() + ")";
      }
      case TIMESTAMP -> {
        if (((Types.TimestampType) type).shouldAdjustToUTC()) yield "timestamp";
        ntz[0] = true;
        yield "timestamp_ntz";
      }
      default ->
          throw SharingErrors.unsupported(
              "Column '"
                  + path
                  + "' has Iceberg type "
                  + type
                  + ", which Delta Sharing readers cannot read correctly; this table cannot be shared (drop or convert the column).");
    };
  }

  /**
   * A partition value serialized as the protocol requires (strings; date yyyy-MM-dd; null stays
   * null).
   */
  static String partitionValue(Type type, Object value) {
    if (value == null) return null;
    return switch (type.typeId()) {
      case DATE -> java.time.LocalDate.ofEpochDay(((Number) value).longValue()).toString();
      case TIMESTAMP -> {
        long micros = ((Number) value).longValue();
        java.time.LocalDateTime t =
            java.time.LocalDateTime.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000),
                (int) Math.floorMod(micros, 1_000_000) * 1000,
                java.time.ZoneOffset.UTC);
        yield t.format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS"));
      }
      case DECIMAL -> ((java.math.BigDecimal) value).toPlainString();
      default -> value.toString();
    };
  }
}
