package io.tablegate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  static final Path BASE = Path.of("/srv/tablegate");

  @Test
  void defaults() {
    // When
    ConfigLoader.Loaded loaded = ConfigLoader.parse("version: 1", BASE);
    // Then
    GatewayConfig c = loaded.config();
    assertThat(loaded.warnings()).isEmpty();
    assertThat(c.host()).isEqualTo("localhost");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.endpoint()).isEqualTo("/delta-sharing");
    assertThat(c.publicEndpoint()).isNull();
    assertThat(c.preSignedUrlTimeoutSeconds()).isEqualTo(3600);
    assertThat(c.queryTablePageSizeLimit()).isEqualTo(10_000);
    assertThat(c.queryTablePageTokenTtlMs()).isEqualTo(259_200_000L);
    assertThat(c.refreshTokenTtlMs()).isEqualTo(3_600_000L);
    assertThat(c.workerPoolSize()).isGreaterThanOrEqualTo(4);
    assertThat(c.latestVersionTtlMs()).isEqualTo(1000);
    assertThat(c.snapshotCacheSize()).isEqualTo(256);
    assertThat(c.signingKey()).isNull();
    assertThat(c.tokens()).isEmpty();
    assertThat(c.authEnabled()).isFalse();
    assertThat(c.shares()).isEmpty();
  }

  @Test
  void explicitMappingOfEveryKey() {
    String hash = HexFormat.of().formatHex(ConfigLoader.sha256("second-token-abcdefgh"));
    ConfigLoader.Loaded loaded =
        ConfigLoader.parse(
            """
        version: 1
        host: 0.0.0.0
        port: 9999
        endpoint: /sharing/
        publicEndpoint: https://share.example.com/sharing/
        preSignedUrlTimeoutSeconds: 7200
        queryTablePageSizeLimit: 50
        queryTablePageTokenTtlMs: 1000
        refreshTokenTtlMs: 2000
        workerPoolSize: 3
        latestVersionTtlMs: 0
        snapshotCacheSize: 7
        signingKey: 0123456789abcdef0123456789abcdef
        authorization:
          bearerToken: first-token
          tokens:
            - {id: acme, sha256: %s, shares: [Sales], expiresAt: "2030-01-01T00:00:00Z"}
        stores:
          - name: minio
            endpoint: http://minio.internal:9000/
            publicEndpoint: https://s3.example.com
            region: eu-west-1
            pathStyleAccess: false
            accessKeyId: AKIDEXAMPLE
            secretAccessKey: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
            connectTimeoutMs: 1000
            requestTimeoutMs: 2000
          - name: ceph
            endpoint: http://ceph:7480
        shares:
          - name: sales
            id: 11111111-1111-1111-1111-111111111111
            schemas:
              - name: tpch
                tables:
                  - name: orders
                    location: data/orders
                    id: 22222222-2222-2222-2222-222222222222
                    historyShared: true
                    startVersion: 3
                  - {name: lineitem, location: "file:///data/lineitem", format: delta}
                  - {name: events, location: "s3a://bucket/events/", store: minio, fileAccess: proxy}
                  - {name: logs, location: "s3://logs/t", store: ceph}
        """
                .formatted(hash),
            BASE);
    GatewayConfig c = loaded.config();
    assertThat(loaded.warnings()).isEmpty();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(9999);
    assertThat(c.endpoint()).isEqualTo("/sharing");
    assertThat(c.publicEndpoint()).isEqualTo("https://share.example.com/sharing");
    assertThat(c.preSignedUrlTimeoutSeconds()).isEqualTo(7200);
    assertThat(c.queryTablePageSizeLimit()).isEqualTo(50);
    assertThat(c.queryTablePageTokenTtlMs()).isEqualTo(1000);
    assertThat(c.refreshTokenTtlMs()).isEqualTo(2000);
    assertThat(c.workerPoolSize()).isEqualTo(3);
    assertThat(c.latestVersionTtlMs()).isZero();
    assertThat(c.snapshotCacheSize()).isEqualTo(7);
    assertThat(c.signingKey()).hasSize(32);
    assertThat(c.tokens()).hasSize(2);
    assertThat(c.tokens().get(0).shares()).isEmpty();
    assertThat(c.tokens().get(0).sha256()).isEqualTo(ConfigLoader.sha256("first-token"));
    assertThat(c.tokens().get(1).id()).isEqualTo("acme");
    assertThat(c.tokens().get(1).sha256()).isEqualTo(ConfigLoader.sha256("second-token-abcdefgh"));
    assertThat(c.tokens().get(1).shares()).containsExactly("Sales");
    assertThat(c.tokens().get(1).expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
    ShareConfig share = c.shares().get(0);
    assertThat(share.id()).isEqualTo("11111111-1111-1111-1111-111111111111");
    TableConfig orders = share.schemas().get(0).tables().get(0);
    assertThat(orders.location()).isEqualTo("file:///srv/tablegate/data/orders");
    assertThat(orders.id()).isEqualTo("22222222-2222-2222-2222-222222222222");
    assertThat(orders.historyShared()).isTrue();
    assertThat(orders.startVersion()).isEqualTo(3);
    assertThat(orders.format()).isEqualTo("delta");
    assertThat(share.schemas().get(0).tables().get(1).location())
        .isEqualTo("file:///data/lineitem");
    assertThat(share.schemas().get(0).tables().get(1).fileAccess()).isEqualTo("proxy");
    TableConfig events = share.schemas().get(0).tables().get(2);
    assertThat(events.location()).isEqualTo("s3://bucket/events");
    assertThat(events.store()).isEqualTo("minio");
    assertThat(events.fileAccess()).isEqualTo("proxy");
    TableConfig logs = share.schemas().get(0).tables().get(3);
    assertThat(logs.store()).isEqualTo("ceph");
    assertThat(logs.fileAccess()).isEqualTo("presigned");
    StoreConfig minio = c.stores().get(0);
    assertThat(minio)
        .isEqualTo(
            new StoreConfig(
                "minio",
                "http://minio.internal:9000",
                "https://s3.example.com",
                "eu-west-1",
                false,
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                1000,
                2000));
    assertThat(minio.toString()).doesNotContain("wJalrXUtnFEMI");
    StoreConfig ceph = c.stores().get(1);
    assertThat(ceph)
        .isEqualTo(
            new StoreConfig(
                "ceph", "http://ceph:7480", null, "us-east-1", true, null, null, 5000, 30000));
  }

  @Test
  void acceptsTheReferenceServerTemplateAndWarnsOnlyAboutTypos() {
    ConfigLoader.Loaded loaded =
        ConfigLoader.parse(
            """
        version: 1
        shares:
        - name: "share1"
          schemas:
          - name: "schema1"
            tables:
            - name: "table1"
              location: "/tmp/table1"
              id: "00000000-0000-0000-0000-000000000000"
              historyShared: true
        authorization:
          bearerToken: "<token>"
        ssl:
          selfSigned: true
        host: "localhost"
        port: 8080
        endpoint: "/delta-sharing"
        preSignedUrlTimeoutSeconds: 3600
        deltaTableCacheSize: 10
        stalenessAcceptable: false
        evaluatePredicateHints: false
        evaluateJsonPredicateHints: true
        evaluateJsonPredicateHintsV2: true
        requestTimeoutSeconds: 30
        queryTablePageSizeLimit: 10000
        queryTablePageTokenTtlMs: 259200000
        refreshTokenTtlMs: 3600000
        prot: 1
        """,
            BASE);
    assertThat(loaded.config().shares()).hasSize(1);
    assertThat(loaded.warnings()).singleElement().asString().contains("'prot'");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    """
        version: 2
        port: 70000
        preSignedUrlTimeoutSeconds: 60
        publicEndpoint: ftp://x
        signingKey: short
        authorization:
          tokens:
            - {id: a, token: short, shares: [nope]}
            - {id: b, sha256: xyz, shares: []}
            - {id: c, token: long-enough-token-123, sha256: abc, shares: [s]}
            - {id: d, token: long-enough-token-456, shares: [s], expiresAt: tomorrow}
        shares:
          - name: s
            schemas:
              - name: bad.schema
                tables: []
              - name: ok
                tables:
                  - {name: t}
                  - {name: "has space", location: x}
                  - {name: u, location: "s3://bucket/t", fileAccess: direct}
                  - {name: v, location: x, format: parquet}
                  - {name: V, location: y}
          - name: S
        """,
                    BASE))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e -> assertThat(((ConfigException) e).problems()).hasSizeGreaterThanOrEqualTo(16))
        .hasMessageContaining("'version' must be 1")
        .hasMessageContaining("'port' must be between")
        .hasMessageContaining("at least 900")
        .hasMessageContaining("publicEndpoint")
        .hasMessageContaining("signingKey")
        .hasMessageContaining("unknown share 'nope'")
        .hasMessageContaining("64 hex")
        .hasMessageContaining("exactly one of 'token' or 'sha256'")
        .hasMessageContaining("expiresAt")
        .hasMessageContaining("contains '.'")
        .hasMessageContaining(".location is required")
        .hasMessageContaining("contains a space")
        .hasMessageContaining("an s3:// table needs 'store'")
        .hasMessageContaining("fileAccess must be presigned or proxy")
        .hasMessageContaining("format 'parquet' is not supported")
        .hasMessageContaining("duplicate table name 'V'")
        .hasMessageContaining("duplicate share name 'S'");
  }

  @Test
  void redisAndNotifications() {
    GatewayConfig c =
        ConfigLoader.parse(
                """
        version: 1
        redis:
          mode: sentinel
          endpoints: ["redis://s1:26379", "redis://s2:26379"]
          masterName: mymaster
          user: tablegate
          password: redis-secret-value
          channel: inv
          keyPrefix: "tg:"
          timeoutMs: 250
          sharedTtlMs: 0
          urlReuseWindowSeconds: 0
        notifications: {webhookToken: webhook-token-0123456789, redisList: minio-events}
        """,
                BASE)
            .config();
    assertThat(c.redis())
        .isEqualTo(
            new RedisConfig(
                "redis://s1:26379",
                java.util.List.of("redis://s1:26379", "redis://s2:26379"),
                "sentinel",
                "mymaster",
                "tablegate",
                "redis-secret-value",
                "inv",
                "tg:",
                250,
                0,
                0));
    assertThat(c.redis().toString()).doesNotContain("redis-secret-value");
    assertThat(c.notifications().webhookTokenSha256())
        .isEqualTo(ConfigLoader.sha256("webhook-token-0123456789"));
    assertThat(c.notifications().redisList()).isEqualTo("minio-events");
    GatewayConfig defaults =
        ConfigLoader.parse("version: 1\nredis: {uri: \"redis://r:6379\"}", BASE).config();
    assertThat(defaults.redis())
        .isEqualTo(
            new RedisConfig(
                "redis://r:6379",
                java.util.List.of("redis://r:6379"),
                "standalone",
                null,
                null,
                null,
                "tablegate:invalidations",
                "tablegate:",
                500,
                86_400_000L,
                300));
    assertThat(defaults.notifications().webhookTokenSha256()).isNull();
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    """
        version: 1
        redis: {uri: "http://r", mode: sentinel}
        notifications: {webhookToken: short}
        """,
                    BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("must start with redis://")
        .hasMessageContaining("masterName is required")
        .hasMessageContaining("webhookToken must be at least 16");
    assertThatThrownBy(() -> ConfigLoader.parse("version: 1\nnotifications: {redisList: x}", BASE))
        .hasMessageContaining("redisList needs a 'redis' section");
  }

  @Test
  void oneLocationBelongsToOneStore() {
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    """
        version: 1
        stores: [{name: a, endpoint: "http://a:9000"}, {name: b, endpoint: "http://b:9000"}]
        shares:
          - name: s
            schemas:
              - name: x
                tables:
                  - {name: t1, location: "s3://bucket/t", store: a}
                  - {name: t2, location: "s3a://bucket/t/", store: b}
                  - {name: t3, location: "s3://bucket/t", store: c}
        """,
                    BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("configured with two stores ('a' and 'b')")
        .hasMessageContaining("unknown store 'c'");
  }

  @Test
  void theLiveCatalogInTheObjectStoreNeedsAnObjectLocationAndAStore() {
    var ok =
        ConfigLoader.parse(
                """
        version: 1
        stores: [{name: a, endpoint: "http://a:9000"}]
        admin: {token: admin-token-0123456789, catalog: "s3://b/tablegate/catalog.json", catalogStore: a}
        management: {host: 0.0.0.0, port: 9100}
        shares: []
        """,
                BASE)
            .config();
    assertThat(ok.admin().catalogLocation()).isEqualTo("s3://b/tablegate/catalog.json");
    assertThat(ok.admin().catalogStore()).isEqualTo("a");
    assertThat(ok.admin().catalogWrites()).isEqualTo("auto");
    assertThat(ok.management()).isEqualTo(new ManagementConfig("0.0.0.0", 9100));
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    """
        version: 1
        port: 9100
        stores: [{name: a, endpoint: "http://a:9000"}]
        admin: {token: admin-token-0123456789, catalog: "s3://b/", catalogStore: nope, catalogFile: c.json, catalogWrites: sometimes}
        management: {port: 9100}
        shares: []
        """,
                    BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "admin.catalogWrites must be one of [auto, conditional, versioned], got 'sometimes'")
        .hasMessageContaining("admin.catalog must be an object location")
        .hasMessageContaining("admin.catalogStore 'nope' is not a configured store")
        .hasMessageContaining("not both")
        .hasMessageContaining("management.port must differ from the sharing port");
  }

  @Test
  void sharesCarryTheirProtocolMetadata() {
    var c =
        ConfigLoader.parse(
                """
        version: 1
        shares:
          - name: s
            displayName: "Sales"
            comment: "daily"
            properties: {owner: team}
            schemas: []
        """,
                BASE)
            .config();
    assertThat(c.shares().get(0).displayName()).isEqualTo("Sales");
    assertThat(c.shares().get(0).properties()).containsEntry("owner", "team");
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    """
        version: 1
        shares:
          - {name: s, properties: {owner: 1}, comment: [x]}
        """,
                    BASE))
        .hasMessageContaining("properties values must be strings");
  }

  @Test
  void invalidYamlAndMissingVersionFailClearly() {
    assertThatThrownBy(() -> ConfigLoader.parse("version: [", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid YAML");
    assertThatThrownBy(() -> ConfigLoader.parse("", BASE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("version");
    assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/tablegate.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Cannot read configuration file");
  }

  @Test
  void secretsStayOutOfToString() {
    GatewayConfig c =
        ConfigLoader.parse(
                """
        version: 1
        signingKey: super-secret-signing-key-0123456789
        authorization:
          bearerToken: the-bearer-token-value
        """,
                BASE)
            .config();
    assertThat(c.toString())
        .doesNotContain("super-secret")
        .doesNotContain("the-bearer-token-value");
    assertThat(c.tokens().get(0).toString()).doesNotContain("the-bearer-token-value");
  }

  @Test
  void theShippedConfigurationsLoad() {
    Path conf = Path.of("..", "conf");
    assertThat(ConfigLoader.load(conf.resolve("tablegate.yaml")).warnings()).isEmpty();
    ConfigLoader.Loaded demo = ConfigLoader.load(conf.resolve("demo.yaml"));
    assertThat(demo.warnings()).isEmpty();
    assertThat(demo.config().shares().get(0).schemas()).hasSize(2);
    assertThat(demo.config().authEnabled()).isTrue();
  }

  @Test
  void limitsHaveDefaultsAndExplicitValues() {
    // Given / When
    GatewayConfig defaults = ConfigLoader.parse("version: 1\n", Path.of(".")).config();
    GatewayConfig explicit =
        ConfigLoader.parse(
                """
        version: 1
        limits: {maxConnections: 50, idleTimeoutSeconds: 9, requestHeaderTimeoutMs: 700, maxConcurrentScans: 3, scanQueueTimeoutMs: 5,
                 maxPredicateLeaves: 10, maxPredicateDepth: 4, shutdownDrainMs: 100, scanSpillMaxBytes: 1000}
        """,
                Path.of("."))
            .config();
    // Then
    assertThat(defaults.limits().maxConnections()).isBetween(64, 10_000);
    assertThat(defaults.limits().maxConcurrentScans()).isGreaterThanOrEqualTo(8);
    assertThat(explicit.limits()).isEqualTo(new LimitsConfig(50, 9, 700, 3, 5, 10, 4, 100, 1000));
    // the connection cap follows the open-file limit
    assertThat(LimitsConfig.defaultMaxConnections(400)).isEqualTo(300);
    assertThat(LimitsConfig.defaultMaxConnections(1_048_576)).isEqualTo(10_000);
    assertThat(LimitsConfig.defaultMaxConnections(50)).isEqualTo(64);
    assertThat(LimitsConfig.defaultMaxConnections(-1)).isEqualTo(10_000);
    assertThat(
            ConfigLoader.parse("version: 1\nlimits: {maxConnectionz: 5}\n", Path.of("."))
                .warnings())
        .anyMatch(w -> w.contains("limits.maxConnectionz"));
  }
}
