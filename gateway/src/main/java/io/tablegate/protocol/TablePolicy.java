package io.tablegate.protocol;

import java.util.List;

/**
 * What one recipient may read of one table of a share: columns allowed ({@code columns}, null for
 * all) or denied ({@code exceptColumns}), and the rows that pass {@code filter} (null: every row),
 * enforced by the gateway in the data path.
 *
 * @param recipient a recipient's name, or a token's id (a share token, a configured token)
 * @param table {@code schema.table} within the share
 */
public record TablePolicy(
    String recipient,
    String table,
    List<String> columns,
    List<String> exceptColumns,
    RowFilter filter) {
  public TablePolicy {
    columns = columns == null ? null : List.copyOf(columns);
    exceptColumns = exceptColumns == null ? List.of() : List.copyOf(exceptColumns);
  }

  /** Whether this policy lets {@code column} (a top-level column) be read. */
  public boolean allows(String column) {
    if (exceptColumns.stream().anyMatch(c -> c.equalsIgnoreCase(column))) return false;
    return columns == null || columns.stream().anyMatch(c -> c.equalsIgnoreCase(column));
  }

  /**
   * A policy from its JSON/YAML form {@code {recipient, table, columns, exceptColumns, filter}}
   * (columns as a list or a comma-separated string); IllegalArgumentException says what is wrong.
   */
  public static TablePolicy fromJson(com.fasterxml.jackson.databind.JsonNode n) {
    if (n == null || !n.isObject()) throw new IllegalArgumentException("a policy is an object");
    for (java.util.Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!java.util.Set.of("recipient", "table", "columns", "exceptColumns", "filter").contains(k))
        throw new IllegalArgumentException("unknown policy key '" + k + "'");
    }
    String recipient = n.path("recipient").asText("");
    if (!recipient.matches("[A-Za-z0-9_.:@-]{1,255}"))
      throw new IllegalArgumentException(
          "a policy needs 'recipient' (a recipient name or token id)");
    String table = n.path("table").asText("");
    if (!table.matches("[^.\\s]+\\.[^.\\s]+"))
      throw new IllegalArgumentException(
          "a policy needs 'table' as SCHEMA.TABLE, got '" + table + "'");
    List<String> columns = names(n.get("columns"), "columns");
    List<String> except = names(n.get("exceptColumns"), "exceptColumns");
    if (columns == null && except == null && (n.get("filter") == null || n.get("filter").isNull()))
      throw new IllegalArgumentException("a policy needs columns, exceptColumns or a filter");
    RowFilter filter = null;
    if (n.get("filter") != null && !n.get("filter").isNull()) {
      if (!n.get("filter").isTextual())
        throw new IllegalArgumentException("a policy's filter is a text");
      try {
        filter = RowFilter.parse(n.get("filter").asText());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the filter cannot be read: " + e.getMessage());
      }
    }
    return new TablePolicy(recipient, table, columns, except, filter);
  }

  private static List<String> names(com.fasterxml.jackson.databind.JsonNode v, String key) {
    if (v == null || v.isNull()) return null;
    List<String> out = new java.util.ArrayList<>();
    if (v.isTextual()) {
      for (String c : v.asText().split(",")) if (!c.isBlank()) out.add(c.trim());
    } else if (v.isArray()) {
      for (com.fasterxml.jackson.databind.JsonNode c : v) {
        if (!c.isTextual() || c.asText().isBlank())
          throw new IllegalArgumentException(key + " must list column names");
        out.add(c.asText().trim());
      }
    } else throw new IllegalArgumentException(key + " must list column names");
    if (out.size() > 10_000) throw new IllegalArgumentException(key + " lists too many columns");
    return out;
  }

  /** The policy's JSON form (as {@link #fromJson} reads it). */
  public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
    var n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    n.put("recipient", recipient).put("table", table);
    if (columns != null) columns.forEach(n.putArray("columns")::add);
    if (!exceptColumns.isEmpty()) exceptColumns.forEach(n.putArray("exceptColumns")::add);
    if (filter != null) n.put("filter", filter.canonical());
    return n;
  }

  /** A canonical text of the policy: part of every cache key and rewritten file it reaches. */
  public String fingerprint() {
    return "cols="
        + (columns == null ? "*" : String.join(",", columns))
        + ";except="
        + String.join(",", exceptColumns)
        + ";filter="
        + (filter == null ? "" : filter.canonical());
  }
}
