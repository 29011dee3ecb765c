package io.tablegate.protocol;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A provider's row filter of a recipient policy: comparisons ({@code = != <> < <= > >=}) of a
 * column with a literal, {@code col [not] in (...)}, {@code col is [not] null}, {@code and}, {@code
 * or}, {@code not} and parentheses, over partition and data columns. Literals: {@code 'text'} (a
 * quote doubled inside), numbers, {@code true}/{@code false}. A comparison with null is not true
 * (SQL), so a row whose column is null passes only {@code is null}. Parsed once, bounded in size
 * and depth.
 */
public sealed interface RowFilter {
  int MAX_CHARS = 4096;
  int MAX_DEPTH = 32;

  /** Always true or always false (what a filter becomes once partition values are bound). */
  record Constant(boolean value) implements RowFilter {}

  record Compare(String column, String op, Object literal) implements RowFilter {}

  record In(String column, List<Object> literals, boolean negated) implements RowFilter {}

  record IsNull(String column, boolean negated) implements RowFilter {}

  record And(RowFilter left, RowFilter right) implements RowFilter {}

  record Or(RowFilter left, RowFilter right) implements RowFilter {}

  record Not(RowFilter inner) implements RowFilter {}

  RowFilter TRUE = new Constant(true);
  RowFilter FALSE = new Constant(false);

  /** Parses a filter; IllegalArgumentException with a message for the provider. */
  static RowFilter parse(String text) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("the filter is empty");
    if (text.length() > MAX_CHARS)
      throw new IllegalArgumentException("the filter is longer than " + MAX_CHARS + " characters");
    Parser p = new Parser(text);
    RowFilter f = p.or(0);
    p.skipSpace();
    if (p.pos < text.length())
      throw new IllegalArgumentException(
          "unexpected '" + text.substring(p.pos, Math.min(text.length(), p.pos + 20)) + "'");
    return f;
  }

  /** The columns the filter reads. */
  default java.util.Set<String> columns() {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    collect(this, out);
    return out;
  }

  private static void collect(RowFilter f, java.util.Set<String> out) {
    if (f instanceof Compare c) out.add(c.column());
    else if (f instanceof In i) out.add(i.column());
    else if (f instanceof IsNull n) out.add(n.column());
    else if (f instanceof And a) {
      collect(a.left(), out);
      collect(a.right(), out);
    } else if (f instanceof Or o) {
      collect(o.left(), out);
      collect(o.right(), out);
    } else if (f instanceof Not n) collect(n.inner(), out);
  }

  /**
   * The filter with the given columns' values put in (a file's partition values, as the log writes
   * them: strings, null for null) and simplified: {@link #FALSE} means no row of the file passes.
   */
  default RowFilter bind(Map<String, String> values) {
    return Binder.bind(this, values);
  }

  /** Whether a row passes: {@code value} gives a column's value (plain Java, null for null). */
  default boolean test(Function<String, Object> value) {
    return Boolean.TRUE.equals(Binder.eval(this, value));
  }

  /** A canonical text of the filter (equal filters, equal text): part of cache keys. */
  default String canonical() {
    return Binder.text(this);
  }

  /** Evaluation and rendering, kept off the public surface. */
  final class Binder {
    private Binder() {}

    static RowFilter bind(RowFilter f, Map<String, String> values) {
      if (f instanceof And a) {
        RowFilter l = bind(a.left(), values);
        RowFilter r = bind(a.right(), values);
        if (l.equals(FALSE) || r.equals(FALSE)) return FALSE;
        if (l.equals(TRUE)) return r;
        if (r.equals(TRUE)) return l;
        return new And(l, r);
      }
      if (f instanceof Or o) {
        RowFilter l = bind(o.left(), values);
        RowFilter r = bind(o.right(), values);
        if (l.equals(TRUE) || r.equals(TRUE)) return TRUE;
        if (l.equals(FALSE)) return r;
        if (r.equals(FALSE)) return l;
        return new Or(l, r);
      }
      if (f instanceof Not n) {
        RowFilter i = bind(n.inner(), values);
        // NOT of a comparison with null is not true either: only constants fold
        if (i instanceof Constant c) return new Constant(!c.value());
        return new Not(i);
      }
      java.util.Set<String> cols = f.columns();
      if (cols.size() == 1 && values.containsKey(cols.iterator().next())) {
        String col = cols.iterator().next();
        Boolean r = eval(f, c -> c.equals(col) ? values.get(col) : null);
        return r != null && r ? TRUE : FALSE;
      }
      return f;
    }

    /** Three-valued: TRUE, FALSE or null (unknown, as SQL's comparison with null). */
    static Boolean eval(RowFilter f, Function<String, Object> value) {
      if (f instanceof Constant c) return c.value();
      if (f instanceof And a) {
        Boolean l = eval(a.left(), value);
        Boolean r = eval(a.right(), value);
        if (Boolean.FALSE.equals(l) || Boolean.FALSE.equals(r)) return false;
        return l == null || r == null ? null : true;
      }
      if (f instanceof Or o) {
        Boolean l = eval(o.left(), value);
        Boolean r = eval(o.right(), value);
        if (Boolean.TRUE.equals(l) || Boolean.TRUE.equals(r)) return true;
        return l == null || r == null ? null : false;
      }
      if (f instanceof Not n) {
        Boolean i = eval(n.inner(), value);
        return i == null ? null : !i;
      }
      if (f instanceof IsNull n) return (value.apply(n.column()) == null) != n.negated();
      if (f instanceof In in) {
        Object v = value.apply(in.column());
        if (v == null) return null;
        for (Object lit : in.literals()) if (compare(v, lit) == 0) return !in.negated();
        return in.negated();
      }
      Compare c = (Compare) f;
      Object v = value.apply(c.column());
      if (v == null) return null;
      int cmp = compare(v, c.literal());
      return switch (c.op()) {
        case "=" -> cmp == 0;
        case "!=" -> cmp != 0;
        case "<" -> cmp < 0;
        case "<=" -> cmp <= 0;
        case ">" -> cmp > 0;
        default -> cmp >= 0;
      };
    }

    /**
     * A value against a literal: numbers as numbers (a partition value's text parsed), booleans as
     * booleans, everything else (strings, dates, timestamps) by its ISO text.
     */
    static int compare(Object v, Object literal) {
      if (literal instanceof BigDecimal n) {
        BigDecimal x;
        try {
          x =
              v instanceof Number num
                  ? new BigDecimal(num.toString())
                  : new BigDecimal(v.toString().trim());
        } catch (NumberFormatException e) {
          return v.toString().compareTo(n.toPlainString());
        }
        return x.compareTo(n);
      }
      if (literal instanceof Boolean b) {
        boolean x = v instanceof Boolean bv ? bv : Boolean.parseBoolean(v.toString());
        return Boolean.compare(x, b);
      }
      String s = v.toString();
      if (v instanceof java.time.Instant t) s = t.toString();
      return s.compareTo(literal.toString());
    }

    static String text(RowFilter f) {
      if (f instanceof Constant c) return Boolean.toString(c.value());
      if (f instanceof And a) return "(" + text(a.left()) + " and " + text(a.right()) + ")";
      if (f instanceof Or o) return "(" + text(o.left()) + " or " + text(o.right()) + ")";
      if (f instanceof Not n) return "(not " + text(n.inner()) + ")";
      if (f instanceof IsNull n)
        return quoteName(n.column()) + (n.negated() ? " is not null" : " is null");
      if (f instanceof In in) {
        List<String> lits = new ArrayList<>();
        for (Object l : in.literals()) lits.add(literal(l));
        return quoteName(in.column())
            + (in.negated() ? " not in (" : " in (")
            + String.join(", ", lits)
            + ")";
      }
      Compare c = (Compare) f;
      return quoteName(c.column()) + " " + c.op() + " " + literal(c.literal());
    }

    private static String quoteName(String name) {
      return "`" + name.replace("`", "``") + "`";
    }

    private static String literal(Object l) {
      if (l instanceof BigDecimal n) return n.toPlainString();
      if (l instanceof Boolean b) return b.toString();
      return "'" + l.toString().replace("'", "''") + "'";
    }
  }

  /** A recursive-descent parser of the filter language. */
  final class Parser {
    private final String s;
    private int pos;

    private Parser(String s) {
      this.s = s;
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    private boolean keyword(String k) {
      skipSpace();
      int end = pos + k.length();
      if (end > s.length() || !s.regionMatches(true, pos, k, 0, k.length())) return false;
      if (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_'))
        return false;
      pos = end;
      return true;
    }

    private boolean symbol(String sym) {
      skipSpace();
      if (s.startsWith(sym, pos)) {
        pos += sym.length();
        return true;
      }
      return false;
    }

    private static void depth(int d) {
      if (d > MAX_DEPTH)
        throw new IllegalArgumentException("the filter nests deeper than " + MAX_DEPTH);
    }

    RowFilter or(int d) {
      depth(d);
      RowFilter left = and(d + 1);
      while (keyword("or")) left = new Or(left, and(d + 1));
      return left;
    }

    private RowFilter and(int d) {
      depth(d);
      RowFilter left = not(d + 1);
      while (keyword("and")) left = new And(left, not(d + 1));
      return left;
    }

    private RowFilter not(int d) {
      depth(d);
      if (keyword("not")) return new Not(not(d + 1));
      if (symbol("(")) {
        RowFilter inner = or(d + 1);
        if (!symbol(")")) throw new IllegalArgumentException("a ')' is missing");
        return inner;
      }
      return comparison();
    }

    private RowFilter comparison() {
      String column = name();
      if (keyword("is")) {
        boolean negated = keyword("not");
        if (!keyword("null")) throw new IllegalArgumentException("'is' must be followed by null");
        return new IsNull(column, negated);
      }
      boolean negated = keyword("not");
      if (keyword("in")) {
        if (!symbol("(")) throw new IllegalArgumentException("'in' needs a list in parentheses");
        List<Object> values = new ArrayList<>();
        do {
          values.add(literal());
          if (values.size() > 1000)
            throw new IllegalArgumentException("an 'in' list has more than 1000 values");
        } while (symbol(","));
        if (!symbol(")")) throw new IllegalArgumentException("a ')' is missing after 'in'");
        return new In(column, List.copyOf(values), negated);
      }
      if (negated) throw new IllegalArgumentException("'not' must be followed by 'in'");
      for (String op : new String[] {"<=", ">=", "!=", "<>", "=", "<", ">"}) {
        if (symbol(op)) return new Compare(column, op.equals("<>") ? "!=" : op, literal());
      }
      throw new IllegalArgumentException("expected a comparison after column '" + column + "'");
    }

    private String name() {
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == '`') {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (pos < s.length()) {
          char c = s.charAt(pos++);
          if (c == '`') {
            if (pos < s.length() && s.charAt(pos) == '`') {
              sb.append('`');
              pos++;
            } else return sb.toString();
          } else sb.append(c);
        }
        throw new IllegalArgumentException("a column name's closing ` is missing");
      }
      int start = pos;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_'))
        pos++;
      if (start == pos || Character.isDigit(s.charAt(start)))
        throw new IllegalArgumentException("expected a column name at position " + (start + 1));
      String n = s.substring(start, pos);
      String lower = n.toLowerCase(Locale.ROOT);
      if (lower.equals("and") || lower.equals("or") || lower.equals("not"))
        throw new IllegalArgumentException("expected a column name, got '" + n + "'");
      return n;
    }

    private Object literal() {
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == '\'') {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (pos < s.length()) {
          char c = s.charAt(pos++);
          if (c == '\'') {
            if (pos < s.length() && s.charAt(pos) == '\'') {
              sb.append('\'');
              pos++;
            } else return sb.toString();
          } else sb.append(c);
        }
        throw new IllegalArgumentException("a string's closing quote is missing");
      }
      if (keyword("true")) return Boolean.TRUE;
      if (keyword("false")) return Boolean.FALSE;
      int start = pos;
      if (pos < s.length() && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) pos++;
      while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) pos++;
      try {
        return new BigDecimal(s.substring(start, pos));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "expected a literal ('text', a number, true or false) at position " + (start + 1));
      }
    }
  }
}
