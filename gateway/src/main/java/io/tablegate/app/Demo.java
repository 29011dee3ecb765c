package io.tablegate.app;

import io.tablegate.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The bundled demo share: TPC-H-like {@code orders} and {@code customer}, a table with deletion
 * vectors, and a partitioned, history-shared {@code daily_events} table with several versions, a
 * delete, change data files and a checkpoint. Written once into a directory, with its config.
 */
final class Demo {
  static final String TOKEN = "tablegate-demo-token-0001";
  static final String ADMIN_TOKEN = "tablegate-demo-admin-0001";

  private Demo() {}

  /**
   * Writes the demo tables and config into {@code dir} unless they exist; returns the config path.
   */
  static Path prepare(Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    Path config = dir.resolve("demo.yaml");
    try (InputStream in = Demo.class.getResourceAsStream("/demo.yaml")) {
      if (in == null) throw new IllegalStateException("demo.yaml is missing from the jar");
      String yaml =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("port: 8080", "port: " + port)
              .replace("port: 8081", "port: " + (port == 0 ? 0 : port + 1));
      Files.writeString(config, yaml, StandardCharsets.UTF_8);
    }
    if (!Files.exists(dir.resolve("tpch/orders/_delta_log"))) extractTables(dir);
    return config;
  }

  /** Where the build put the demo tables (written by the fixtures' DemoTables) and their index. */
  static final String TABLES = "/demo-tables/";

  /**
   * Copies the demo tables out of the jar, giving every file its modification time relative to now
   * as the index says (a Delta commit's time is its file's), so the demo's history always ends just
   * before now.
   */
  static void extractTables(Path dir) throws IOException {
    String index;
    try (InputStream in = Demo.class.getResourceAsStream(TABLES + "index.tsv")) {
      if (in == null)
        throw new IllegalStateException(
            "The demo tables are missing from the jar (build it with mvn package)");
      index = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    long now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
    for (String line : index.split("\n")) {
      if (line.isBlank()) continue;
      String[] parts = line.split("\t");
      Path target = dir.resolve(parts[0]).normalize();
      if (!target.startsWith(dir.normalize()) || parts[0].contains(".."))
        throw new IllegalStateException("Bad demo table path " + parts[0]);
      Files.createDirectories(target.getParent());
      try (InputStream in = Demo.class.getResourceAsStream(TABLES + parts[0])) {
        if (in == null)
          throw new IllegalStateException(
              "The demo table file " + parts[0] + " is missing from the jar");
        Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Files.setLastModifiedTime(
          target, java.nio.file.attribute.FileTime.fromMillis(now + Long.parseLong(parts[1])));
    }
  }

  static GatewayConfig withPort(GatewayConfig c, int port) {
    return new GatewayConfig(
        c.host(),
        port,
        c.endpoint(),
        c.publicEndpoint(),
        c.preSignedUrlTimeoutSeconds(),
        c.queryTablePageSizeLimit(),
        c.queryTablePageTokenTtlMs(),
        c.refreshTokenTtlMs(),
        c.workerPoolSize(),
        c.eventLoops(),
        c.latestVersionTtlMs(),
        c.snapshotCacheSize(),
        c.responseCacheTtlMs(),
        c.responseCacheMaxBytes(),
        c.signingKey(),
        c.previousSigningKeys(),
        c.tokens(),
        c.stores(),
        c.icebergCatalogs(),
        c.redis(),
        c.notifications(),
        c.tls(),
        c.admin(),
        c.management(),
        c.oidc(),
        c.rateLimit(),
        c.limits(),
        c.shares(),
        c.network(),
        c.rewrites());
  }

  static void printWelcome(Path dir, String endpoint, int adminPort) {
    Path profile = dir.resolve("demo.share").toAbsolutePath();
    try {
      Files.writeString(
          profile,
          "{\"shareCredentialsVersion\": 1, \"endpoint\": \""
              + endpoint
              + "\", \"bearerToken\": \""
              + TOKEN
              + "\"}\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println();
    System.out.println("Tablegate demo is running at " + endpoint);
    System.out.println("Profile file for recipients: " + profile);
    System.out.println("Try:");
    System.out.println(
        "  curl -s -H 'Authorization: Bearer "
            + TOKEN
            + "' "
            + endpoint
            + "/shares/demo/all-tables");
    System.out.println(
        "  curl -s -X POST -H 'Authorization: Bearer "
            + TOKEN
            + "' -H 'Content-Type: application/json' -d '{}' \\");
    System.out.println("       " + endpoint + "/shares/demo/schemas/tpch/tables/orders/query");
    System.out.println("Python: delta_sharing.load_as_pandas('" + profile + "#demo.tpch.orders')");
    if (adminPort > 0) {
      System.out.println("Administer (admin API on 127.0.0.1:" + adminPort + "):");
      System.out.println(
          "  export TABLEGATE_ADMIN_URL=http://127.0.0.1:"
              + adminPort
              + " TABLEGATE_ADMIN_TOKEN="
              + ADMIN_TOKEN);
      System.out.println("  scripts/tablegate share info demo");
      System.out.println(
          "  scripts/tablegate share token create demo --expires-in 30d --profile acme.share");
    }
    System.out.println("Press Ctrl+C to stop.");
  }
}
