package io.tablegate.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tablegate.spi.DataFile;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code jsonPredicateHints} evaluated against a file's partition values and min/max/null-count
 * stats, in three-valued logic: a file is dropped only when no row in it can match. Anything this
 * class does not understand (an unknown op, a bad literal, missing stats) keeps the file, because a
 * hint is best effort and clients re-apply their filters; dropping a matching file would lose rows.
 */
final class JsonPredicate {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_DEPTH = 100;
  private static final int MAX_LENGTH = 1 << 20;

  /** Delta truncates string stats to this many characters; a max that long may be a prefix. */
  private static final int STRING_STATS_PREFIX = 32;

  private static final DateTimeFormatter PARTITION_TIMESTAMP =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  enum Truth {
    TRUE,
    FALSE,
    UNKNOWN
  }

  private final JsonNode root;
  private final Set<String> partitionColumns;
  private final boolean needsStats;

  private JsonPredicate(JsonNode root, Set<String> partitionColumns) {
    this.root = root;
    this.partitionColumns = partitionColumns;
    this.needsStats = referencesDataColumn(root);
  }

  /** Parses the hint with the default bounds. */
  static JsonPredicate parse(String json, Set<String> partitionColumns) {
    return parse(json, partitionColumns, 1_000, 32);
  }

  /**
   * Parses the hint; returns null (no filtering: hints are optional, and the client filters the
   * rows again) if it is absent, not JSON, or larger than the bounds: more than {@code maxLeaves}
   * leaves or deeper than {@code maxDepth}. Evaluating a file then costs at most {@code maxLeaves}
   * comparisons.
   */
  static JsonPredicate parse(
      String json, Set<String> partitionColumns, int maxLeaves, int maxDepth) {
    if (json == null || json.isBlank() || json.length() > MAX_LENGTH) return null;
    try {
      JsonNode root = MAPPER.readTree(json);
      if (root == null || !root.isObject()) return null;
      int[] leaves = {0};
      if (!within(root, 1, maxDepth, leaves, maxLeaves)) return null;
      return new JsonPredicate(root, partitionColumns);
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Whether the tree under {@code n} stays within the depth and leaf bounds (stops at the first
   * excess).
   */
  private static boolean within(JsonNode n, int depth, int maxDepth, int[] leaves, int maxLeaves) {
    if (depth > Math.min(maxDepth, MAX_DEPTH)) return false;
    JsonNode children = n.get("children");
    boolean comparison =
        true; // a leaf: an operator over columns and literals only (or a lone column/literal)
    if (children != null && children.isArray()) {
      for (JsonNode c : children) if (c.has("children")) comparison = false;
    }
    if (comparison) return ++leaves[0] <= maxLeaves;
    for (JsonNode c : children)
      if (!within(c, depth + 1, maxDepth, leaves, maxLeaves)) return false;
    return true;
  }

  private boolean referencesDataColumn(JsonNode n) {
    if ("column".equals(n.path("op").asText()))
      return !partitionColumns.contains(n.path("name").asText());
    for (JsonNode c : n.path("children")) if (referencesDataColumn(c)) return true;
    return false;
  }

  /** True unless the file certainly holds no matching row. */
  boolean mightMatch(DataFile file) {
    try {
      JsonNode stats = null;
      if (needsStats && file.stats() != null) stats = MAPPER.readTree(file.stats());
      return eval(root, file, stats) != Truth.FALSE;
    } catch (Exception e) {
      return true;
    }
  }

  private Truth eval(JsonNode n, DataFile file, JsonNode stats) {
    String op = n.path("op").asText("");
    List<JsonNode> children = new ArrayList<>();
    n.path("children").forEach(children::add);
    switch (op) {
      case "and" -> {
        if (children.size() < 2) return Truth.UNKNOWN;
        boolean allTrue = true;
        for (JsonNode c : children) {
          Truth t = eval(c, file, stats);
          if (t == Truth.FALSE) return Truth.FALSE;
          if (t != Truth.TRUE) allTrue = false;
        }
        return allTrue ? Truth.TRUE : Truth.UNKNOWN;
      }
      case "or" -> {
        if (children.size() < 2) return Truth.UNKNOWN;
        boolean allFalse = true;
        for (JsonNode c : children) {
          Truth t = eval(c, file, stats);
          if (t == Truth.TRUE) return Truth.TRUE;
          if (t != Truth.FALSE) allFalse = false;
        }
        return allFalse ? Truth.FALSE : Truth.UNKNOWN;
      }
      case "not" -> {
        if (children.size() != 1) return Truth.UNKNOWN;
        return switch (eval(children.get(0), file, stats)) {
          case TRUE -> Truth.FALSE;
          case FALSE -> Truth.TRUE;
          case UNKNOWN -> Truth.UNKNOWN;
        };
      }
      case "isNull" -> {
        if (children.size() != 1 || !"column".equals(children.get(0).path("op").asText()))
          return Truth.UNKNOWN;
        Range r = range(children.get(0), file, stats);
        if (r == null) return Truth.UNKNOWN;
        if (r.allNull()) return Truth.TRUE;
        if (r.nullCount() == 0) return Truth.FALSE;
        return Truth.UNKNOWN;
      }
      case "equal", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual" -> {
        if (children.size() != 2) return Truth.UNKNOWN;
        JsonNode a = children.get(0);
        JsonNode b = children.get(1);
        String cmp = op;
        if ("literal".equals(a.path("op").asText()) && "column".equals(b.path("op").asText())) {
          JsonNode t = a;
          a = b;
          b = t;
          cmp = mirror(op);
        }
        if (!"column".equals(a.path("op").asText()) || !"literal".equals(b.path("op").asText()))
          return Truth.UNKNOWN;
        Range r = range(a, file, stats);
        Comparable<Object> lit = literal(b);
        if (r == null || lit == null) return Truth.UNKNOWN;
        return compare(cmp, r, lit);
      }
      default -> {
        return Truth.UNKNOWN;
      }
    }
  }

  /** The comparison with its operands swapped ({@code a < b} is {@code b > a}). */
  static String mirror(String op) {
    return switch (op) {
      case "lessThan" -> "greaterThan";
      case "lessThanOrEqual" -> "greaterThanOrEqual";
      case "greaterThan" -> "lessThan";
      case "greaterThanOrEqual" -> "lessThanOrEqual";
      default -> op;
    };
  }

  /**
   * What a file says about a column: bounds (either may be null = unknown), null count (-1 =
   * unknown) and whether every row is null.
   */
  private record Range(
      Comparable<Object> min, Comparable<Object> max, long nullCount, boolean allNull) {}

  private Range range(JsonNode column, DataFile file, JsonNode stats) {
    String name = column.path("name").asText(null);
    String type = column.path("valueType").asText("");
    if (name == null) return null;
    if (partitionColumns.contains(name)) {
      if (!file.partitionValues().containsKey(name)) return null;
      String v = file.partitionValues().get(name);
      if (v == null) return new Range(null, null, 1, true);
      Comparable<Object> value = fromPartition(v, type);
      if (value == null) return null;
      return new Range(value, value, 0, false);
    }
    if (stats == null) return null;
    long numRecords = stats.path("numRecords").asLong(-1);
    JsonNode nulls = path(stats.get("nullCount"), name);
    long nullCount = nulls != null && nulls.canConvertToLong() ? nulls.asLong() : -1;
    boolean allNull = numRecords >= 0 && nullCount == numRecords;
    Comparable<Object> min = fromStats(path(stats.get("minValues"), name), type, false);
    Comparable<Object> max = fromStats(path(stats.get("maxValues"), name), type, true);
    return new Range(min, max, nullCount, allNull);
  }

  private static JsonNode path(JsonNode node, String dotted) {
    if (node == null) return null;
    JsonNode direct = node.get(dotted);
    if (direct != null) return direct;
    JsonNode cur = node;
    for (String part : dotted.split("\\.")) {
      cur = cur.get(part);
      if (cur == null) return null;
    }
    return cur;
  }

  private Truth compare(String op, Range r, Comparable<Object> lit) {
    if (r.allNull()) return Truth.FALSE; // comparisons with null are never true
    Comparable<Object> min = r.min();
    Comparable<Object> max = r.max();
    boolean noNulls = r.nullCount() == 0;
    try {
      switch (op) {
        case "equal" -> {
          if (min != null && min.compareTo(lit) > 0) return Truth.FALSE;
          if (max != null && max.compareTo(lit) < 0) return Truth.FALSE;
          if (noNulls
              && min != null
              && max != null
              && min.compareTo(lit) == 0
              && max.compareTo(lit) == 0) return Truth.TRUE;
          return Truth.UNKNOWN;
        }
        case "lessThan" -> {
          if (min != null && min.compareTo(lit) >= 0) return Truth.FALSE;
          if (noNulls && max != null && max.compareTo(lit) < 0) return Truth.TRUE;
          return Truth.UNKNOWN;
        }
        case "lessThanOrEqual" -> {
          if (min != null && min.compareTo(lit) > 0) return Truth.FALSE;
          if (noNulls && max != null && max.compareTo(lit) <= 0) return Truth.TRUE;
          return Truth.UNKNOWN;
        }
        case "greaterThan" -> {
          if (max != null && max.compareTo(lit) <= 0) return Truth.FALSE;
          if (noNulls && min != null && min.compareTo(lit) > 0) return Truth.TRUE;
          return Truth.UNKNOWN;
        }
        case "greaterThanOrEqual" -> {
          if (max != null && max.compareTo(lit) < 0) return Truth.FALSE;
          if (noNulls && min != null && min.compareTo(lit) >= 0) return Truth.TRUE;
          return Truth.UNKNOWN;
        }
        default -> {
          return Truth.UNKNOWN;
        }
      }
    } catch (ClassCastException e) {
      return Truth.UNKNOWN;
    }
  }

  @SuppressWarnings("unchecked")
  private static Comparable<Object> literal(JsonNode lit) {
    JsonNode v = lit.get("value");
    if (v == null || v.isNull()) return null;
    return (Comparable<Object>)
        (Comparable<?>) parse(v.asText(), lit.path("valueType").asText(""), false);
  }

  @SuppressWarnings("unchecked")
  private static Comparable<Object> fromPartition(String value, String type) {
    if (type.equals("timestamp")) {
      try {
        return (Comparable<Object>)
            (Comparable<?>)
                micros(LocalDateTime.parse(value, PARTITION_TIMESTAMP).toInstant(ZoneOffset.UTC));
      } catch (Exception e) {
        // fall through to ISO parsing
      }
    }
    return (Comparable<Object>) (Comparable<?>) parse(value, type, false);
  }

  @SuppressWarnings("unchecked")
  private static Comparable<Object> fromStats(JsonNode v, String type, boolean isMax) {
    if (v == null || v.isNull() || v.isContainerNode()) return null;
    String text = v.asText();
    if (type.equals("string") && isMax && text.length() >= STRING_STATS_PREFIX)
      return null; // may be truncated
    Comparable<?> parsed = parse(text, type, isMax);
    return (Comparable<Object>) parsed;
  }

  /** Parses a value of a protocol value type; null when it cannot. */
  private static Comparable<?> parse(String text, String type, boolean roundUp) {
    try {
      return switch (type) {
        case "bool" -> Boolean.parseBoolean(text);
        case "int", "long" -> Long.parseLong(text.trim());
        case "float", "double" -> Double.parseDouble(text.trim());
        case "string" -> text;
        case "date" -> LocalDate.parse(text.trim()).toEpochDay();
        case "timestamp" -> {
          long micros = micros(Instant.parse(text.trim()));
          // stats keep milliseconds: a max may be up to 1 ms below the real value
          yield roundUp ? micros + 999 : micros;
        }
        default -> null;
      };
    } catch (Exception e) {
      return null;
    }
  }

  private static long micros(Instant i) {
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }
}
