package io.tablegate.catalog;

import io.tablegate.auth.OidcPolicy;
import io.tablegate.auth.Recipient;
import io.tablegate.auth.TokenEntry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.config.ConfigException;
import io.tablegate.config.ConfigLoader;
import io.tablegate.config.GatewayConfig;
import io.tablegate.config.ShareConfig;
import io.tablegate.config.TokenConfig;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.SharingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
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
 * here) plus the live definitions made through the admin API (shares, recipients, tokens), kept in
 * a {@link CatalogStore} that every instance shares. Readers get an immutable {@link View};
 * changes are compare-and-set on the store's version (retried on conflict), so concurrent admins
 * never lose an update, and every instance picks up the new version by {@link #refresh()} (polled,
 * and triggered by change events). Token secrets are never stored: only their SHA-256.
 */
public final class LiveCatalog {
  private static final Logger LOGGER = LoggerFactory.getLogger(LiveCatalog.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_ATTEMPTS = 32;
  /** Prefix of generated bearer tokens (recognizable in secret scanners). */
  public static final String TOKEN_PREFIX = "tgs_";

  /** One consistent state of the catalog. */
  public record View(long version, ShareCatalog catalog, Map<String, TokenEntry> tokensBySha256, List<OidcPolicy> policies,
      ObjectNode document) {}

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
  public LiveCatalog(GatewayConfig base, Path baseDir, CatalogStore store, Clock clock, java.util.function.Supplier<String> publicEndpoint) {
    this.base = base;
    this.baseDir = baseDir;
    this.store = store;
    this.clock = clock;
    this.publicEndpoint = publicEndpoint;
    CatalogStore.Stored stored = store == null ? new CatalogStore.Stored(new byte[0], 0) : store.read();
    this.view = build(parse(stored.content()), stored.version(), false);
  }

  public View view() {
    return view;
  }

  public ShareCatalog catalog() {
    return view.catalog();
  }

  /** Called with every new view (new tables to route, caches to warm); on the thread that saw the change. */
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
      install(build(parse(stored.content()), stored.version(), false));
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

  // ---- reading the document --------------------------------------------------------------------

  private static ObjectNode parse(byte[] content) {
    if (content.length == 0) return emptyDocument();
    try {
      JsonNode n = MAPPER.readTree(content);
      if (!(n instanceof ObjectNode o)) throw new IllegalStateException("The live catalog is not a JSON object");
      return o;
    } catch (IOException e) {
      throw new UncheckedIOException("The live catalog cannot be parsed", e);
    }
  }

  private static ObjectNode emptyDocument() {
    ObjectNode doc = MAPPER.createObjectNode();
    doc.putArray("shares");
    doc.putArray("recipients");
    doc.putArray("tokens");
    return doc;
  }

  /**
   * The view of {@code doc} over the static base. With {@code strict}, an invalid live share is an
   * error (a change being made); otherwise it is logged and left out (a stored state that a later
   * config change made invalid must not take the other shares down).
   */
  private View build(ObjectNode doc, long version, boolean strict) {
    List<ShareConfig> shares = new ArrayList<>(base.shares());
    Set<String> names = new LinkedHashSet<>();
    for (ShareConfig s : base.shares()) names.add(key(s.name()));
    for (JsonNode s : doc.withArray("shares")) {
      ArrayNode one = MAPPER.createArrayNode().add(s);
      try {
        ShareConfig parsed = ConfigLoader.parseShares(one, base, baseDir).get(0);
        if (!names.add(key(parsed.name()))) throw new ConfigException(List.of("share '" + parsed.name() + "' is defined twice"));
        shares.add(parsed);
      } catch (ConfigException e) {
        if (strict) throw SharingErrors.invalidParameter(String.join("; ", e.problems()));
        LOGGER.atError().addKeyValue("share", s.path("name").asText()).addKeyValue("problems", e.problems())
            .log("A live share is invalid under the current configuration and is not served");
      }
    }
    ShareCatalog catalog = new ShareCatalog(shares);
    Map<String, Set<String>> recipientShares = new LinkedHashMap<>();
    List<OidcPolicy> policies = new ArrayList<>();
    for (JsonNode r : doc.withArray("recipients")) {
      Set<String> rs = new LinkedHashSet<>();
      r.path("shares").forEach(x -> rs.add(x.asText()));
      recipientShares.put(key(r.path("name").asText()), rs);
      JsonNode oidc = r.path("oidc");
      if (oidc.isObject()) {
        policies.add(new OidcPolicy(r.path("name").asText(), oidc.path("issuer").asText(), text(oidc, "audience"),
            oidc.path("claim").asText("sub"), oidc.path("value").asText(), Set.copyOf(rs)));
      }
    }
    Map<String, TokenEntry> tokens = new LinkedHashMap<>();
    for (TokenConfig t : base.tokens()) {
      tokens.put(HexFormat.of().formatHex(t.sha256()),
          new TokenEntry(t.id(), new Recipient(t.id(), t.shares().isEmpty(), Set.copyOf(t.shares())), t.expiresAt(), null));
    }
    for (JsonNode t : doc.withArray("tokens")) {
      Set<String> ts = new LinkedHashSet<>();
      String recipient = text(t, "recipient");
      if (recipient != null) ts.addAll(recipientShares.getOrDefault(key(recipient), Set.of()));
      t.path("shares").forEach(x -> ts.add(x.asText()));
      tokens.put(t.path("sha256").asText(), new TokenEntry(t.path("id").asText(), new Recipient(t.path("id").asText(), false, ts),
          instant(t, "expiresAt"), instant(t, "revokedAt")));
    }
    return new View(version, catalog, Map.copyOf(tokens), List.copyOf(policies), doc);
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Instant instant(JsonNode n, String field) {
    String v = text(n, field);
    return v == null ? null : Instant.parse(v);
  }

  // ---- changing it -----------------------------------------------------------------------------

  /**
   * Applies {@code change} to a copy of the newest stored document and writes it back if nobody
   * wrote in between (else retries on the newer document); blocking. Returns what {@code change} returned.
   */
  private JsonNode mutate(Function<ObjectNode, JsonNode> change) {
    if (store == null) {
      throw SharingErrors.unsupported("The live catalog is off: configure 'admin.catalogFile' to change shares at run time");
    }
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      CatalogStore.Stored stored = store.read();
      ObjectNode doc = parse(stored.content()).deepCopy();
      JsonNode result = change.apply(doc);
      View next = build(doc, stored.version() + 1, true);
      byte[] bytes;
      try {
        bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try {
        long written = store.write(bytes, stored.version());
        synchronized (this) {
          if (written > view.version()) install(new View(written, next.catalog(), next.tokensBySha256(), next.policies(), doc));
        }
        return result;
      } catch (CatalogStore.Conflict e) {
        LOGGER.atDebug().addKeyValue("attempt", attempt + 1).log("Concurrent catalog change; retrying on the newer state");
        // writers on several instances collide in step: a random pause, growing with the attempts, spreads them.
        // This runs on a worker thread (the admin API and the refresh call it through executeBlocking), never an event loop.
        try {
          Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 10L * Math.min(attempt + 1, 10) + 2));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new SharingException(ErrorCode.TEMPORARILY_UNAVAILABLE, "The catalog is being changed concurrently; please retry");
  }

  private boolean isStaticShare(String name) {
    return base.shares().stream().anyMatch(s -> s.name().equalsIgnoreCase(name));
  }

  private static ObjectNode find(ArrayNode array, String name) {
    for (JsonNode n : array) if (n.path("name").asText().equalsIgnoreCase(name)) return (ObjectNode) n;
    return null;
  }

  private ObjectNode liveShare(ObjectNode doc, String share) {
    ObjectNode s = find(doc.withArray("shares"), share);
    if (s == null) {
      if (isStaticShare(share)) {
        throw SharingErrors.unsupported("Share '" + share + "' is defined in the configuration file; change it there");
      }
      throw SharingErrors.noSuchShare(share);
    }
    return s;
  }

  private static void checkName(String kind, String name) {
    if (name == null || name.isBlank()) throw SharingErrors.invalidParameter(kind + " name is required");
    if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,127}")) {
      throw SharingErrors.invalidParameter(kind + " name must be 1-128 characters of letters, digits, '_', '-' and '.', "
          + "not starting with '.' or '-'");
    }
  }

  public JsonNode createShare(String name, String id) {
    checkName("Share", name);
    if (id != null && !id.matches("[A-Za-z0-9][A-Za-z0-9_\\-]{0,127}")) {
      throw SharingErrors.invalidParameter("Share id must be 1-128 characters of letters, digits, '_' and '-' (a UUID, for example)");
    }
    return mutate(doc -> {
      if (isStaticShare(name) || find(doc.withArray("shares"), name) != null) {
        throw new SharingException(ErrorCode.RESOURCE_ALREADY_EXISTS, "Share '" + name + "' already exists");
      }
      ObjectNode s = doc.withArray("shares").addObject();
      s.put("name", name);
      if (id != null) s.put("id", id);
      s.putArray("schemas");
      return s.deepCopy();
    });
  }

  /** Removes a live share and takes it from every token; tokens left with no share are revoked. */
  public JsonNode removeShare(String name) {
    return mutate(doc -> {
      ObjectNode s = liveShare(doc, name);
      ArrayNode shares = doc.withArray("shares");
      for (int i = 0; i < shares.size(); i++) if (shares.get(i) == s) shares.remove(i);
      int revoked = 0;
      for (JsonNode t : doc.withArray("tokens")) {
        ArrayNode ts = (ArrayNode) t.path("shares");
        boolean had = false;
        for (int i = ts.size() - 1; i >= 0; i--) {
          if (ts.get(i).asText().equalsIgnoreCase(name)) {
            ts.remove(i);
            had = true;
          }
        }
        if (had && ts.isEmpty() && text(t, "recipient") == null && text(t, "revokedAt") == null) {
          ((ObjectNode) t).put("revokedAt", clock.instant().toString());
          revoked++;
        }
      }
      for (JsonNode r : doc.withArray("recipients")) {
        ArrayNode rs = (ArrayNode) r.path("shares");
        for (int i = rs.size() - 1; i >= 0; i--) if (rs.get(i).asText().equalsIgnoreCase(name)) rs.remove(i);
      }
      ObjectNode out = MAPPER.createObjectNode();
      out.put("removed", name);
      out.put("tokensRevoked", revoked);
      return out;
    });
  }

  public JsonNode addSchema(String share, String schema) {
    checkName("Schema", schema);
    if (schema.contains(".")) throw SharingErrors.invalidParameter("Schema name must not contain '.'");
    return mutate(doc -> {
      ObjectNode s = liveShare(doc, share);
      if (find(s.withArray("schemas"), schema) != null) {
        throw new SharingException(ErrorCode.RESOURCE_ALREADY_EXISTS, "Schema '" + share + "." + schema + "' already exists");
      }
      ObjectNode sc = s.withArray("schemas").addObject();
      sc.put("name", schema);
      sc.putArray("tables");
      return sc.deepCopy();
    });
  }

  public JsonNode removeSchema(String share, String schema) {
    return mutate(doc -> {
      ArrayNode schemas = liveShare(doc, share).withArray("schemas");
      for (int i = 0; i < schemas.size(); i++) {
        if (schemas.get(i).path("name").asText().equalsIgnoreCase(schema)) {
          schemas.remove(i);
          ObjectNode out = MAPPER.createObjectNode();
          out.put("removed", share + "." + schema);
          return out;
        }
      }
      throw SharingErrors.noSuchSchema(share, schema);
    });
  }

  /** Adds a table (the same keys as a table in the configuration file), creating the schema if needed. */
  public JsonNode addTable(String share, String schema, JsonNode table) {
    if (!(table instanceof ObjectNode t)) throw SharingErrors.malformed("The table definition must be a JSON object");
    checkName("Schema", schema);
    return mutate(doc -> {
      ObjectNode s = liveShare(doc, share);
      ObjectNode sc = find(s.withArray("schemas"), schema);
      if (sc == null) {
        sc = s.withArray("schemas").addObject();
        sc.put("name", schema);
        sc.putArray("tables");
      }
      String name = t.path("name").asText(null);
      checkName("Table", name);
      if (find(sc.withArray("tables"), name) != null) {
        throw new SharingException(ErrorCode.RESOURCE_ALREADY_EXISTS, "Table '" + share + "." + schema + "." + name + "' already exists");
      }
      sc.withArray("tables").add(t.deepCopy());
      return t.deepCopy();
    });
  }

  public JsonNode removeTable(String share, String schema, String table) {
    return mutate(doc -> {
      ObjectNode sc = find(liveShare(doc, share).withArray("schemas"), schema);
      if (sc == null) throw SharingErrors.noSuchSchema(share, schema);
      ArrayNode tables = sc.withArray("tables");
      for (int i = 0; i < tables.size(); i++) {
        if (tables.get(i).path("name").asText().equalsIgnoreCase(table)) {
          tables.remove(i);
          ObjectNode out = MAPPER.createObjectNode();
          out.put("removed", share + "." + schema + "." + table);
          return out;
        }
      }
      throw SharingErrors.noSuchTable(share, schema, table);
    });
  }

  /** Every share as a tree of schemas and tables with their formats and locations; {@code source} is config or live. */
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
    for (io.tablegate.protocol.Share s : v.catalog().listShares(all, ShareCatalog.MAX_RESULTS, null).items()) {
      ObjectNode n = MAPPER.createObjectNode();
      n.put("name", s.name());
      n.put("id", s.id());
      n.put("source", isStaticShare(s.name()) ? "config" : "live");
      n.putObject("schemas");
      byShare.put(key(s.name()), n);
    }
    for (SharedTable t : v.catalog().allTables()) {
      ObjectNode share = byShare.get(key(t.share()));
      if (share == null) continue;
      ObjectNode schemas = (ObjectNode) share.get("schemas");
      ObjectNode schema = schemas.has(t.schema()) ? (ObjectNode) schemas.get(t.schema()) : schemas.putObject(t.schema());
      ObjectNode table = schema.putObject(t.name());
      table.put("id", t.id());
      table.put("format", t.format());
      table.put("location", t.location());
      table.put("historyShared", t.historyShared());
      if (t.store() != null) table.put("store", t.store());
      table.put("fileAccess", t.presigned() ? "presigned" : "proxy");
    }
    // schemas without tables exist only in the live document
    for (JsonNode s : v.document().withArray("shares")) {
      ObjectNode share = byShare.get(key(s.path("name").asText()));
      if (share == null) continue;
      for (JsonNode sc : s.withArray("schemas")) {
        ObjectNode schemas = (ObjectNode) share.get("schemas");
        if (!schemas.has(sc.path("name").asText())) schemas.putObject(sc.path("name").asText());
      }
    }
    List<SharedTreeShare> out = new ArrayList<>();
    byShare.values().forEach(n -> out.add(new SharedTreeShare(n.path("name").asText(), n)));
    return out;
  }

  // ---- recipients and tokens -------------------------------------------------------------------

  /**
   * Creates a recipient: a name holding shares, optionally recognized by an OIDC policy (tokens
   * from {@code issuer} whose {@code claim} equals {@code value}, for {@code audience}).
   */
  public JsonNode createRecipient(String name, List<String> shares, JsonNode oidc) {
    checkName("Recipient", name);
    if (oidc != null && !oidc.isNull()) {
      if (!oidc.isObject() || oidc.path("issuer").asText("").isBlank() || oidc.path("value").asText("").isBlank()) {
        throw SharingErrors.invalidParameter("oidc needs 'issuer' and 'value' (and optionally 'audience' and 'claim', default sub)");
      }
    }
    return mutate(doc -> {
      if (find(doc.withArray("recipients"), name) != null) {
        throw new SharingException(ErrorCode.RESOURCE_ALREADY_EXISTS, "Recipient '" + name + "' already exists");
      }
      for (String s : shares) requireShare(doc, s);
      ObjectNode r = doc.withArray("recipients").addObject();
      r.put("name", name);
      ArrayNode rs = r.putArray("shares");
      shares.forEach(rs::add);
      if (oidc != null && !oidc.isNull()) {
        ObjectNode o = r.putObject("oidc");
        o.put("issuer", oidc.path("issuer").asText());
        if (oidc.hasNonNull("audience")) o.put("audience", oidc.path("audience").asText());
        o.put("claim", oidc.path("claim").asText("sub"));
        o.put("value", oidc.path("value").asText());
      }
      r.put("createdAt", clock.instant().toString());
      return r.deepCopy();
    });
  }

  private void requireShare(ObjectNode doc, String share) {
    if (isStaticShare(share)) return;
    if (find(doc.withArray("shares"), share) == null) throw SharingErrors.noSuchShare(share);
  }

  public JsonNode recipients() {
    return view.document().withArray("recipients").deepCopy();
  }

  /** Grants ({@code add}) or withdraws a share from a recipient; its tokens follow at once. */
  public JsonNode grant(String recipient, String share, boolean add) {
    return mutate(doc -> {
      ObjectNode r = find(doc.withArray("recipients"), recipient);
      if (r == null) throw new SharingException(ErrorCode.RESOURCE_DOES_NOT_EXIST, "Recipient '" + recipient + "' does not exist");
      ArrayNode rs = r.withArray("shares");
      for (int i = rs.size() - 1; i >= 0; i--) if (rs.get(i).asText().equalsIgnoreCase(share)) rs.remove(i);
      if (add) {
        requireShare(doc, share);
        rs.add(share);
      }
      return r.deepCopy();
    });
  }

  /** Removes a recipient and revokes its tokens. */
  public JsonNode removeRecipient(String name) {
    return mutate(doc -> {
      ArrayNode rs = doc.withArray("recipients");
      boolean found = false;
      for (int i = rs.size() - 1; i >= 0; i--) {
        if (rs.get(i).path("name").asText().equalsIgnoreCase(name)) {
          rs.remove(i);
          found = true;
        }
      }
      if (!found) throw new SharingException(ErrorCode.RESOURCE_DOES_NOT_EXIST, "Recipient '" + name + "' does not exist");
      int revoked = 0;
      for (JsonNode t : doc.withArray("tokens")) {
        if (name.equalsIgnoreCase(text(t, "recipient")) && text(t, "revokedAt") == null) {
          ((ObjectNode) t).put("revokedAt", clock.instant().toString());
          revoked++;
        }
      }
      ObjectNode out = MAPPER.createObjectNode();
      out.put("removed", name);
      out.put("tokensRevoked", revoked);
      return out;
    });
  }

  /**
   * Creates a bearer token for a share or a recipient. The result holds the secret and a profile
   * file: they are shown once and never stored (only the SHA-256 is).
   */
  public JsonNode createToken(String share, String recipient, String description, Instant expiresAt) {
    if ((share == null) == (recipient == null)) throw SharingErrors.invalidParameter("Give either a share or a recipient");
    if (expiresAt != null && !expiresAt.isAfter(clock.instant())) throw SharingErrors.invalidParameter("expiresAt must be in the future");
    if (description != null && description.length() > 500) throw SharingErrors.invalidParameter("description is longer than 500 characters");
    String secret = newSecret();
    String id = newTokenId();
    JsonNode stored = mutate(doc -> {
      if (share != null) requireShare(doc, share);
      if (recipient != null && find(doc.withArray("recipients"), recipient) == null) {
        throw new SharingException(ErrorCode.RESOURCE_DOES_NOT_EXIST, "Recipient '" + recipient + "' does not exist");
      }
      ObjectNode t = newTokenEntry(doc, id, secret);
      ArrayNode ts = t.putArray("shares");
      if (share != null) ts.add(share);
      if (recipient != null) t.put("recipient", recipient);
      if (description != null) t.put("description", description);
      t.put("createdAt", clock.instant().toString());
      if (expiresAt != null) t.put("expiresAt", expiresAt.toString());
      return publicToken(t);
    });
    ObjectNode out = ((ObjectNode) stored).deepCopy();
    out.put("token", secret);
    out.set("profile", profile(secret, expiresAt));
    return out;
  }

  /** A new bearer token: 256 random bits, prefixed so that secret scanners recognize it. */
  private static String newSecret() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** Appends a token entry holding only the secret's SHA-256. */
  private static ObjectNode newTokenEntry(ObjectNode doc, String id, String secret) {
    ObjectNode t = doc.withArray("tokens").addObject();
    t.put("id", id);
    t.put("sha256", HexFormat.of().formatHex(ConfigLoader.sha256(secret)));
    return t;
  }

  private String newTokenId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return "tok_" + HexFormat.of().formatHex(b);
  }

  /** The {@code .share} profile file of a bearer token (shareCredentialsVersion 1). */
  public ObjectNode profile(String secret, Instant expiresAt) {
    ObjectNode p = MAPPER.createObjectNode();
    p.put("shareCredentialsVersion", 1);
    p.put("endpoint", publicEndpoint.get());
    p.put("bearerToken", secret);
    if (expiresAt != null) p.put("expirationTime", expiresAt.toString());
    return p;
  }

  private ObjectNode publicToken(JsonNode t) {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("id", t.path("id").asText());
    out.set("shares", t.path("shares").deepCopy());
    if (text(t, "recipient") != null) out.put("recipient", text(t, "recipient"));
    if (text(t, "description") != null) out.put("description", text(t, "description"));
    out.put("createdAt", text(t, "createdAt"));
    if (text(t, "expiresAt") != null) out.put("expiresAt", text(t, "expiresAt"));
    if (text(t, "revokedAt") != null) out.put("revokedAt", text(t, "revokedAt"));
    Instant now = clock.instant();
    String status = text(t, "revokedAt") != null ? "revoked"
        : instant(t, "expiresAt") != null && !now.isBefore(instant(t, "expiresAt")) ? "expired" : "active";
    out.put("status", status);
    return out;
  }

  /** Tokens (never their secrets or hashes), of one share or recipient when given. */
  public JsonNode tokens(String share, String recipient) {
    ArrayNode out = MAPPER.createArrayNode();
    for (JsonNode t : view.document().withArray("tokens")) {
      if (recipient != null && !recipient.equalsIgnoreCase(text(t, "recipient"))) continue;
      if (share != null) {
        boolean has = false;
        for (JsonNode s : t.path("shares")) has |= s.asText().equalsIgnoreCase(share);
        if (!has) continue;
      }
      out.add(publicToken(t));
    }
    return out;
  }

  public JsonNode revokeToken(String id) {
    return mutate(doc -> {
      ObjectNode t = token(doc, id);
      if (text(t, "revokedAt") == null) t.put("revokedAt", clock.instant().toString());
      return publicToken(t);
    });
  }

  /**
   * Replaces a token with a new one for the same shares; the old one keeps working for
   * {@code grace} (then expires), so a recipient can switch profiles without an outage.
   */
  public JsonNode rotateToken(String id, Duration grace) {
    if (grace.isNegative() || grace.compareTo(Duration.ofDays(30)) > 0) throw SharingErrors.invalidParameter("grace must be 0 to 30 days");
    String secret = newSecret();
    String newId = newTokenId();
    Instant[] expiry = new Instant[1];
    JsonNode stored = mutate(doc -> {
      ObjectNode old = token(doc, id);
      if (text(old, "revokedAt") != null) throw SharingErrors.invalidParameter("Token " + id + " is revoked; create a new one");
      Instant end = clock.instant().plus(grace);
      Instant oldExpiry = instant(old, "expiresAt");
      if (oldExpiry == null || end.isBefore(oldExpiry)) old.put("expiresAt", end.toString());
      ObjectNode t = newTokenEntry(doc, newId, secret);
      t.set("shares", old.path("shares").deepCopy());
      if (text(old, "recipient") != null) t.put("recipient", text(old, "recipient"));
      if (text(old, "description") != null) t.put("description", text(old, "description"));
      t.put("createdAt", clock.instant().toString());
      t.put("rotatedFrom", id);
      if (oldExpiry != null && oldExpiry.isAfter(clock.instant())) {
        // the new token lives as long as the old one was meant to
        t.put("expiresAt", oldExpiry.toString());
        expiry[0] = oldExpiry;
      }
      return publicToken(t);
    });
    ObjectNode out = ((ObjectNode) stored).deepCopy();
    out.put("token", secret);
    out.put("previousTokenValidUntil", clock.instant().plus(grace).toString());
    out.set("profile", profile(secret, expiry[0]));
    return out;
  }

  private static ObjectNode token(ObjectNode doc, String id) {
    for (JsonNode t : doc.withArray("tokens")) if (t.path("id").asText().equals(id)) return (ObjectNode) t;
    throw new SharingException(ErrorCode.RESOURCE_DOES_NOT_EXIST, "Token '" + id + "' does not exist");
  }
}
