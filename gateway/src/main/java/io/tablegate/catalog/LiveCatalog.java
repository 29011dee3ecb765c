package io.tablegate.catalog;

import static io.tablegate.catalog.CatalogDocument.same;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.auth.OidcPolicy;
import io.tablegate.auth.Recipient;
import io.tablegate.auth.TokenAuthenticator;
import io.tablegate.auth.TokenEntry;
import io.tablegate.auth.TokenIssuer;
import io.tablegate.catalog.CatalogDocument.OidcMatch;
import io.tablegate.catalog.CatalogDocument.Schema;
import io.tablegate.catalog.CatalogDocument.Share;
import io.tablegate.catalog.CatalogDocument.Token;
import io.tablegate.config.Cidr;
import io.tablegate.config.ConfigException;
import io.tablegate.config.ConfigLoader;
import io.tablegate.config.GatewayConfig;
import io.tablegate.config.ShareConfig;
import io.tablegate.config.TokenConfig;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.SharingException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog as it is now: the configuration file's shares and tokens (the static base, read-only
 * here) plus the live definitions made through the admin API (shares, recipients, tokens), a typed
 * {@link CatalogDocument} kept in a {@link CatalogStore} that every instance shares. Readers get an
 * immutable {@link View}; changes are compare-and-set on the store's version (retried on conflict),
 * so concurrent admins never lose an update, and every instance picks up the new version by {@link
 * #refresh()} (polled, and triggered by change events). Token secrets come from the {@link
 * TokenIssuer} and are never stored: only their SHA-256.
 */
public final class LiveCatalog {
  private static final Logger LOGGER = LoggerFactory.getLogger(LiveCatalog.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_ATTEMPTS = 32;

  /** Prefix of generated bearer tokens (recognizable in secret scanners). */
  public static final String TOKEN_PREFIX = TokenIssuer.TOKEN_PREFIX;

  /** One consistent state of the catalog. */
  public record View(
      long version,
      ShareCatalog catalog,
      Map<String, TokenEntry> tokensBySha256,
      List<OidcPolicy> policies,
      CatalogDocument document) {}

  /** What a change made: the next document and the admin API's answer. */
  private record Changed(CatalogDocument document, JsonNode result) {}

  private final GatewayConfig base;
  private final Path baseDir;
  private final CatalogStore store;
  private final Clock clock;
  private final java.util.function.Supplier<String> publicEndpoint;
  private final List<Consumer<View>> listeners = new CopyOnWriteArrayList<>();
  private volatile View view;

  /**
   * @param publicEndpoint the sharing endpoint recipients use, written into profile files
   */
  public LiveCatalog(
      GatewayConfig base,
      Path baseDir,
      CatalogStore store,
      Clock clock,
      java.util.function.Supplier<String> publicEndpoint) {
    this.base = base;
    this.baseDir = baseDir;
    this.store = store;
    this.clock = clock;
    this.publicEndpoint = publicEndpoint;
    CatalogStore.Stored stored =
        store == null ? new CatalogStore.Stored(new byte[0], 0) : store.read();
    this.view = build(CatalogDocumentCodec.read(stored.content()), stored.version(), false);
  }

  public View view() {
    return view;
  }

  public ShareCatalog catalog() {
    return view.catalog();
  }

  /**
   * Called with every new view (new tables to route, caches to warm); on the thread that saw the
   * change.
   */
  public void onChange(Consumer<View> listener) {
    listeners.add(listener);
  }

  /** Loads the store's newest version if it changed; blocking. Returns true if the view changed. */
  public boolean refresh() {
    if (store == null) return false;
    long v = store.version();
    if (v == view.version()) return false;
    CatalogStore.Stored stored = store.read();
    synchronized (this) {
      if (stored.version() <= view.version()) return false;
      install(build(CatalogDocumentCodec.read(stored.content()), stored.version(), false));
    }
    return true;
  }

  private void install(View v) {
    view = v;
    for (Consumer<View> l : listeners) {
      try {
        l.accept(v);
      } catch (RuntimeException e) {
        LOGGER.atWarn().setCause(e).log("A catalog change listener failed");
      }
    }
  }

  // ---- the view of a document ----------------------------------------------------------------

  /**
   * The view of {@code doc} over the static base. With {@code strict}, an invalid live share is an
   * error (a change being made); otherwise it is logged and left out (a stored state that a later
   * config change made invalid must not take the other shares down).
   */
  private View build(CatalogDocument doc, long version, boolean strict) {
    List<ShareConfig> shares = new ArrayList<>(base.shares());
    Set<String> names = new LinkedHashSet<>();
    for (ShareConfig s : base.shares()) names.add(key(s.name()));
    for (Share s : doc.shares()) {
      ArrayNode one = MAPPER.createArrayNode().add(CatalogDocumentCodec.share(s));
      try {
        ShareConfig parsed = ConfigLoader.parseShares(one, base, baseDir).get(0);
        if (!names.add(key(parsed.name())))
          throw new ConfigException(List.of("share '" + parsed.name() + "' is defined twice"));
        shares.add(parsed);
      } catch (ConfigException e) {
        if (strict) throw SharingErrors.invalidParameter(String.join("; ", e.problems()));
        LOGGER
            .atError()
            .addKeyValue("share", s.name())
            .addKeyValue("problems", e.problems())
            .log("A live share is invalid under the current configuration and is not served");
      }
    }
    Map<String, List<String>> recipientShares = new LinkedHashMap<>();
    Map<String, List<Cidr>> recipientNetworks = new LinkedHashMap<>();
    List<OidcPolicy> policies = new ArrayList<>();
    for (CatalogDocument.Recipient r : doc.recipients()) {
      recipientShares.put(key(r.name()), r.shares());
      List<Cidr> networks = networks(r);
      recipientNetworks.put(key(r.name()), networks);
      OidcMatch o = r.oidc();
      if (o != null)
        policies.add(
            new OidcPolicy(
                r.name(),
                o.issuer(),
                o.audience(),
                o.claim(),
                o.value(),
                Set.copyOf(r.shares()),
                networks));
    }
    Map<String, TokenEntry> tokens = new LinkedHashMap<>();
    for (TokenConfig t : base.tokens())
      tokens.put(HexFormat.of().formatHex(t.sha256()), TokenAuthenticator.entry(t));
    for (Token t : doc.tokens()) {
      Set<String> ts = new LinkedHashSet<>();
      if (t.recipient() != null)
        ts.addAll(recipientShares.getOrDefault(key(t.recipient()), List.of()));
      ts.addAll(t.shares());
      List<Cidr> networks =
          t.recipient() == null
              ? List.of()
              : recipientNetworks.getOrDefault(key(t.recipient()), List.of());
      tokens.put(
          t.sha256(),
          new TokenEntry(
              t.id(),
              new Recipient(t.id(), false, ts, networks, t.recipient()),
              t.expiresAt(),
              t.revokedAt()));
    }
    return new View(
        version, new ShareCatalog(shares), Map.copyOf(tokens), List.copyOf(policies), doc);
  }

  /**
   * A recipient's allowed networks; one that no longer parses is left out, and if none is left, the
   * recipient may connect from nowhere (a stored restriction never silently widens to "anywhere").
   */
  private static List<Cidr> networks(CatalogDocument.Recipient r) {
    List<Cidr> out = new ArrayList<>();
    for (String n : r.allowedNetworks()) {
      try {
        out.add(Cidr.parse(n));
      } catch (IllegalArgumentException e) {
        LOGGER
            .atError()
            .addKeyValue("recipient", r.name())
            .log("A stored allowed network is invalid and ignored");
      }
    }
    if (out.isEmpty() && !r.allowedNetworks().isEmpty()) out.add(Cidr.parse("0.0.0.0/32"));
    return out;
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  // ---- changing it -----------------------------------------------------------------------------

  /**
   * Applies {@code change} to the newest stored document and writes the result back if nobody wrote
   * in between (else retries on the newer document); blocking, on a worker thread. Returns the
   * change's answer.
   */
  private JsonNode mutate(Function<CatalogDocument, Changed> change) {
    if (store == null) {
      throw SharingErrors.unsupported(
          "The live catalog is off: configure 'admin.catalogFile' to change shares at run time");
    }
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      CatalogStore.Stored stored = store.read();
      Changed changed = change.apply(CatalogDocumentCodec.read(stored.content()));
      View next = build(changed.document(), stored.version() + 1, true);
      try {
        long written =
            store.write(CatalogDocumentCodec.write(changed.document()), stored.version());
        synchronized (this) {
          if (written > view.version())
            install(
                new View(
                    written,
                    next.catalog(),
                    next.tokensBySha256(),
                    next.policies(),
                    changed.document()));
        }
        return changed.result();
      } catch (CatalogStore.Conflict e) {
        LOGGER
            .atDebug()
            .addKeyValue("attempt", attempt + 1)
            .log("Concurrent catalog change; retrying on the newer state");
        // writers on several instances collide in step: a random pause, growing with the attempts,
        // spreads them.
        // This runs on a worker thread (the admin pool), never an event loop.
        try {
          Thread.sleep(
              java.util.concurrent.ThreadLocalRandom.current()
                  .nextLong(1, 10L * Math.min(attempt + 1, 10) + 2));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new SharingException(
        ErrorCode.TEMPORARILY_UNAVAILABLE,
        "The catalog is being changed concurrently; please retry");
  }

  private boolean isStaticShare(String name) {
    return base.shares().stream().anyMatch(s -> s.name().equalsIgnoreCase(name));
  }

  private Share liveShare(CatalogDocument doc, String share) {
    return doc.share(share)
        .orElseThrow(
            () ->
                isStaticShare(share)
                    ? SharingErrors.unsupported(
                        "Share '"
                            + share
                            + "' is defined in the configuration file; change it there")
                    : SharingErrors.noSuchShare(share));
  }

  private static void checkName(String kind, String name) {
    if (name == null || name.isBlank())
      throw SharingErrors.invalidParameter(kind + " name is required");
    if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,127}")) {
      throw SharingErrors.invalidParameter(
          kind
              + " name must be 1-128 characters of letters, digits, '_', '-' and '.', "
              + "not starting with '.' or '-'");
    }
  }

  /**
   * Changes a live share's {@code displayName}, {@code comment} and {@code properties} (what
   * recipients see in {@code GET /shares}): a field given replaces the old value, a JSON null
   * removes it.
   */
  public JsonNode describeShare(String name, JsonNode description) {
    return mutate(
        doc -> {
          Share s = liveShare(doc, name);
          Share described = describe(s, description);
          return new Changed(
              doc.mapShare(name, x -> described), CatalogDocumentCodec.share(described));
        });
  }

  /**
   * Sets one recipient's policy on one table of a live share (replacing the one it had on that
   * table): {@code {recipient, table, columns | exceptColumns, filter}}.
   */
  public JsonNode setPolicy(String name, JsonNode body) {
    io.tablegate.protocol.TablePolicy policy;
    try {
      policy = io.tablegate.protocol.TablePolicy.fromJson(body);
    } catch (IllegalArgumentException e) {
      throw SharingErrors.invalidParameter(e.getMessage());
    }
    return mutate(
        doc -> {
          Share s = liveShare(doc, name);
          String[] st = policy.table().split("\\.");
          boolean known =
              s.schema(st[0])
                  .map(
                      sc ->
                          sc.tables().stream().anyMatch(t -> same(t.path("name").asText(), st[1])))
                  .orElse(false);
          if (!known)
            throw new SharingException(
                ErrorCode.RESOURCE_DOES_NOT_EXIST,
                "Share '" + name + "' has no table '" + policy.table() + "'");
          List<ObjectNode> next = new ArrayList<>();
          for (ObjectNode p : s.policies()) if (!samePolicyTarget(p, policy)) next.add(p);
          next.add(policy.toJson());
          Share changed = s.withPolicies(next);
          return new Changed(doc.mapShare(name, x -> changed), CatalogDocumentCodec.share(changed));
        });
  }

  /** Removes a recipient's policy on a table of a live share (it then reads the whole table). */
  public JsonNode removePolicy(String name, String recipient, String table) {
    if (recipient == null || table == null)
      throw SharingErrors.invalidParameter("recipient and table are required");
    return mutate(
        doc -> {
          Share s = liveShare(doc, name);
          List<ObjectNode> next = new ArrayList<>();
          for (ObjectNode p : s.policies()) {
            if (!(same(p.path("recipient").asText(), recipient)
                && same(p.path("table").asText(), table))) next.add(p);
          }
          if (next.size() == s.policies().size())
            throw new SharingException(
                ErrorCode.RESOURCE_DOES_NOT_EXIST,
                "Share '" + name + "' has no policy for '" + recipient + "' on '" + table + "'");
          Share changed = s.withPolicies(next);
          return new Changed(doc.mapShare(name, x -> changed), CatalogDocumentCodec.share(changed));
        });
  }

  private static boolean samePolicyTarget(ObjectNode p, io.tablegate.protocol.TablePolicy policy) {
    return same(p.path("recipient").asText(), policy.recipient())
        && same(p.path("table").asText(), policy.table());
  }

  private static Share describe(Share s, JsonNode d) {
    if (d == null || d.isNull()) return s;
    String displayName = s.displayName();
    String comment = s.comment();
    java.util.Map<String, String> properties = s.properties();
    boolean directoryAccess = s.directoryAccess();
    if (d.has("directoryAccess")) {
      if (!d.get("directoryAccess").isBoolean())
        throw SharingErrors.invalidParameter("directoryAccess must be true or false");
      directoryAccess = d.get("directoryAccess").asBoolean();
    }
    if (d.has("displayName")) displayName = optionalText(d, "displayName");
    if (d.has("comment")) comment = optionalText(d, "comment");
    if (d.has("properties")) {
      JsonNode p = d.get("properties");
      java.util.Map<String, String> next = new java.util.LinkedHashMap<>();
      if (!p.isNull()) {
        if (!p.isObject())
          throw SharingErrors.invalidParameter("properties must be an object of strings");
        for (var it = p.fields(); it.hasNext(); ) {
          var e = it.next();
          if (!e.getValue().isTextual())
            throw SharingErrors.invalidParameter("properties values must be strings");
          next.put(e.getKey(), e.getValue().asText());
        }
      }
      properties = next;
    }
    // the limits are checked with the config's rules
    return s.described(displayName, comment, properties, directoryAccess);
  }

  private static String optionalText(JsonNode d, String field) {
    JsonNode v = d.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw SharingErrors.invalidParameter("'" + field + "' must be a string");
    return v.asText();
  }

  public JsonNode createShare(String name, String id, JsonNode description) {
    checkName("Share", name);
    if (id != null && !id.matches("[A-Za-z0-9][A-Za-z0-9_\\-]{0,127}")) {
      throw SharingErrors.invalidParameter(
          "Share id must be 1-128 characters of letters, digits, '_' and '-' (a UUID, for example)");
    }
    return mutate(
        doc -> {
          if (isStaticShare(name) || doc.share(name).isPresent()) {
            throw new SharingException(
                ErrorCode.RESOURCE_ALREADY_EXISTS, "Share '" + name + "' already exists");
          }
          Share s = describe(new Share(name, id, List.of()), description);
          return new Changed(
              doc.withShares(CatalogDocument.plus(doc.shares(), s)), CatalogDocumentCodec.share(s));
        });
  }

  /**
   * Removes a live share and takes it from every token and recipient; tokens left with no share are
   * revoked.
   */
  public JsonNode removeShare(String name) {
    return mutate(
        doc -> {
          Share s = liveShare(doc, name);
          Instant now = clock.instant();
          int[] revoked = {0};
          CatalogDocument next =
              doc.withShares(CatalogDocument.without(doc.shares(), x -> x == s))
                  .mapTokens(
                      t -> {
                        List<String> kept =
                            CatalogDocument.without(t.shares(), x -> x.equalsIgnoreCase(name));
                        if (kept.size() == t.shares().size()) return t;
                        Token changed = t.withShares(kept);
                        if (kept.isEmpty() && t.recipient() == null && t.revokedAt() == null) {
                          revoked[0]++;
                          return changed.revoked(now);
                        }
                        return changed;
                      })
                  .mapRecipients(
                      r ->
                          r.withShares(
                              CatalogDocument.without(r.shares(), x -> x.equalsIgnoreCase(name))));
          ObjectNode out = MAPPER.createObjectNode();
          out.put("removed", name);
          out.put("tokensRevoked", revoked[0]);
          return new Changed(next, out);
        });
  }

  public JsonNode addSchema(String share, String schema) {
    checkName("Schema", schema);
    if (schema.contains("."))
      throw SharingErrors.invalidParameter("Schema name must not contain '.'");
    return mutate(
        doc -> {
          Share s = liveShare(doc, share);
          if (s.schema(schema).isPresent()) {
            throw new SharingException(
                ErrorCode.RESOURCE_ALREADY_EXISTS,
                "Schema '" + share + "." + schema + "' already exists");
          }
          Schema sc = new Schema(schema, List.of());
          return new Changed(
              doc.mapShare(share, x -> x.withSchemas(CatalogDocument.plus(x.schemas(), sc))),
              CatalogDocumentCodec.schema(sc));
        });
  }

  public JsonNode removeSchema(String share, String schema) {
    return mutate(
        doc -> {
          Share s = liveShare(doc, share);
          if (s.schema(schema).isEmpty()) throw SharingErrors.noSuchSchema(share, schema);
          CatalogDocument next =
              doc.mapShare(
                  share,
                  x ->
                      x.withSchemas(
                          CatalogDocument.without(
                              x.schemas(), sc -> sc.name().equalsIgnoreCase(schema))));
          ObjectNode out = MAPPER.createObjectNode();
          out.put("removed", share + "." + schema);
          return new Changed(next, out);
        });
  }

  /**
   * Adds a table (the same keys as a table in the configuration file), creating the schema if
   * needed.
   */
  public JsonNode addTable(String share, String schema, JsonNode table) {
    if (!(table instanceof ObjectNode t))
      throw SharingErrors.malformed("The table definition must be a JSON object");
    checkName("Schema", schema);
    String name = t.path("name").asText(null);
    return mutate(
        doc -> {
          Share s = liveShare(doc, share);
          Schema sc = s.schema(schema).orElse(new Schema(schema, List.of()));
          checkName("Table", name);
          if (sc.hasTable(name)) {
            throw new SharingException(
                ErrorCode.RESOURCE_ALREADY_EXISTS,
                "Table '" + share + "." + schema + "." + name + "' already exists");
          }
          Schema grown = new Schema(sc.name(), CatalogDocument.plus(sc.tables(), t.deepCopy()));
          List<Schema> schemas =
              s.schema(schema).isPresent()
                  ? s.schemas().stream()
                      .map(x -> x.name().equalsIgnoreCase(schema) ? grown : x)
                      .toList()
                  : CatalogDocument.plus(s.schemas(), grown);
          return new Changed(doc.mapShare(share, x -> x.withSchemas(schemas)), t.deepCopy());
        });
  }

  public JsonNode removeTable(String share, String schema, String table) {
    return mutate(
        doc -> {
          Schema sc =
              liveShare(doc, share)
                  .schema(schema)
                  .orElseThrow(() -> SharingErrors.noSuchSchema(share, schema));
          if (!sc.hasTable(table)) throw SharingErrors.noSuchTable(share, schema, table);
          Schema shrunk =
              new Schema(
                  sc.name(),
                  CatalogDocument.without(
                      sc.tables(), x -> x.path("name").asText().equalsIgnoreCase(table)));
          CatalogDocument next =
              doc.mapShare(
                  share,
                  x ->
                      x.withSchemas(
                          x.schemas().stream()
                              .map(y -> y.name().equalsIgnoreCase(schema) ? shrunk : y)
                              .toList()));
          ObjectNode out = MAPPER.createObjectNode();
          out.put("removed", share + "." + schema + "." + table);
          return new Changed(next, out);
        });
  }

  /**
   * Every share as a tree of schemas and tables with their formats and locations; {@code source} is
   * config or live.
   */
  public JsonNode shares() {
    ArrayNode out = MAPPER.createArrayNode();
    for (SharedTreeShare s : tree()) out.add(s.json());
    return out;
  }

  public JsonNode share(String name) {
    for (SharedTreeShare s : tree()) if (s.name().equalsIgnoreCase(name)) return s.json();
    throw SharingErrors.noSuchShare(name);
  }

  private record SharedTreeShare(String name, ObjectNode json) {}

  private List<SharedTreeShare> tree() {
    View v = view;
    Map<String, ObjectNode> byShare = new LinkedHashMap<>();
    Recipient all = new Recipient("admin", true, Set.of());
    for (io.tablegate.protocol.Share s :
        v.catalog().listShares(all, ShareCatalog.MAX_RESULTS, null).items()) {
      ObjectNode n = MAPPER.createObjectNode();
      n.put("name", s.name());
      n.put("id", s.id());
      n.put("source", isStaticShare(s.name()) ? "config" : "live");
      if (s.displayName() != null) n.put("displayName", s.displayName());
      if (s.comment() != null) n.put("comment", s.comment());
      if (!s.properties().isEmpty()) {
        ObjectNode p = n.putObject("properties");
        s.properties().forEach(p::put);
      }
      n.putObject("schemas");
      byShare.put(key(s.name()), n);
    }
    for (SharedTable t : v.catalog().allTables()) {
      ObjectNode share = byShare.get(key(t.share()));
      if (share == null) continue;
      ObjectNode schemas = (ObjectNode) share.get("schemas");
      ObjectNode schema =
          schemas.has(t.schema())
              ? (ObjectNode) schemas.get(t.schema())
              : schemas.putObject(t.schema());
      ObjectNode table = schema.putObject(t.name());
      table.put("id", t.id());
      table.put("format", t.format());
      table.put("location", t.location());
      table.put("historyShared", t.historyShared());
      if (t.store() != null) table.put("store", t.store());
      table.put("fileAccess", t.presigned() ? "presigned" : "proxy");
      // the recipient policies on this table (config and live shares alike)
      if (!t.policies().isEmpty()) {
        var policies = table.putArray("policies");
        t.policies().values().forEach(p -> policies.add(p.toJson()));
      }
    }
    // schemas without tables exist only in the live document
    for (Share s : v.document().shares()) {
      ObjectNode share = byShare.get(key(s.name()));
      if (share == null) continue;
      for (Schema sc : s.schemas()) {
        ObjectNode schemas = (ObjectNode) share.get("schemas");
        if (!schemas.has(sc.name())) schemas.putObject(sc.name());
      }
    }
    List<SharedTreeShare> out = new ArrayList<>();
    byShare.values().forEach(n -> out.add(new SharedTreeShare(n.path("name").asText(), n)));
    return out;
  }

  // ---- recipients and tokens -------------------------------------------------------------------

  /**
   * Creates a recipient: a name holding shares, optionally recognized by an OIDC policy (tokens
   * from {@code issuer} whose {@code claim} equals {@code value}, for {@code audience}); with
   * {@code allowedNetworks} (CIDRs) its requests, and downloads through the gateway, are accepted
   * only from those networks.
   */
  public JsonNode createRecipient(
      String name, List<String> shares, JsonNode oidc, List<String> allowedNetworks) {
    checkName("Recipient", name);
    if (allowedNetworks.size() > 100)
      throw SharingErrors.invalidParameter("at most 100 allowedNetworks");
    List<String> networks = new ArrayList<>();
    for (String n : allowedNetworks) {
      try {
        networks.add(Cidr.parse(n).toString());
      } catch (IllegalArgumentException e) {
        throw SharingErrors.invalidParameter("allowedNetworks: " + e.getMessage());
      }
    }
    OidcMatch match = null;
    if (oidc != null && !oidc.isNull()) {
      if (!oidc.isObject()
          || oidc.path("issuer").asText("").isBlank()
          || oidc.path("value").asText("").isBlank()) {
        throw SharingErrors.invalidParameter(
            "oidc needs 'issuer' and 'value' (and optionally 'audience' and 'claim', default sub)");
      }
      match =
          new OidcMatch(
              oidc.path("issuer").asText(),
              oidc.hasNonNull("audience") ? oidc.path("audience").asText() : null,
              oidc.path("claim").asText("sub"),
              oidc.path("value").asText());
    }
    OidcMatch policy = match;
    return mutate(
        doc -> {
          if (doc.recipient(name).isPresent()) {
            throw new SharingException(
                ErrorCode.RESOURCE_ALREADY_EXISTS, "Recipient '" + name + "' already exists");
          }
          for (String s : shares) requireShare(doc, s);
          CatalogDocument.Recipient r =
              new CatalogDocument.Recipient(name, shares, policy, clock.instant(), networks);
          return new Changed(
              doc.withRecipients(CatalogDocument.plus(doc.recipients(), r)),
              CatalogDocumentCodec.recipient(r));
        });
  }

  private void requireShare(CatalogDocument doc, String share) {
    if (isStaticShare(share)) return;
    if (doc.share(share).isEmpty()) throw SharingErrors.noSuchShare(share);
  }

  private static SharingException noSuchRecipient(String name) {
    return new SharingException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST, "Recipient '" + name + "' does not exist");
  }

  /**
   * The ids a recipient's requests carry: its tokens' ids, and {@code oidc:<value>} when its OIDC
   * policy matches on the subject. 404 for an unknown recipient.
   */
  public java.util.Set<String> recipientIds(String name) {
    CatalogDocument doc = view.document();
    CatalogDocument.Recipient r = doc.recipient(name).orElseThrow(() -> noSuchRecipient(name));
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (Token t : doc.tokens()) if (r.name().equalsIgnoreCase(t.recipient())) ids.add(t.id());
    if (r.oidc() != null && "sub".equals(r.oidc().claim())) ids.add("oidc:" + r.oidc().value());
    return ids;
  }

  public JsonNode recipients() {
    ArrayNode out = MAPPER.createArrayNode();
    view.document().recipients().forEach(r -> out.add(CatalogDocumentCodec.recipient(r)));
    return out;
  }

  /** Grants ({@code add}) or withdraws a share from a recipient; its tokens follow at once. */
  public JsonNode grant(String recipient, String share, boolean add) {
    return mutate(
        doc -> {
          CatalogDocument.Recipient r =
              doc.recipient(recipient).orElseThrow(() -> noSuchRecipient(recipient));
          List<String> shares = CatalogDocument.without(r.shares(), x -> x.equalsIgnoreCase(share));
          if (add) {
            requireShare(doc, share);
            shares = CatalogDocument.plus(shares, share);
          }
          CatalogDocument.Recipient changed = r.withShares(shares);
          return new Changed(
              doc.mapRecipients(x -> x == r ? changed : x),
              CatalogDocumentCodec.recipient(changed));
        });
  }

  /** Removes a recipient and revokes its tokens. */
  public JsonNode removeRecipient(String name) {
    return mutate(
        doc -> {
          if (doc.recipient(name).isEmpty()) throw noSuchRecipient(name);
          Instant now = clock.instant();
          int[] revoked = {0};
          CatalogDocument next =
              doc.withRecipients(
                      CatalogDocument.without(
                          doc.recipients(), r -> r.name().equalsIgnoreCase(name)))
                  .mapTokens(
                      t -> {
                        if (!name.equalsIgnoreCase(t.recipient()) || t.revokedAt() != null)
                          return t;
                        revoked[0]++;
                        return t.revoked(now);
                      });
          ObjectNode out = MAPPER.createObjectNode();
          out.put("removed", name);
          out.put("tokensRevoked", revoked[0]);
          return new Changed(next, out);
        });
  }

  // ---- single-use activation links --------------------------------------------------------------

  /** The longest an activation link may stay open. */
  static final Duration MAX_LINK_LIFETIME = Duration.ofDays(30);

  /**
   * Creates a single-use activation link for a share or a recipient: whoever opens it first
   * receives the profile of a token minted then (expiring at {@code tokenExpiresAt}); the link then
   * answers 404, as it does once {@code linkLifetime} has passed. Only the SHA-256 of the link's
   * code is stored; the link is shown once.
   */
  public JsonNode createActivation(
      String share,
      String recipient,
      String description,
      Instant tokenExpiresAt,
      Duration linkLifetime) {
    if ((share == null) == (recipient == null))
      throw SharingErrors.invalidParameter("Give either a share or a recipient");
    if (linkLifetime.isNegative()
        || linkLifetime.isZero()
        || linkLifetime.compareTo(MAX_LINK_LIFETIME) > 0)
      throw SharingErrors.invalidParameter("the link must expire within 1 second to 30 days");
    if (tokenExpiresAt != null && !tokenExpiresAt.isAfter(clock.instant().plus(linkLifetime)))
      throw SharingErrors.invalidParameter(
          "the token must outlive the link (expiresAt after the link's expiry)");
    if (description != null && description.length() > 500)
      throw SharingErrors.invalidParameter("description is longer than 500 characters");
    TokenIssuer.Minted code = TokenIssuer.mint();
    String id = "act_" + code.id().substring(4);
    JsonNode stored =
        mutate(
            doc -> {
              if (share != null) requireShare(doc, share);
              if (recipient != null && doc.recipient(recipient).isEmpty())
                throw noSuchRecipient(recipient);
              Instant now = clock.instant();
              CatalogDocument.Activation a =
                  new CatalogDocument.Activation(
                      id,
                      code.sha256(),
                      share,
                      recipient,
                      description,
                      now,
                      now.plus(linkLifetime),
                      tokenExpiresAt,
                      null);
              // links used or expired more than a day ago are dropped: the document stays small
              List<CatalogDocument.Activation> kept =
                  CatalogDocument.without(
                      doc.activations(),
                      x ->
                          !x.open(now)
                              && (x.usedAt() != null ? x.usedAt() : x.expiresAt())
                                  .isBefore(now.minus(Duration.ofDays(1))));
              ObjectNode out = MAPPER.createObjectNode();
              out.put("id", id);
              if (share != null) out.put("share", share);
              if (recipient != null) out.put("recipient", recipient);
              out.put("expiresAt", a.expiresAt().toString());
              if (tokenExpiresAt != null) out.put("tokenExpiresAt", tokenExpiresAt.toString());
              return new Changed(doc.withActivations(CatalogDocument.plus(kept, a)), out);
            });
    ObjectNode out = ((ObjectNode) stored).deepCopy();
    out.put("activationUrl", publicEndpoint.get() + "/activate/" + code.secret());
    return out;
  }

  /**
   * The profile of a token minted for the first caller of a valid, open activation code; null for
   * any other code (unknown, used, expired: never said which). Blocking. Concurrent callers on any
   * number of instances: the catalog's compare-and-set lets exactly one of them mark the link used.
   */
  public byte[] redeemActivation(String code) {
    if (code == null || code.isEmpty() || code.length() > 128) return null;
    String hash = HexFormat.of().formatHex(ConfigLoader.sha256(code));
    Instant seen = clock.instant();
    // unknown codes are refused from memory: guessing costs the store nothing
    if (view.document().activations().stream()
        .noneMatch(a -> a.sha256().equals(hash) && a.open(seen))) return null;
    TokenIssuer.Minted minted = TokenIssuer.mint();
    Instant[] expiry = new Instant[1];
    try {
      mutate(
          doc -> {
            Instant now = clock.instant();
            CatalogDocument.Activation a =
                doc.activations().stream()
                    .filter(x -> x.sha256().equals(hash) && x.open(now))
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new SharingException(
                                ErrorCode.RESOURCE_DOES_NOT_EXIST, "no such link"));
            if (a.share() != null) requireShare(doc, a.share());
            if (a.recipient() != null && doc.recipient(a.recipient()).isEmpty())
              throw noSuchRecipient(a.recipient());
            expiry[0] = a.tokenExpiresAt();
            Token t =
                new Token(
                    minted.id(),
                    minted.sha256(),
                    a.share() == null ? List.of() : List.of(a.share()),
                    a.recipient(),
                    a.description() == null ? "activation " + a.id() : a.description(),
                    now,
                    a.tokenExpiresAt(),
                    null,
                    null);
            CatalogDocument next =
                doc.withActivations(
                    doc.activations().stream().map(x -> x == a ? x.used(now) : x).toList());
            return new Changed(
                next.withTokens(CatalogDocument.plus(next.tokens(), t)), MAPPER.createObjectNode());
          });
    } catch (SharingException e) {
      if (e.errorCode() == ErrorCode.RESOURCE_DOES_NOT_EXIST) return null;
      throw e;
    }
    try {
      return MAPPER
          .writerWithDefaultPrettyPrinter()
          .writeValueAsBytes(profile(minted.secret(), expiry[0]));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Creates a bearer token for a share or a recipient. The result holds the secret and a profile
   * file: they are shown once and never stored (only the SHA-256 is).
   */
  public JsonNode createToken(
      String share, String recipient, String description, Instant expiresAt) {
    if ((share == null) == (recipient == null))
      throw SharingErrors.invalidParameter("Give either a share or a recipient");
    if (expiresAt != null && !expiresAt.isAfter(clock.instant()))
      throw SharingErrors.invalidParameter("expiresAt must be in the future");
    if (description != null && description.length() > 500)
      throw SharingErrors.invalidParameter("description is longer than 500 characters");
    TokenIssuer.Minted minted = TokenIssuer.mint();
    JsonNode stored =
        mutate(
            doc -> {
              if (share != null) requireShare(doc, share);
              if (recipient != null && doc.recipient(recipient).isEmpty())
                throw noSuchRecipient(recipient);
              Token t =
                  new Token(
                      minted.id(),
                      minted.sha256(),
                      share == null ? List.of() : List.of(share),
                      recipient,
                      description,
                      clock.instant(),
                      expiresAt,
                      null,
                      null);
              return new Changed(
                  doc.withTokens(CatalogDocument.plus(doc.tokens(), t)),
                  CatalogDocumentCodec.publicToken(t, clock.instant()));
            });
    ObjectNode out = ((ObjectNode) stored).deepCopy();
    out.put("token", minted.secret());
    out.set("profile", profile(minted.secret(), expiresAt));
    out.set("oauthProfile", oauthProfile(minted.id(), minted.secret()));
    return out;
  }

  /** The {@code .share} profile file of a bearer token (shareCredentialsVersion 1). */
  public ObjectNode profile(String secret, Instant expiresAt) {
    ObjectNode p = MAPPER.createObjectNode();
    p.put("shareCredentialsVersion", 1);
    p.put("endpoint", publicEndpoint.get());
    p.put("bearerToken", secret);
    if (expiresAt != null) p.put("expirationTime", expiresAt.toString());
    p.put("icebergEndpoint", publicEndpoint.get() + "/iceberg");
    return p;
  }

  /**
   * The same token as an OAuth client of the gateway's token endpoint: the {@code .share} profile
   * of type {@code oauth_client_credentials} (shareCredentialsVersion 2) that the Delta Sharing
   * connectors read, and Databricks imports as {@code OAUTH_CLIENT_CREDENTIALS}.
   */
  public ObjectNode oauthProfile(String clientId, String secret) {
    ObjectNode p = MAPPER.createObjectNode();
    p.put("shareCredentialsVersion", 2);
    p.put("type", "oauth_client_credentials");
    p.put("endpoint", publicEndpoint.get());
    p.put("tokenEndpoint", publicEndpoint.get() + "/oauth/token");
    p.put("clientId", clientId);
    p.put("clientSecret", secret);
    p.put("scope", "sharing");
    p.put("icebergEndpoint", publicEndpoint.get() + "/iceberg");
    return p;
  }

  /** Tokens (never their secrets or hashes), of one share or recipient when given. */
  public JsonNode tokens(String share, String recipient) {
    ArrayNode out = MAPPER.createArrayNode();
    Instant now = clock.instant();
    for (Token t : view.document().tokens()) {
      if (recipient != null && !recipient.equalsIgnoreCase(t.recipient())) continue;
      if (share != null && t.shares().stream().noneMatch(share::equalsIgnoreCase)) continue;
      out.add(CatalogDocumentCodec.publicToken(t, now));
    }
    return out;
  }

  public JsonNode revokeToken(String id) {
    return mutate(
        doc -> {
          Token t = token(doc, id).revoked(clock.instant());
          return new Changed(
              doc.mapTokens(x -> x.id().equals(id) ? t : x),
              CatalogDocumentCodec.publicToken(t, clock.instant()));
        });
  }

  /**
   * Replaces a token with a new one for the same shares; the old one keeps working for {@code
   * grace} (then expires), so a recipient can switch profiles without an outage.
   */
  public JsonNode rotateToken(String id, Duration grace) {
    if (grace.isNegative() || grace.compareTo(Duration.ofDays(30)) > 0)
      throw SharingErrors.invalidParameter("grace must be 0 to 30 days");
    TokenIssuer.Minted minted = TokenIssuer.mint();
    Instant[] expiry = new Instant[1];
    JsonNode stored =
        mutate(
            doc -> {
              Token old = token(doc, id);
              if (old.revokedAt() != null)
                throw SharingErrors.invalidParameter(
                    "Token " + id + " is revoked; create a new one");
              Instant now = clock.instant();
              Instant end = now.plus(grace);
              Instant oldExpiry = old.expiresAt();
              Token ending = oldExpiry == null || end.isBefore(oldExpiry) ? old.expiring(end) : old;
              // the new token lives as long as the old one was meant to
              expiry[0] = oldExpiry != null && oldExpiry.isAfter(now) ? oldExpiry : null;
              Token t =
                  new Token(
                      minted.id(),
                      minted.sha256(),
                      old.shares(),
                      old.recipient(),
                      old.description(),
                      now,
                      expiry[0],
                      null,
                      id);
              CatalogDocument next = doc.mapTokens(x -> x.id().equals(id) ? ending : x);
              return new Changed(
                  next.withTokens(CatalogDocument.plus(next.tokens(), t)),
                  CatalogDocumentCodec.publicToken(t, now));
            });
    ObjectNode out = ((ObjectNode) stored).deepCopy();
    out.put("token", minted.secret());
    out.put("previousTokenValidUntil", clock.instant().plus(grace).toString());
    out.set("profile", profile(minted.secret(), expiry[0]));
    out.set("oauthProfile", oauthProfile(minted.id(), minted.secret()));
    return out;
  }

  private static Token token(CatalogDocument doc, String id) {
    return doc.token(id)
        .orElseThrow(
            () ->
                new SharingException(
                    ErrorCode.RESOURCE_DOES_NOT_EXIST, "Token '" + id + "' does not exist"));
  }
}
