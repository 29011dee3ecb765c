package io.tablegate.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The protocol's SQL {@code predicateHints} (the Spark connector sends them for partition filters
 * in the parquet format, e.g. {@code (event_date = DATE '2024-03-01')}, {@code region IN ('EU',
 * 'US')}, {@code day IS NOT NULL}) turned into the {@code jsonPredicateHints} tree that {@link
 * JsonPredicate} evaluates, so that files of other partitions are not listed. Only simple
 * comparisons of a partition column with a literal ({@code = == <> != < <= > >=}, {@code IS [NOT]
 * NULL}, {@code [NOT] IN}), combined with {@code AND}/{@code OR} and parentheses, are read. A hint
 * is optional: anything else (another column, a function, a syntax this parser does not know, a
 * type it does not compare) is ignored, which can only keep more files, never fewer. Bounded: at
 * most {@link #MAX_HINTS} hints of {@link #MAX_HINT_CHARS} characters, {@link #MAX_TOKENS} tokens
 * each; beyond that all are ignored.
 */
final class SqlPredicateHints {
  static final int MAX_HINTS = 100;
  static final int MAX_HINT_CHARS = 4_096;
  static final int MAX_TOKENS = 512;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SqlPredicateHints() {}

  /**
   * The hints as a JSON predicate (an AND of the ones understood), or null when none is.
   *
   * @param partitionTypes partition column name to its Delta type ({@code string}, {@code date},
   *     ...)
   */
  static JsonNode toJson(List<String> hints, Map<String, String> partitionTypes) {
    if (hints == null || hints.isEmpty() || hints.size() > MAX_HINTS) return null;
    List<JsonNode> understood = new ArrayList<>();
    for (String hint : hints) {
      if (hint == null || hint.length() > MAX_HINT_CHARS) return null;
      JsonNode n;
      try {
        Parser p = new Parser(tokens(hint), partitionTypes);
        n = p.expression();
        if (!p.atEnd()) n = null;
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        n = null; // not understood: ignored
      }
      if (n != null) understood.add(n);
    }
    if (understood.isEmpty()) return null;
    return understood.size() == 1 ? understood.get(0) : node("and", understood);
  }

  /** Partition column name to Delta type, from the table's schema string (primitive types only). */
  static Map<String, String> partitionTypes(String schemaString, List<String> partitionColumns) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    if (partitionColumns == null || partitionColumns.isEmpty() || schemaString == null) return out;
    try {
      for (JsonNode f : MAPPER.readTree(schemaString).path("fields")) {
        String name = f.path("name").asText();
        if (partitionColumns.contains(name) && f.path("type").isTextual())
          out.put(name, f.path("type").asText());
      }
    } catch (Exception e) {
      return Map.of();
    }
    return out;
  }

  /** {@code a AND b} of two JSON predicates given as JSON text and tree (either may be null). */
  static String and(String jsonHint, JsonNode sql) {
    if (sql == null) return jsonHint;
    if (jsonHint == null || jsonHint.isBlank()) return sql.toString();
    try {
      JsonNode json = MAPPER.readTree(jsonHint);
      if (json == null || !json.isObject()) return sql.toString();
      return node("and", List.of(json, sql)).toString();
    } catch (Exception e) {
      return sql
          .toString(); // the JSON hint is not JSON: ignored as before, the SQL one still applies
    }
  }

  // ---- tokens ----------------------------------------------------------------------------------

  private record Token(
      char kind, String text) {} // kind: i(dentifier) s(tring) n(umber) o(perator) p(unct)

  private static List<Token> tokens(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      if (out.size() > MAX_TOKENS) throw new IllegalArgumentException("too long");
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')' || c == ',') {
        out.add(new Token('p', String.valueOf(c)));
        i++;
      } else if (c == '\'' || c == '"') {
        StringBuilder b = new StringBuilder();
        int j = i + 1;
        while (true) {
          char d = s.charAt(j); // past the end: IndexOutOfBounds, not understood
          if (d == '\\') {
            b.append(s.charAt(j + 1));
            j += 2;
          } else if (d == c && j + 1 < s.length() && s.charAt(j + 1) == c) {
            b.append(c);
            j += 2;
          } else if (d == c) {
            break;
          } else {
            b.append(d);
            j++;
          }
        }
        out.add(new Token('s', b.toString()));
        i = j + 1;
      } else if (c == '`') {
        int end = s.indexOf('`', i + 1);
        if (end < 0) throw new IllegalArgumentException("unclosed identifier");
        out.add(new Token('i', s.substring(i + 1, end)));
        i = end + 1;
      } else if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_'))
          j++;
        out.add(new Token('i', s.substring(i, j)));
        i = j;
      } else if (Character.isDigit(c)
          || (c == '-' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
        int j = i + 1;
        while (j < s.length()
            && (Character.isDigit(s.charAt(j)) || ".eE+-".indexOf(s.charAt(j)) >= 0)) j++;
        String num = s.substring(i, j);
        if (num.endsWith("L") || num.endsWith("D")) num = num.substring(0, num.length() - 1);
        Double.parseDouble(num); // NumberFormatException is an IllegalArgumentException
        out.add(new Token('n', num));
        i = j;
      } else if ("=<>!".indexOf(c) >= 0) {
        int j = i + 1;
        while (j < s.length() && "=<>".indexOf(s.charAt(j)) >= 0 && j - i < 2) j++;
        out.add(new Token('o', s.substring(i, j)));
        i = j;
      } else {
        throw new IllegalArgumentException("unexpected character");
      }
    }
    return out;
  }

  // ---- parser ----------------------------------------------------------------------------------

  private static final class Parser {
    private final List<Token> tokens;
    private final Map<String, String> partitionTypes;
    private int pos;

    Parser(List<Token> tokens, Map<String, String> partitionTypes) {
      this.tokens = tokens;
      this.partitionTypes = partitionTypes;
    }

    boolean atEnd() {
      return pos == tokens.size();
    }

    private Token peek() {
      return pos < tokens.size() ? tokens.get(pos) : new Token('e', "");
    }

    private boolean keyword(String k) {
      Token t = peek();
      if (t.kind() == 'i' && t.text().equalsIgnoreCase(k)) {
        pos++;
        return true;
      }
      return false;
    }

    private boolean punct(String p) {
      Token t = peek();
      if (t.kind() == 'p' && t.text().equals(p)) {
        pos++;
        return true;
      }
      return false;
    }

    private void expect(String p) {
      if (!punct(p)) throw new IllegalArgumentException("expected " + p);
    }

    /** OR of ANDs; null when not understood (the caller then drops it). */
    JsonNode expression() {
      List<JsonNode> ors = new ArrayList<>();
      boolean unknown = false;
      do {
        JsonNode a = conjunction();
        if (a == null) unknown = true;
        else ors.add(a);
      } while (keyword("OR"));
      if (unknown) return null; // an OR with a part not understood says nothing
      return ors.size() == 1 ? ors.get(0) : node("or", ors);
    }

    private JsonNode conjunction() {
      List<JsonNode> ands = new ArrayList<>();
      do {
        JsonNode n = primary();
        if (n != null)
          ands.add(n); // an AND part not understood is left out: that only keeps more files
      } while (keyword("AND"));
      if (ands.isEmpty()) return null;
      return ands.size() == 1 ? ands.get(0) : node("and", ands);
    }

    private JsonNode primary() {
      if (punct("(")) {
        JsonNode n = expression();
        expect(")");
        return n;
      }
      Operand left = operand();
      if (keyword("IS")) {
        boolean not = keyword("NOT");
        if (!keyword("NULL")) throw new IllegalArgumentException("expected NULL");
        if (left.column() == null) return null;
        JsonNode isNull = node("isNull", List.of(left.column()));
        return not ? node("not", List.of(isNull)) : isNull;
      }
      boolean not = keyword("NOT");
      if (keyword("IN")) {
        expect("(");
        List<JsonNode> equals = new ArrayList<>();
        boolean understood = left.column() != null;
        do {
          Operand v = operand();
          if (v.literal() == null) understood = false;
          else if (understood)
            equals.add(node("equal", List.of(left.column(), typed(v, left.type()))));
        } while (punct(","));
        expect(")");
        if (!understood || equals.isEmpty()) return null;
        JsonNode in = equals.size() == 1 ? equals.get(0) : node("or", equals);
        return not ? node("not", List.of(in)) : in;
      }
      if (not) throw new IllegalArgumentException("NOT here is not understood");
      Token op = peek();
      if (op.kind() != 'o') throw new IllegalArgumentException("expected a comparison");
      pos++;
      Operand right = operand();
      String name =
          switch (op.text()) {
            case "=", "==" -> "equal";
            case "<>", "!=" -> "notEqual";
            case "<" -> "lessThan";
            case "<=" -> "lessThanOrEqual";
            case ">" -> "greaterThan";
            case ">=" -> "greaterThanOrEqual";
            default -> throw new IllegalArgumentException("unknown operator");
          };
      Operand column = left.column() != null ? left : right;
      Operand value = left.column() != null ? right : left;
      if (column.column() == null || value.literal() == null) return null;
      if (left.column() == null) name = JsonPredicate.mirror(name);
      JsonNode literal = typed(value, column.type());
      if (literal == null) return null;
      if (name.equals("notEqual"))
        return node("not", List.of(node("equal", List.of(column.column(), literal))));
      return node(name, List.of(column.column(), literal));
    }

    /**
     * A column (a partition column of a comparable type) or a literal; neither when not understood.
     */
    private Operand operand() {
      Token t = peek();
      pos++;
      switch (t.kind()) {
        case 's':
          return new Operand(null, null, t.text(), 's');
        case 'n':
          return new Operand(null, null, t.text(), 'n');
        case 'i':
          {
            String k = t.text().toUpperCase(Locale.ROOT);
            if ((k.equals("DATE") || k.equals("TIMESTAMP")) && peek().kind() == 's') {
              String text = peek().text();
              pos++;
              return new Operand(null, null, text, k.equals("DATE") ? 'd' : 't');
            }
            if (k.equals("TRUE") || k.equals("FALSE"))
              return new Operand(null, null, k.toLowerCase(Locale.ROOT), 'b');
            if (k.equals("NULL")) return new Operand(null, null, null, 'x');
            if (punct("(")) throw new IllegalArgumentException("functions are not understood");
            for (Map.Entry<String, String> e : partitionTypes.entrySet()) {
              if (e.getKey().equalsIgnoreCase(t.text())) {
                String type = hintType(e.getValue());
                if (type == null) return new Operand(null, null, null, 'x');
                ObjectNode c = MAPPER.createObjectNode();
                c.put("op", "column");
                c.put("name", e.getKey());
                c.put("valueType", type);
                return new Operand(c, type, null, 'c');
              }
            }
            return new Operand(null, null, null, 'x'); // a data column or an unknown name
          }
        default:
          throw new IllegalArgumentException("expected a column or a literal");
      }
    }
  }

  private record Operand(ObjectNode column, String type, String literal, char kind) {}

  /** A literal for a column of {@code type}; null when the literal cannot be one. */
  private static JsonNode typed(Operand value, String type) {
    String text = value.literal();
    switch (type) {
      case "string" -> {
        if (value.kind() != 's') return null;
      }
      case "date" -> {
        if (value.kind() != 's' && value.kind() != 'd') return null;
        try {
          java.time.LocalDate.parse(text.trim());
        } catch (java.time.format.DateTimeParseException e) {
          return null;
        }
      }
      case "long" -> {
        if (value.kind() != 'n' && value.kind() != 's') return null;
        try {
          Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
          return null;
        }
      }
      case "double" -> {
        if (value.kind() != 'n' && value.kind() != 's') return null;
        try {
          Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
          return null;
        }
      }
      case "bool" -> {
        if (value.kind() != 'b' && value.kind() != 's') return null;
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) return null;
        text = text.toLowerCase(Locale.ROOT);
      }
      default -> {
        return null;
      }
    }
    ObjectNode l = MAPPER.createObjectNode();
    l.put("op", "literal");
    l.put("value", text);
    l.put("valueType", type);
    return l;
  }

  /**
   * The JSON predicate value type of a Delta partition column type; null for the ones not compared
   * here.
   */
  private static String hintType(String deltaType) {
    return switch (deltaType) {
      case "string" -> "string";
      case "date" -> "date";
      case "byte", "short", "integer", "long" -> "long";
      case "float", "double" -> "double";
      case "boolean" -> "bool";
      default -> null; // timestamps, decimals, binary: not pruned on
    };
  }

  private static ObjectNode node(String op, List<JsonNode> children) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("op", op);
    ArrayNode c = n.putArray("children");
    children.forEach(c::add);
    return n;
  }
}
