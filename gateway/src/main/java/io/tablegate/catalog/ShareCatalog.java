package io.tablegate.catalog;

import io.tablegate.auth.Recipient;
import io.tablegate.config.SchemaConfig;
import io.tablegate.config.ShareConfig;
import io.tablegate.config.TableConfig;
import io.tablegate.protocol.Page;
import io.tablegate.protocol.Schema;
import io.tablegate.protocol.Share;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.Table;
import io.tablegate.protocol.Tokens;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The share → schema → table registry, in configuration order. Names resolve case-insensitively. A
 * recipient sees only the shares it may read; any other share is reported as not existing, so its
 * name does not leak. Immutable and thread-safe.
 */
public final class ShareCatalog {
  public static final int MAX_RESULTS = 500;

  private record SchemaEntry(String name, Map<String, SharedTable> tables) {}

  private record ShareEntry(Share share, Map<String, SchemaEntry> schemas) {}

  private final Map<String, ShareEntry> shares = new LinkedHashMap<>();

  public ShareCatalog(List<ShareConfig> config) {
    for (ShareConfig s : config) {
      String shareId = s.id() != null ? s.id() : stableUuid("share:" + s.name());
      Map<String, SchemaEntry> schemas = new LinkedHashMap<>();
      for (SchemaConfig sc : s.schemas()) {
        Map<String, SharedTable> tables = new LinkedHashMap<>();
        for (TableConfig t : sc.tables()) {
          String id =
              t.id() != null && !t.id().isBlank()
                  ? t.id()
                  : stableUuid("table:" + s.name() + "." + sc.name() + "." + t.name());
          tables.put(
              key(t.name()),
              new SharedTable(
                  s.name(),
                  sc.name(),
                  t.name(),
                  id,
                  shareId,
                  t.location(),
                  t.format(),
                  t.historyShared(),
                  t.startVersion(),
                  t.store(),
                  "presigned".equals(t.fileAccess()) && t.store() != null,
                  s.directoryAccess() && t.store() != null,
                  policies(s, sc.name(), t.name())));
        }
        schemas.put(key(sc.name()), new SchemaEntry(sc.name(), tables));
      }
      shares.put(
          key(s.name()),
          new ShareEntry(
              new Share(s.name(), shareId, s.displayName(), s.comment(), s.properties()), schemas));
    }
  }

  /** The share's policies on one table, by recipient (lower-cased). */
  private static Map<String, io.tablegate.protocol.TablePolicy> policies(
      ShareConfig s, String schema, String table) {
    Map<String, io.tablegate.protocol.TablePolicy> out = new LinkedHashMap<>();
    for (io.tablegate.protocol.TablePolicy p : s.policies()) {
      if (p.table().equalsIgnoreCase(schema + "." + table))
        out.put(p.recipient().toLowerCase(Locale.ROOT), p);
    }
    return out;
  }

  /** A table as listings show it: with its location when it is offered in directory mode. */
  private static Table listed(SharedTable t, String schema, String share) {
    return new Table(
        t.name(), schema, share, t.shareId(), t.id(), t.directoryAccess() ? t.location() : null);
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static String stableUuid(String seed) {
    return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }

  public Page<Share> listShares(Recipient who, Integer maxResults, String pageToken) {
    List<Share> visible = new ArrayList<>();
    for (ShareEntry e : shares.values()) if (who.canRead(e.share().name())) visible.add(e.share());
    return page(visible, maxResults, pageToken, "shares", "", "");
  }

  public Share share(Recipient who, String share) {
    return shareEntry(who, share).share();
  }

  public Page<Schema> listSchemas(
      Recipient who, String share, Integer maxResults, String pageToken) {
    ShareEntry e = shareEntry(who, share);
    List<Schema> out = new ArrayList<>();
    for (SchemaEntry s : e.schemas().values()) out.add(new Schema(s.name(), share));
    return page(out, maxResults, pageToken, "schemas", share, "");
  }

  public Page<Table> listTables(
      Recipient who, String share, String schema, Integer maxResults, String pageToken) {
    SchemaEntry s = schemaEntry(who, share, schema);
    List<Table> out = new ArrayList<>();
    for (SharedTable t : s.tables().values()) out.add(listed(t, schema, share));
    return page(out, maxResults, pageToken, "tables", share, schema);
  }

  public Page<Table> listAllTables(
      Recipient who, String share, Integer maxResults, String pageToken) {
    ShareEntry e = shareEntry(who, share);
    List<Table> out = new ArrayList<>();
    for (SchemaEntry s : e.schemas().values()) {
      for (SharedTable t : s.tables().values()) out.add(listed(t, s.name(), share));
    }
    return page(out, maxResults, pageToken, "all-tables", share, "");
  }

  public SharedTable table(Recipient who, String share, String schema, String table) {
    SharedTable t = schemaEntry(who, share, schema).tables().get(key(table));
    if (t == null) throw SharingErrors.noSuchTable(share, schema, table);
    return t;
  }

  /** Every table, for startup checks and cache warm-up. */
  public List<SharedTable> allTables() {
    List<SharedTable> out = new ArrayList<>();
    for (ShareEntry e : shares.values())
      for (SchemaEntry s : e.schemas().values()) out.addAll(s.tables().values());
    return out;
  }

  private ShareEntry shareEntry(Recipient who, String share) {
    ShareEntry e = shares.get(key(share));
    if (e == null || !who.canRead(e.share().name())) throw SharingErrors.noSuchShare(share);
    return e;
  }

  private SchemaEntry schemaEntry(Recipient who, String share, String schema) {
    SchemaEntry s = shareEntry(who, share).schemas().get(key(schema));
    if (s == null) throw SharingErrors.noSuchSchema(share, schema);
    return s;
  }

  private static <T> Page<T> page(
      List<T> all, Integer maxResults, String pageToken, String kind, String share, String schema) {
    int max = maxResults == null ? MAX_RESULTS : maxResults;
    if (max < 0 || max > MAX_RESULTS) {
      throw SharingErrors.invalidParameter(
          "Acceptable values of 'maxResults' are 0 to "
              + MAX_RESULTS
              + ", inclusive. (Default: "
              + MAX_RESULTS
              + ")");
    }
    int start = 0;
    if (pageToken != null && !pageToken.isEmpty()) {
      Map<String, Object> t;
      try {
        t = Tokens.decode(pageToken);
      } catch (IllegalArgumentException e) {
        throw SharingErrors.invalidParameter("invalid 'nextPageToken': cannot decode it");
      }
      if (!kind.equals(t.get("k"))
          || !key(share).equals(t.get("s"))
          || !key(schema).equals(t.get("c"))
          || !(t.get("i") instanceof Number n)) {
        throw SharingErrors.invalidParameter(
            "invalid 'nextPageToken': it belongs to another listing");
      }
      start = n.intValue();
      if (start < 0 || start > all.size())
        throw SharingErrors.invalidParameter("invalid 'nextPageToken': out of range");
    }
    int end = (int) Math.min((long) start + max, all.size());
    String next = null;
    if (end < all.size()) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("k", kind);
      t.put("s", key(share));
      t.put("c", key(schema));
      t.put("i", end);
      next = Tokens.encode(t);
    }
    return new Page<>(all.subList(start, end), next);
  }
}
