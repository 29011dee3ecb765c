package io.tablegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the YAML configuration once into validated records. Accepts the reference server's keys
 * unchanged. Every problem is collected and reported together; unknown keys are warnings.
 */
public final class ConfigLoader {
  public static final long MIN_URL_TIMEOUT_SECONDS = 900;
  private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

  /** Keys of the reference server that we accept but do not use. */
  private static final Set<String> IGNORED_REFERENCE_KEYS =
      Set.of(
          "ssl",
          "deltaTableCacheSize",
          "stalenessAcceptable",
          "evaluatePredicateHints",
          "evaluateJsonPredicateHints",
          "evaluateJsonPredicateHintsV2",
          "requestTimeoutSeconds",
          "temporaryCredentialValiditySeconds");

  private final List<String> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final Path baseDir;
  private Set<String> storeNames = Set.of();
  private boolean rootHasTls;
  private java.util.Map<String, IcebergCatalogConfig> catalogs = java.util.Map.of();

  /** Table locations behind an Iceberg REST catalog; the Iceberg adapter reads the same prefix. */
  public static final String ICEBERG_REST_SCHEME = "iceberg-rest://";

  private ConfigLoader(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** The result of loading: the config and the warnings (unknown keys) to log at startup. */
  public record Loaded(GatewayConfig config, List<String> warnings) {}

  /**
   * Share definitions made at run time (the admin API), validated with the same rules as the file:
   * the stores and Iceberg catalogs of {@code base} are the ones they may name, relative locations
   * resolve against {@code baseDir}, and unknown keys are errors rather than warnings.
   */
  public static List<ShareConfig> parseShares(JsonNode shares, GatewayConfig base, Path baseDir) {
    ConfigLoader loader = new ConfigLoader(baseDir);
    loader.storeNames = new HashSet<>();
    for (StoreConfig st : base.stores()) loader.storeNames.add(st.name());
    loader.catalogs = new java.util.HashMap<>();
    for (IcebergCatalogConfig c : base.icebergCatalogs()) loader.catalogs.put(c.name(), c);
    List<ShareConfig> out = loader.shares(shares);
    loader.checkOneStorePerLocation(out);
    List<String> all = new ArrayList<>(loader.problems);
    all.addAll(loader.warnings);
    if (!all.isEmpty()) throw new ConfigException(all);
    return out;
  }

  public static Loaded load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          List.of("Cannot read configuration file " + file + ": " + e.getMessage()));
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, dir == null ? Path.of("").toAbsolutePath() : dir);
  }

  /** Parses YAML text; relative table locations resolve against {@code baseDir}. */
  public static Loaded parse(String yaml, Path baseDir) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(yaml);
    } catch (IOException e) {
      throw new ConfigException(List.of("Invalid YAML: " + e.getMessage()));
    }
    if (root == null || root.isMissingNode() || root.isNull()) root = MissingNode.getInstance();
    ConfigLoader loader = new ConfigLoader(baseDir);
    GatewayConfig config = loader.root(root);
    if (!loader.problems.isEmpty()) throw new ConfigException(loader.problems);
    return new Loaded(config, List.copyOf(loader.warnings));
  }

  private GatewayConfig root(JsonNode n) {
    if (!n.isObject()) {
      problems.add("The configuration must be a YAML mapping with at least 'version: 1'");
      return null;
    }
    unknownKeys(
        n,
        "",
        Set.of(
            "version",
            "host",
            "port",
            "endpoint",
            "publicEndpoint",
            "preSignedUrlTimeoutSeconds",
            "queryTablePageSizeLimit",
            "queryTablePageTokenTtlMs",
            "refreshTokenTtlMs",
            "authorization",
            "shares",
            "workerPoolSize",
            "eventLoops",
            "latestVersionTtlMs",
            "snapshotCacheSize",
            "signingKey",
            "stores",
            "icebergCatalogs",
            "redis",
            "notifications",
            "tls",
            "admin",
            "management",
            "oidc",
            "rateLimit",
            "responseCacheTtlMs",
            "responseCacheMaxBytes",
            "previousSigningKeys",
            "limits",
            "network",
            "rewrites"));
    JsonNode version = n.get("version");
    if (version == null) problems.add("'version' is required and must be 1");
    else if (!version.canConvertToInt() || version.asInt() != 1)
      problems.add("'version' must be 1, got " + version);

    String host = text(n, "host", "localhost");
    int port = (int) number(n, "port", 8080, 0, 65535);
    String endpoint = text(n, "endpoint", "/delta-sharing");
    if (!endpoint.startsWith("/")) endpoint = "/" + endpoint;
    while (endpoint.length() > 1 && endpoint.endsWith("/"))
      endpoint = endpoint.substring(0, endpoint.length() - 1);
    String publicEndpoint = text(n, "publicEndpoint", null);
    if (publicEndpoint != null) {
      while (publicEndpoint.endsWith("/"))
        publicEndpoint = publicEndpoint.substring(0, publicEndpoint.length() - 1);
      try {
        URI uri = URI.create(publicEndpoint);
        if (uri.getScheme() == null
            || uri.getHost() == null
            || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
          problems.add(
              "'publicEndpoint' must be an absolute http(s) URL, got '" + publicEndpoint + "'");
        }
      } catch (IllegalArgumentException e) {
        problems.add("'publicEndpoint' is not a valid URL: '" + publicEndpoint + "'");
      }
    }
    long urlTimeout = number(n, "preSignedUrlTimeoutSeconds", 3600, 1, 7 * 24 * 3600);
    if (urlTimeout < MIN_URL_TIMEOUT_SECONDS) {
      problems.add(
          "'preSignedUrlTimeoutSeconds' must be at least "
              + MIN_URL_TIMEOUT_SECONDS
              + " (Spark refreshes URLs 15 minutes before they expire), got "
              + urlTimeout);
    }
    int pageLimit = (int) number(n, "queryTablePageSizeLimit", 10_000, 1, 1_000_000);
    long pageTtl = number(n, "queryTablePageTokenTtlMs", 259_200_000L, 1, Long.MAX_VALUE);
    long refreshTtl = number(n, "refreshTokenTtlMs", 3_600_000L, 1, Long.MAX_VALUE);
    int workers =
        (int)
            number(
                n,
                "workerPoolSize",
                Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
                1,
                1024);
    int eventLoops =
        (int) number(n, "eventLoops", Runtime.getRuntime().availableProcessors(), 1, 1024);
    long latestTtl = number(n, "latestVersionTtlMs", 1000, 0, Long.MAX_VALUE);
    int snapshotCacheSize = (int) number(n, "snapshotCacheSize", 256, 0, 1_000_000);
    long responseTtl =
        number(n, "responseCacheTtlMs", Math.min(60_000, urlTimeout * 1000 / 60), 0, 3_600_000);
    if (responseTtl > urlTimeout * 1000 / 60) {
      problems.add(
          "'responseCacheTtlMs' may be at most 1/60 of preSignedUrlTimeoutSeconds ("
              + urlTimeout * 1000 / 60
              + " ms), so that cached file URLs keep most of their lifetime");
    }
    long responseBytes = number(n, "responseCacheMaxBytes", 64L << 20, 0, Long.MAX_VALUE);
    String signingKeyText = text(n, "signingKey", null);
    byte[] signingKey = null;
    if (signingKeyText != null) {
      if (signingKeyText.length() < 32)
        problems.add("'signingKey' must be at least 32 characters long");
      signingKey = signingKeyText.getBytes(StandardCharsets.UTF_8);
    }
    List<byte[]> previousKeys = new ArrayList<>();
    JsonNode pk = n.path("previousSigningKeys");
    if (!pk.isMissingNode() && !pk.isNull()) {
      if (!pk.isArray()) problems.add("'previousSigningKeys' must be a list of keys");
      for (JsonNode k : pk) {
        if (!k.isTextual() || k.asText().length() < 32)
          problems.add("each of 'previousSigningKeys' must be at least 32 characters long");
        else previousKeys.add(k.asText().getBytes(StandardCharsets.UTF_8));
      }
      if (signingKey == null && !previousKeys.isEmpty())
        problems.add("'previousSigningKeys' needs a 'signingKey'");
    }
    LimitsConfig limits = limits(n.path("limits"));

    List<StoreConfig> stores = stores(n.path("stores"));
    this.storeNames = new HashSet<>();
    for (StoreConfig st : stores) storeNames.add(st.name());
    List<IcebergCatalogConfig> catalogs = icebergCatalogs(n.path("icebergCatalogs"));
    this.catalogs = new java.util.HashMap<>();
    for (IcebergCatalogConfig c : catalogs) this.catalogs.put(c.name(), c);
    if (catalogs.stream()
            .map(IcebergCatalogConfig::store)
            .filter(java.util.Objects::nonNull)
            .distinct()
            .count()
        > 1) {
      problems.add(
          "icebergCatalogs: all catalogs with a 'store' must name the same store (their tables' files are found by that store)");
    }
    List<ShareConfig> shares = shares(n.path("shares"));
    checkOneStorePerLocation(shares);
    List<TokenConfig> tokens = authorization(n.path("authorization"), shares);
    RedisConfig redis = redis(n.path("redis"));
    NotificationsConfig notifications = notifications(n.path("notifications"), redis);
    TlsConfig tls = tls(n.path("tls"));
    rootHasTls = !n.path("tls").isMissingNode() && !n.path("tls").isNull();
    AdminConfig admin = admin(n.path("admin"), port);
    ManagementConfig management = management(n.path("management"), port, admin);
    OidcConfig oidc = oidc(n.path("oidc"));
    RateLimitConfig rateLimit = null;
    JsonNode rl = n.path("rateLimit");
    if (!rl.isMissingNode() && !rl.isNull()) {
      unknownKeys(rl, "rateLimit.", Set.of("requestsPerSecond", "burst"));
      double rps = rl.path("requestsPerSecond").asDouble(0);
      if (!(rps > 0) || rps > 1_000_000)
        problems.add("rateLimit.requestsPerSecond must be a number above 0");
      int burst = (int) number(rl, "burst", Math.max(1, (long) Math.ceil(rps * 2)), 1, 10_000_000);
      rateLimit = new RateLimitConfig(rps, burst);
    }
    return new GatewayConfig(
        host,
        port,
        endpoint,
        publicEndpoint,
        urlTimeout,
        pageLimit,
        pageTtl,
        refreshTtl,
        workers,
        eventLoops,
        latestTtl,
        snapshotCacheSize,
        responseTtl,
        responseBytes,
        signingKey,
        previousKeys,
        tokens,
        stores,
        catalogs,
        redis,
        notifications,
        tls,
        admin,
        management,
        oidc,
        rateLimit,
        limits,
        shares,
        network(n.path("network")),
        rewrites(n.path("rewrites")));
  }

  private RewriteConfig rewrites(JsonNode n) {
    RewriteConfig d = RewriteConfig.defaults();
    if (n.isMissingNode() || n.isNull()) return d;
    unknownKeys(n, "rewrites.", Set.of("enabled", "directory", "maxBytes", "location", "store"));
    JsonNode enabled = n.path("enabled");
    if (!enabled.isMissingNode() && !enabled.isBoolean())
      problems.add("rewrites.enabled must be true or false");
    String directory = text(n, "directory", null);
    // relative to the configuration file, like table locations
    directory =
        directory == null
            ? d.directory()
            : baseDir == null
                ? directory
                : baseDir.resolve(directory).toAbsolutePath().normalize().toString();
    long maxBytes = number(n, "maxBytes", d.maxBytes(), 1L << 20, Long.MAX_VALUE);
    String location = text(n, "location", null);
    String store = text(n, "store", null);
    if (location != null && !location.matches("s3://[a-z0-9][a-z0-9.-]{1,62}(/[^\\s]*)?"))
      problems.add("rewrites.location must be s3://bucket/prefix, got '" + location + "'");
    if ((location == null) != (store == null))
      problems.add("rewrites.location and rewrites.store go together");
    if (store != null && !storeNames.contains(store))
      problems.add(
          "rewrites.store names unknown store '" + store + "' (configured: " + storeNames + ")");
    return new RewriteConfig(enabled.asBoolean(true), directory, maxBytes, location, store);
  }

  private NetworkConfig network(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) return NetworkConfig.defaults();
    unknownKeys(n, "network.", Set.of("trustedProxies", "clientAddressHeader"));
    String header = text(n, "clientAddressHeader", "X-Forwarded-For");
    if (!header.matches("[A-Za-z0-9-]{1,64}"))
      problems.add("network.clientAddressHeader must be a header name");
    return new NetworkConfig(networks(n.path("trustedProxies"), "network.trustedProxies"), header);
  }

  /** A list of IP networks (CIDR); each one that is not is a problem. */
  List<Cidr> networks(JsonNode n, String where) {
    List<Cidr> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) return out;
    if (!n.isArray()) {
      problems.add(where + " must be a list of networks such as 10.0.0.0/8");
      return out;
    }
    if (n.size() > 1_000) problems.add(where + " lists more than 1,000 networks");
    for (JsonNode c : n) {
      try {
        out.add(Cidr.parse(c.asText()));
      } catch (IllegalArgumentException e) {
        problems.add(where + ": " + e.getMessage());
      }
    }
    return out;
  }

  private LimitsConfig limits(JsonNode n) {
    LimitsConfig d = LimitsConfig.defaults();
    if (n.isMissingNode() || n.isNull()) return d;
    unknownKeys(
        n,
        "limits.",
        Set.of(
            "maxConnections",
            "idleTimeoutSeconds",
            "requestHeaderTimeoutMs",
            "maxConcurrentScans",
            "scanQueueTimeoutMs",
            "maxPredicateLeaves",
            "maxPredicateDepth",
            "shutdownDrainMs",
            "scanSpillMaxBytes"));
    return new LimitsConfig(
        (int) number(n, "maxConnections", d.maxConnections(), 0, 10_000_000),
        (int) number(n, "idleTimeoutSeconds", d.idleTimeoutSeconds(), 1, 86_400),
        number(n, "requestHeaderTimeoutMs", d.requestHeaderTimeoutMs(), 100, 3_600_000),
        (int) number(n, "maxConcurrentScans", d.maxConcurrentScans(), 1, 10_000),
        number(n, "scanQueueTimeoutMs", d.scanQueueTimeoutMs(), 0, 3_600_000),
        (int) number(n, "maxPredicateLeaves", d.maxPredicateLeaves(), 1, 1_000_000),
        (int) number(n, "maxPredicateDepth", d.maxPredicateDepth(), 1, 1_000),
        number(n, "shutdownDrainMs", d.shutdownDrainMs(), 0, 3_600_000),
        number(n, "scanSpillMaxBytes", d.scanSpillMaxBytes(), 0, Long.MAX_VALUE));
  }

  private List<StoreConfig> stores(JsonNode n) {
    List<StoreConfig> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) return out;
    if (!n.isArray()) {
      problems.add("'stores' must be a list");
      return out;
    }
    Set<String> names = new HashSet<>();
    int i = 0;
    for (JsonNode s : n) {
      String where = "stores[" + i++ + "]";
      unknownKeys(
          s,
          where + ".",
          Set.of(
              "name",
              "endpoint",
              "publicEndpoint",
              "region",
              "pathStyleAccess",
              "accessKeyId",
              "secretAccessKey",
              "connectTimeoutMs",
              "requestTimeoutMs",
              "stsRoleArn",
              "stsEndpoint"));
      String name = text(s, "name", "default");
      if (!names.add(name)) problems.add(where + ": duplicate store name '" + name + "'");
      String endpoint = url(s, "endpoint", where);
      String publicEndpoint = url(s, "publicEndpoint", where);
      String accessKey = text(s, "accessKeyId", null);
      String secret = text(s, "secretAccessKey", null);
      if ((accessKey == null) != (secret == null)) {
        problems.add(
            where
                + ": give both accessKeyId and secretAccessKey, or neither (then the AWS default chain is used)");
      }
      out.add(
          new StoreConfig(
              name,
              endpoint,
              publicEndpoint,
              text(s, "region", "us-east-1"),
              bool(s, "pathStyleAccess", true),
              accessKey,
              secret,
              number(s, "connectTimeoutMs", 5_000, 1, 600_000),
              number(s, "requestTimeoutMs", 30_000, 1, 3_600_000),
              text(s, "stsRoleArn", null),
              url(s, "stsEndpoint", where)));
    }
    return out;
  }

  private List<IcebergCatalogConfig> icebergCatalogs(JsonNode n) {
    List<IcebergCatalogConfig> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) return out;
    if (!n.isArray()) {
      problems.add("'icebergCatalogs' must be a list");
      return out;
    }
    Set<String> names = new HashSet<>();
    int i = 0;
    for (JsonNode c : n) {
      String where = "icebergCatalogs[" + i++ + "]";
      unknownKeys(
          c,
          where + ".",
          Set.of(
              "name",
              "type",
              "uri",
              "warehouse",
              "credential",
              "token",
              "oauth2ServerUri",
              "scope",
              "store",
              "properties"));
      String name = requiredName(c, where, false);
      if (name != null && !names.add(name))
        problems.add(where + ": duplicate catalog name '" + name + "'");
      String type = text(c, "type", "rest").toLowerCase(Locale.ROOT);
      if (!type.equals("rest"))
        problems.add(where + ".type '" + type + "' is not supported (supported: rest)");
      String uri = url(c, "uri", where);
      if (uri == null)
        problems.add(where + ".uri is required (the catalog's base URL, e.g. http://catalog:8181)");
      String credential = text(c, "credential", null);
      if (credential != null && !credential.contains(":"))
        problems.add(where + ".credential must be client_id:client_secret");
      String token = text(c, "token", null);
      if (credential != null && token != null)
        problems.add(where + ": give credential or token, not both");
      String store = text(c, "store", null);
      if (store != null && !storeNames.contains(store)) {
        problems.add(
            where + ".store names unknown store '" + store + "' (configured: " + storeNames + ")");
      }
      java.util.Map<String, String> props = new java.util.LinkedHashMap<>();
      JsonNode extra = c.path("properties");
      if (!extra.isMissingNode() && !extra.isObject())
        problems.add(where + ".properties must be a mapping");
      extra.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
      if (name != null) {
        out.add(
            new IcebergCatalogConfig(
                name,
                uri,
                text(c, "warehouse", null),
                credential,
                token,
                url(c, "oauth2ServerUri", where),
                text(c, "scope", null),
                store,
                props));
      }
    }
    return out;
  }

  private static final Set<String> JWT_ALGORITHMS =
      Set.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  private OidcConfig oidc(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) return null;
    unknownKeys(n, "oidc.", Set.of("issuers"));
    List<OidcConfig.Issuer> out = new ArrayList<>();
    int i = 0;
    for (JsonNode is : n.path("issuers")) {
      String where = "oidc.issuers[" + i++ + "]";
      unknownKeys(
          is,
          where + ".",
          Set.of("issuer", "audience", "jwksUri", "algorithms", "clockSkewSeconds"));
      String issuer = url(is, "issuer", where);
      if (issuer == null)
        problems.add(
            where + ".issuer is required (the exact 'iss' of the identity provider's tokens)");
      String audience = text(is, "audience", null);
      if (audience == null)
        problems.add(
            where
                + ".audience is required (the 'aud' your identity provider puts in tokens for this gateway)");
      List<String> algs = new ArrayList<>();
      is.path("algorithms").forEach(a -> algs.add(a.asText()));
      if (algs.isEmpty()) algs.addAll(List.of("RS256", "ES256"));
      for (String a : algs) {
        if (!JWT_ALGORITHMS.contains(a))
          problems.add(
              where
                  + ".algorithms: '"
                  + a
                  + "' is not allowed (asymmetric signatures only: "
                  + JWT_ALGORITHMS
                  + ")");
      }
      out.add(
          new OidcConfig.Issuer(
              issuer,
              audience,
              url(is, "jwksUri", where),
              algs,
              (int) number(is, "clockSkewSeconds", 60, 0, 600)));
    }
    if (out.isEmpty()) problems.add("oidc.issuers needs at least one issuer");
    return new OidcConfig(out);
  }

  private ManagementConfig management(JsonNode n, int sharingPort, AdminConfig admin) {
    ManagementConfig d = ManagementConfig.defaults();
    if (n.isMissingNode() || n.isNull()) return d;
    unknownKeys(n, "management.", Set.of("host", "port"));
    String host = text(n, "host", d.host());
    int port = (int) number(n, "port", d.port(), 0, 65535);
    if (port != 0 && port == sharingPort)
      problems.add(
          "management.port must differ from the sharing port: probes and metrics have their own listener");
    if (port != 0 && admin != null && port == admin.port())
      problems.add("management.port must differ from admin.port");
    return new ManagementConfig(host, port);
  }

  private AdminConfig admin(JsonNode n, int sharingPort) {
    if (n.isMissingNode() || n.isNull()) return null;
    unknownKeys(
        n,
        "admin.",
        Set.of(
            "host",
            "port",
            "token",
            "tokenSha256",
            "catalogFile",
            "catalog",
            "catalogStore",
            "catalogWrites",
            "refreshIntervalMs",
            "tls"));
    String host = text(n, "host", "127.0.0.1");
    int port = (int) number(n, "port", 8081, 0, 65535);
    if (port != 0 && port == sharingPort)
      problems.add(
          "admin.port must differ from the sharing port: the admin API has its own listener");
    String token = text(n, "token", null);
    String hash = text(n, "tokenSha256", null);
    byte[] digest = null;
    if ((token == null) == (hash == null))
      problems.add("admin needs 'token' or its hex 'tokenSha256' (exactly one)");
    else if (token != null) {
      if (token.length() < 16) problems.add("admin.token must be at least 16 characters long");
      digest = sha256(token);
    } else if (!hash.matches("[0-9a-fA-F]{64}")) {
      problems.add("admin.tokenSha256 must be 64 hex characters");
    } else {
      digest = HexFormat.of().parseHex(hash.toLowerCase(Locale.ROOT));
    }
    String file = text(n, "catalogFile", "tablegate-catalog.json");
    String catalogFile = baseDir.resolve(file).toAbsolutePath().normalize().toString();
    long refresh = number(n, "refreshIntervalMs", 500, 50, 60_000);
    boolean tls = bool(n, "tls", false);
    if (tls && n.path("tls").isBoolean() && !rootHasTls)
      problems.add("admin.tls needs the 'tls' section");
    if (!tls
        && !host.equals("127.0.0.1")
        && !host.equals("localhost")
        && !host.equals("::1")
        && rootHasTls) {
      warnings.add(
          "admin listens on "
              + host
              + " without TLS; set admin.tls: true to protect the admin token in transit");
    }
    String catalog = text(n, "catalog", null);
    String catalogStore = text(n, "catalogStore", null);
    if (catalog != null) {
      if (!catalog.startsWith("s3://")
          || catalog.length() <= 5
          || catalog.substring(5).indexOf('/') <= 0
          || catalog.endsWith("/")) {
        problems.add(
            "admin.catalog must be an object location s3://bucket/key, got '" + catalog + "'");
      }
      if (catalogStore == null)
        problems.add("admin.catalog needs admin.catalogStore, the name of the store that holds it");
      else if (!storeNames.contains(catalogStore))
        problems.add("admin.catalogStore '" + catalogStore + "' is not a configured store");
      if (n.has("catalogFile"))
        problems.add("admin: set 'catalog' (object store) or 'catalogFile', not both");
    } else if (catalogStore != null) {
      problems.add("admin.catalogStore needs admin.catalog (an s3:// location)");
    }
    String writes = text(n, "catalogWrites", "auto");
    if (!AdminConfig.CATALOG_WRITES.contains(writes)) {
      problems.add(
          "admin.catalogWrites must be one of "
              + AdminConfig.CATALOG_WRITES
              + ", got '"
              + writes
              + "'");
    } else if (catalog == null && n.has("catalogWrites")) {
      problems.add("admin.catalogWrites applies to an object-store catalog (admin.catalog)");
    }
    return digest == null
        ? null
        : new AdminConfig(
            host, port, digest, catalogFile, refresh, tls, catalog, catalogStore, writes);
  }

  private TlsConfig tls(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) return null;
    unknownKeys(
        n,
        "tls.",
        Set.of(
            "certificateFile",
            "keyFile",
            "selfSigned",
            "clientCaFile",
            "engine",
            "reloadIntervalMs"));
    boolean selfSigned = bool(n, "selfSigned", false);
    String cert = file(n, "certificateFile");
    String key = file(n, "keyFile");
    if (!selfSigned && (cert == null || key == null))
      problems.add("tls needs certificateFile and keyFile (PEM), or selfSigned: true");
    if (selfSigned && (cert != null || key != null))
      problems.add("tls: give either selfSigned or certificateFile/keyFile, not both");
    String engine = text(n, "engine", "openssl").toLowerCase(Locale.ROOT);
    if (!engine.equals("openssl") && !engine.equals("jdk"))
      problems.add("tls.engine must be openssl or jdk, got '" + engine + "'");
    return new TlsConfig(
        cert,
        key,
        selfSigned,
        file(n, "clientCaFile"),
        engine,
        number(n, "reloadIntervalMs", 10_000, 0, 86_400_000));
  }

  /** A file path relative to the config file's directory; a missing file is a problem. */
  private String file(JsonNode n, String key) {
    String v = text(n, key, null);
    if (v == null) return null;
    Path p = baseDir.resolve(v).toAbsolutePath().normalize();
    if (!Files.isReadable(p)) problems.add(key + " '" + v + "' is not a readable file");
    return p.toString();
  }

  private RedisConfig redis(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) return null;
    unknownKeys(
        n,
        "redis.",
        Set.of(
            "uri",
            "endpoints",
            "mode",
            "masterName",
            "user",
            "password",
            "channel",
            "keyPrefix",
            "timeoutMs",
            "sharedTtlMs",
            "urlReuseWindowSeconds"));
    List<String> endpoints = new ArrayList<>();
    String uri = text(n, "uri", null);
    if (uri != null) endpoints.add(uri);
    for (JsonNode e : n.path("endpoints")) endpoints.add(e.asText());
    if (endpoints.isEmpty()) problems.add("redis.uri (or redis.endpoints) is required");
    for (String e : endpoints) {
      if (!(e.startsWith("redis://") || e.startsWith("rediss://")))
        problems.add("redis endpoint must start with redis:// or rediss://, got '" + e + "'");
    }
    String mode = text(n, "mode", "standalone").toLowerCase(Locale.ROOT);
    if (!Set.of("standalone", "sentinel", "cluster").contains(mode))
      problems.add("redis.mode must be standalone, sentinel or cluster, got '" + mode + "'");
    String masterName = text(n, "masterName", null);
    if (mode.equals("sentinel") && masterName == null)
      problems.add("redis.masterName is required in sentinel mode");
    return new RedisConfig(
        endpoints.isEmpty() ? "" : endpoints.get(0),
        endpoints,
        mode,
        masterName,
        text(n, "user", null),
        text(n, "password", null),
        text(n, "channel", "tablegate:invalidations"),
        text(n, "keyPrefix", "tablegate:"),
        number(n, "timeoutMs", 500, 1, 60_000),
        number(n, "sharedTtlMs", 86_400_000L, 0, Long.MAX_VALUE),
        number(n, "urlReuseWindowSeconds", 300, 0, 86_400));
  }

  private NotificationsConfig notifications(JsonNode n, RedisConfig redis) {
    if (n.isMissingNode() || n.isNull())
      return new NotificationsConfig(null, null, NotificationsConfig.DEFAULT_SNS_HOSTS);
    unknownKeys(n, "notifications.", Set.of("webhookToken", "redisList", "snsHosts"));
    List<String> snsHosts = NotificationsConfig.DEFAULT_SNS_HOSTS;
    if (n.has("snsHosts")) {
      snsHosts = new ArrayList<>();
      if (!n.get("snsHosts").isArray())
        problems.add(
            "notifications.snsHosts must be a list of host names ('*' stands for one label)");
      for (JsonNode h : n.get("snsHosts")) snsHosts.add(h.asText());
    }
    String token = text(n, "webhookToken", null);
    if (token != null && token.length() < 16)
      problems.add("notifications.webhookToken must be at least 16 characters long");
    String list = text(n, "redisList", null);
    if (list != null && redis == null)
      problems.add("notifications.redisList needs a 'redis' section");
    return new NotificationsConfig(token == null ? null : sha256(token), list, snsHosts);
  }

  /** Files are routed to stores by location, so one location cannot belong to two stores. */
  private void checkOneStorePerLocation(List<ShareConfig> shares) {
    java.util.Map<String, String> storeOf = new java.util.HashMap<>();
    for (ShareConfig s : shares) {
      for (SchemaConfig sc : s.schemas()) {
        for (TableConfig t : sc.tables()) {
          if (t.store() == null) continue;
          String previous = storeOf.putIfAbsent(t.location(), t.store());
          if (previous != null && !previous.equals(t.store())) {
            problems.add(
                "location '"
                    + t.location()
                    + "' is configured with two stores ('"
                    + previous
                    + "' and '"
                    + t.store()
                    + "')");
          }
        }
      }
    }
  }

  private String url(JsonNode n, String key, String where) {
    String v = text(n, key, null);
    if (v == null) return null;
    while (v.endsWith("/")) v = v.substring(0, v.length() - 1);
    try {
      URI uri = URI.create(v);
      if (uri.getScheme() == null
          || uri.getHost() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        problems.add(where + "." + key + " must be an absolute http(s) URL, got '" + v + "'");
      }
    } catch (IllegalArgumentException e) {
      problems.add(where + "." + key + " is not a valid URL: '" + v + "'");
    }
    return v;
  }

  /**
   * A share's {@code properties}: at most 50 string pairs, keys up to 255 and values up to 1,000
   * characters.
   */
  private java.util.Map<String, String> shareProperties(JsonNode n, String where) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    if (n.isMissingNode() || n.isNull()) return out;
    if (!n.isObject()) {
      problems.add(where + ".properties must be a map of strings");
      return out;
    }
    if (n.size() > 50) problems.add(where + ".properties has more than 50 entries");
    for (var it = n.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isTextual()) {
        problems.add(where + ".properties values must be strings");
        continue;
      }
      if (e.getKey().isEmpty() || e.getKey().length() > 255)
        problems.add(where + ".properties keys must be 1 to 255 characters");
      if (e.getValue().asText().length() > 1_000)
        problems.add(where + ".properties values must be at most 1,000 characters");
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  private List<ShareConfig> shares(JsonNode n) {
    List<ShareConfig> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) return out;
    if (!n.isArray()) {
      problems.add("'shares' must be a list");
      return out;
    }
    Set<String> names = new HashSet<>();
    int i = 0;
    for (JsonNode s : n) {
      String where = "shares[" + i++ + "]";
      unknownKeys(
          s,
          where + ".",
          Set.of(
              "name",
              "id",
              "schemas",
              "displayName",
              "comment",
              "properties",
              "directoryAccess",
              "policies"));
      String name = requiredName(s, where, false);
      if (name != null && !names.add(name.toLowerCase(Locale.ROOT)))
        problems.add(where + ": duplicate share name '" + name + "'");
      List<SchemaConfig> schemas = new ArrayList<>();
      Set<String> schemaNames = new HashSet<>();
      int j = 0;
      for (JsonNode sc : s.path("schemas")) {
        String swhere = where + ".schemas[" + j++ + "]";
        unknownKeys(sc, swhere + ".", Set.of("name", "tables"));
        String sname = requiredName(sc, swhere, true);
        if (sname != null && !schemaNames.add(sname.toLowerCase(Locale.ROOT)))
          problems.add(swhere + ": duplicate schema name '" + sname + "'");
        List<TableConfig> tables = new ArrayList<>();
        Set<String> tableNames = new HashSet<>();
        int k = 0;
        for (JsonNode t : sc.path("tables")) {
          String twhere = swhere + ".tables[" + k++ + "]";
          TableConfig table = table(t, twhere);
          if (table != null && !tableNames.add(table.name().toLowerCase(Locale.ROOT))) {
            problems.add(twhere + ": duplicate table name '" + table.name() + "'");
          }
          if (table != null) tables.add(table);
        }
        if (sname != null) schemas.add(new SchemaConfig(sname, tables));
      }
      String displayName = text(s, "displayName", null);
      if (displayName != null && displayName.length() > 255)
        problems.add(where + ".displayName is longer than 255 characters");
      String comment = text(s, "comment", null);
      if (comment != null && comment.length() > 65_536)
        problems.add(where + ".comment is longer than 65,536 characters");
      java.util.Map<String, String> properties = shareProperties(s.path("properties"), where);
      List<io.tablegate.protocol.TablePolicy> policies = new ArrayList<>();
      int pi = 0;
      for (JsonNode p : s.path("policies")) {
        String pwhere = where + ".policies[" + pi++ + "]";
        try {
          io.tablegate.protocol.TablePolicy policy = io.tablegate.protocol.TablePolicy.fromJson(p);
          String[] st = policy.table().split("\\.");
          boolean known =
              schemas.stream()
                  .anyMatch(
                      sc ->
                          sc.name().equalsIgnoreCase(st[0])
                              && sc.tables().stream()
                                  .anyMatch(t -> t.name().equalsIgnoreCase(st[1])));
          if (!known) problems.add(pwhere + ": no table '" + policy.table() + "' in this share");
          policies.add(policy);
        } catch (IllegalArgumentException e) {
          problems.add(pwhere + ": " + e.getMessage());
        }
      }
      if (name != null)
        out.add(
            new ShareConfig(
                name,
                text(s, "id", null),
                schemas,
                displayName,
                comment,
                properties,
                bool(s, "directoryAccess", false),
                policies));
    }
    return out;
  }

  private TableConfig table(JsonNode t, String where) {
    unknownKeys(
        t,
        where + ".",
        Set.of(
            "name",
            "location",
            "id",
            "format",
            "historyShared",
            "startVersion",
            "cdfEnabled",
            "store",
            "fileAccess",
            "catalog",
            "table"));
    String name = requiredName(t, where, true);
    String catalogName = text(t, "catalog", null);
    String location = text(t, "location", null);
    String format =
        text(t, "format", catalogName != null ? "iceberg" : "delta").toLowerCase(Locale.ROOT);
    if (catalogName != null) {
      return catalogTable(t, where, name, catalogName, format, location);
    }
    if (t.has("table"))
      problems.add(where + ".table names a table of an Iceberg catalog; give 'catalog' too");
    if (location == null || location.isBlank()) {
      problems.add(where + ".location is required");
    }
    if (!format.equals("delta") && !format.equals("iceberg")) {
      problems.add(where + ".format '" + format + "' is not supported (supported: delta, iceberg)");
    }
    if (format.equals("delta") && location != null && location.endsWith(".metadata.json")) {
      problems.add(where + ".location is an Iceberg metadata file; add 'format: iceberg'");
    }
    boolean history = bool(t, "historyShared", false);
    long startVersion = number(t, "startVersion", 0, 0, Long.MAX_VALUE);
    String fileAccess = text(t, "fileAccess", "presigned").toLowerCase(Locale.ROOT);
    if (!fileAccess.equals("presigned") && !fileAccess.equals("proxy")) {
      problems.add(where + ".fileAccess must be presigned or proxy, got '" + fileAccess + "'");
    }
    if (name == null || location == null || location.isBlank()) return null;
    String resolved = resolveLocation(location, where);
    String store = null;
    if (resolved.startsWith("s3://")) {
      store = text(t, "store", null);
      if (store == null) {
        if (storeNames.size() == 1) store = storeNames.iterator().next();
        else if (storeNames.contains("default")) store = "default";
        else
          problems.add(
              where
                  + ": an s3:// table needs 'store' naming one of 'stores' (configured: "
                  + storeNames
                  + ")");
      } else if (!storeNames.contains(store)) {
        problems.add(
            where + ".store names unknown store '" + store + "' (configured: " + storeNames + ")");
      }
    } else {
      if (t.has("store")) problems.add(where + ".store applies only to s3:// locations");
      fileAccess = "proxy";
    }
    return new TableConfig(
        name, resolved, text(t, "id", null), format, history, startVersion, store, fileAccess);
  }

  /** A table behind an Iceberg REST catalog: located by catalog and identifier, not by path. */
  private TableConfig catalogTable(
      JsonNode t, String where, String name, String catalogName, String format, String location) {
    IcebergCatalogConfig catalog = catalogs.get(catalogName);
    if (catalog == null)
      problems.add(
          where
              + ".catalog names unknown Iceberg catalog '"
              + catalogName
              + "' (configured: "
              + catalogs.keySet()
              + ")");
    if (!format.equals("iceberg"))
      problems.add(
          where + ": tables of an Iceberg catalog have format iceberg, got '" + format + "'");
    if (location != null)
      problems.add(where + ": give either location or catalog + table, not both");
    if (t.has("store")) problems.add(where + ".store comes from the catalog's 'store'");
    String identifier = text(t, "table", null);
    if (identifier == null || !identifier.matches("[^.\\s]+(\\.[^.\\s]+)+")) {
      problems.add(
          where
              + ".table must be the catalog's identifier namespace.table (e.g. sales.orders), got '"
              + identifier
              + "'");
    }
    boolean history = bool(t, "historyShared", false);
    long startVersion = number(t, "startVersion", 0, 0, Long.MAX_VALUE);
    String store = catalog == null ? null : catalog.store();
    String fileAccess =
        text(t, "fileAccess", store == null ? "proxy" : "presigned").toLowerCase(Locale.ROOT);
    if (!fileAccess.equals("presigned") && !fileAccess.equals("proxy")) {
      problems.add(where + ".fileAccess must be presigned or proxy, got '" + fileAccess + "'");
    }
    if (store == null && fileAccess.equals("presigned")) {
      problems.add(where + ": fileAccess presigned needs the catalog's 'store'");
    }
    if (name == null || identifier == null) return null;
    return new TableConfig(
        name,
        ICEBERG_REST_SCHEME + catalogName + "/" + identifier,
        text(t, "id", null),
        "iceberg",
        history,
        startVersion,
        store,
        fileAccess);
  }

  private String resolveLocation(String location, String where) {
    String lower = location.toLowerCase(Locale.ROOT);
    if (lower.startsWith("s3://") || lower.startsWith("s3a://")) {
      String rest = location.substring(location.indexOf("://") + 3);
      while (rest.endsWith("/")) rest = rest.substring(0, rest.length() - 1);
      if (rest.isEmpty() || rest.startsWith("/"))
        problems.add(where + ".location '" + location + "' must be s3://bucket/prefix");
      return "s3://" + rest;
    }
    if (lower.matches("^[a-z][a-z0-9+.-]*://.*") && !lower.startsWith("file:")) {
      problems.add(
          where + ".location '" + location + "': unsupported scheme (use a path or a file: URI)");
      return location;
    }
    Path path;
    try {
      path = lower.startsWith("file:") ? Path.of(URI.create(location)) : baseDir.resolve(location);
    } catch (IllegalArgumentException e) {
      problems.add(where + ".location '" + location + "' is not a valid path or file: URI");
      return location;
    }
    return path.toAbsolutePath().normalize().toUri().toString();
  }

  private List<TokenConfig> authorization(JsonNode n, List<ShareConfig> shares) {
    List<TokenConfig> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) return out;
    unknownKeys(n, "authorization.", Set.of("bearerToken", "tokens"));
    String single = text(n, "bearerToken", null);
    if (n.has("bearerToken") && (single == null || single.isBlank()))
      problems.add("authorization.bearerToken must not be empty");
    if (single != null && !single.isBlank())
      out.add(new TokenConfig("default", sha256(single), List.of(), null));
    Set<String> shareNames = new HashSet<>();
    for (ShareConfig s : shares) shareNames.add(s.name().toLowerCase(Locale.ROOT));
    int i = 0;
    for (JsonNode t : n.path("tokens")) {
      String where = "authorization.tokens[" + i++ + "]";
      unknownKeys(
          t,
          where + ".",
          Set.of("id", "token", "sha256", "shares", "expiresAt", "description", "allowedNetworks"));
      String id = text(t, "id", "token-" + i);
      String token = text(t, "token", null);
      String hash = text(t, "sha256", null);
      byte[] digest = null;
      if ((token == null) == (hash == null))
        problems.add(where + ": give exactly one of 'token' or 'sha256'");
      else if (token != null) {
        if (token.length() < 16) problems.add(where + ".token must be at least 16 characters long");
        digest = sha256(token);
      } else if (!HEX64.matcher(hash).matches())
        problems.add(where + ".sha256 must be 64 hex characters");
      else digest = HexFormat.of().parseHex(hash.toLowerCase(Locale.ROOT));
      List<String> scope = new ArrayList<>();
      for (JsonNode s : t.path("shares")) {
        if (!shareNames.contains(s.asText().toLowerCase(Locale.ROOT))) {
          problems.add(where + ".shares names unknown share '" + s.asText() + "'");
        }
        scope.add(s.asText());
      }
      if (scope.isEmpty()) problems.add(where + ".shares must list at least one share");
      Instant expiresAt = null;
      String exp = text(t, "expiresAt", null);
      if (exp != null) {
        try {
          expiresAt = Instant.parse(exp);
        } catch (DateTimeParseException e) {
          problems.add(
              where
                  + ".expiresAt must be an ISO-8601 instant such as 2027-01-31T00:00:00Z, got '"
                  + exp
                  + "'");
        }
      }
      List<Cidr> allowed = networks(t.path("allowedNetworks"), where + ".allowedNetworks");
      if (digest != null) out.add(new TokenConfig(id, digest, scope, expiresAt, allowed));
    }
    return out;
  }

  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- field helpers -------------------------------------------------------------------------

  private String requiredName(JsonNode n, String where, boolean noDots) {
    String name = text(n, "name", null);
    if (name == null || name.isEmpty()) {
      problems.add(where + ".name is required");
      return null;
    }
    String problem = NameRules.check(name, noDots);
    if (problem != null) {
      problems.add(where + ".name '" + name + "' " + problem);
      return null;
    }
    return name;
  }

  private String text(JsonNode n, String key, String fallback) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isValueNode()) {
      problems.add("'" + key + "' must be a string");
      return fallback;
    }
    return v.asText();
  }

  private long number(JsonNode n, String key, long fallback, long min, long max) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) return fallback;
    long value;
    if (v.isIntegralNumber() && v.canConvertToLong()) value = v.asLong();
    else {
      try {
        value = Long.parseLong(v.asText().trim());
      } catch (NumberFormatException e) {
        problems.add("'" + key + "' must be a whole number, got '" + v.asText() + "'");
        return fallback;
      }
    }
    if (value < min || value > max) {
      problems.add("'" + key + "' must be between " + min + " and " + max + ", got " + value);
      return fallback;
    }
    return value;
  }

  private boolean bool(JsonNode n, String key, boolean fallback) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) return fallback;
    if (v.isBoolean()) return v.booleanValue();
    String s = v.asText().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("false")) return Boolean.parseBoolean(s);
    problems.add("'" + key + "' must be true or false, got '" + v.asText() + "'");
    return fallback;
  }

  private void unknownKeys(JsonNode n, String prefix, Set<String> known) {
    if (!n.isObject()) return;
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!known.contains(key) && !IGNORED_REFERENCE_KEYS.contains(key)) {
        warnings.add(
            "Unknown configuration key '" + prefix + key + "' is ignored (check its spelling)");
      }
    }
  }
}
