package io.tablegate.catalog;

/**
 * A table as the catalog knows it: names in their configured case, a stable id, and where it lives.
 *
 * @param location absolute URI of the table root ({@code file:/...})
 */
public record SharedTable(
    String share, String schema, String name, String id, String shareId, String location, String format,
    boolean historyShared, long startVersion) {

  /** {@code share.schema.table}, as used in protocol error messages. */
  public String qualifiedName() {
    return share + "." + schema + "." + name;
  }
}
