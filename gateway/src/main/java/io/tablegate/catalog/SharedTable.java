package io.tablegate.catalog;

/**
 * A table as the catalog knows it: names in their configured case, a stable id, and where it lives.
 *
 * @param location absolute URI of the table root ({@code file:/...} or {@code s3://bucket/prefix})
 * @param store the object store of an {@code s3://} table, null for local tables
 * @param presigned true when recipients download straight from the store with presigned URLs, false
 *     when files go through the gateway's own signed URLs
 * @param directoryAccess whether recipients may ask for temporary credentials to read the table's
 *     directory in the store (its share opted in and the table is in a store)
 */
public record SharedTable(
    String share,
    String schema,
    String name,
    String id,
    String shareId,
    String location,
    String format,
    boolean historyShared,
    long startVersion,
    String store,
    boolean presigned,
    boolean directoryAccess,
    java.util.Map<String, io.tablegate.protocol.TablePolicy> policies) {

  public SharedTable {
    policies = policies == null ? java.util.Map.of() : java.util.Map.copyOf(policies);
  }

  /**
   * The policy that restricts what {@code who} reads of this table (by its recipient name, else its
   * token id), or null when it reads the whole table.
   */
  public io.tablegate.protocol.TablePolicy policyFor(io.tablegate.auth.Recipient who) {
    if (policies.isEmpty()) return null;
    io.tablegate.protocol.TablePolicy p =
        policies.get(who.name().toLowerCase(java.util.Locale.ROOT));
    return p != null ? p : policies.get(who.id().toLowerCase(java.util.Locale.ROOT));
  }

  /** {@code share.schema.table}, as used in protocol error messages. */
  public String qualifiedName() {
    return share + "." + schema + "." + name;
  }
}
