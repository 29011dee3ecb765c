package io.tablegate.app;

import io.tablegate.config.GatewayConfig;
import io.tablegate.format.delta.DeltaTableWriter;
import io.tablegate.format.delta.DeltaTableWriter.ColumnSpec;
import io.tablegate.format.delta.DeltaTableWriter.FileRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bundled demo share: TPC-H-like {@code orders} and {@code customer}, a table with deletion
 * vectors, and a partitioned, history-shared {@code daily_events} table with several versions, a
 * delete, change data files and a checkpoint. Written once into a directory, with its config.
 */
final class Demo {
  static final String TOKEN = "tablegate-demo-token-0001";
  static final String ADMIN_TOKEN = "tablegate-demo-admin-0001";

  private Demo() {}

  /** Writes the demo tables and config into {@code dir} unless they exist; returns the config path. */
  static Path prepare(Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    Path config = dir.resolve("demo.yaml");
    try (InputStream in = Demo.class.getResourceAsStream("/demo.yaml")) {
      if (in == null) throw new IllegalStateException("demo.yaml is missing from the jar");
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("port: 8080", "port: " + port)
          .replace("port: 8081", "port: " + (port == 0 ? 0 : port + 1));
      Files.writeString(config, yaml, StandardCharsets.UTF_8);
    }
    if (!Files.exists(dir.resolve("tpch/orders/_delta_log"))) writeTables(dir);
    return config;
  }

  static GatewayConfig withPort(GatewayConfig c, int port) {
    return new GatewayConfig(c.host(), port, c.endpoint(), c.publicEndpoint(), c.preSignedUrlTimeoutSeconds(), c.queryTablePageSizeLimit(),
        c.queryTablePageTokenTtlMs(), c.refreshTokenTtlMs(), c.workerPoolSize(), c.eventLoops(), c.latestVersionTtlMs(), c.snapshotCacheSize(),
        c.responseCacheTtlMs(), c.responseCacheMaxBytes(),
        c.signingKey(), c.previousSigningKeys(), c.tokens(), c.stores(), c.icebergCatalogs(), c.redis(), c.notifications(), c.tls(), c.admin(),
        c.management(), c.oidc(), c.rateLimit(), c.limits(), c.shares());
  }

  static void writeTables(Path dir) {
    Instant t0 = Instant.now().minus(4, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    String[] segments = {"AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"};
    String[] statuses = {"O", "F", "P"};

    DeltaTableWriter customer = new DeltaTableWriter(dir.resolve("tpch/customer"), List.of(
        new ColumnSpec("c_custkey", "long"), new ColumnSpec("c_name", "string"), new ColumnSpec("c_nationkey", "integer"),
        new ColumnSpec("c_acctbal", "double"), new ColumnSpec("c_mktsegment", "string")), List.of());
    List<Object[]> customers = new ArrayList<>();
    for (long k = 1; k <= 50; k++) {
      customers.add(new Object[] {k, String.format("Customer#%09d", k), (int) (k % 25), Math.round(k * 137.31 % 10000 * 100) / 100.0,
          segments[(int) (k % segments.length)]});
    }
    List<String> actions = new ArrayList<>(customer.createActions(Map.of(), 1, 2, null, null));
    actions.add(DeltaTableWriter.add(customer.writeFile(customers), t0.toEpochMilli(), null));
    customer.commit(0, actions, t0);

    DeltaTableWriter orders = new DeltaTableWriter(dir.resolve("tpch/orders"), List.of(
        new ColumnSpec("o_orderkey", "long"), new ColumnSpec("o_custkey", "long"), new ColumnSpec("o_orderstatus", "string"),
        new ColumnSpec("o_totalprice", "double"), new ColumnSpec("o_orderdate", "date")), List.of());
    actions = new ArrayList<>(orders.createActions(Map.of(), 1, 2, null, null));
    for (int part = 0; part < 4; part++) {
      List<Object[]> rows = new ArrayList<>();
      for (long k = part * 50L + 1; k <= part * 50L + 50; k++) {
        rows.add(new Object[] {k, k % 50 + 1, statuses[(int) (k % 3)], Math.round(k * 1234.567 % 50000 * 100) / 100.0,
            LocalDate.of(2024, 1, 1).plusDays(k % 365)});
      }
      actions.add(DeltaTableWriter.add(orders.writeFile(rows), t0.toEpochMilli(), null));
    }
    orders.commit(0, actions, t0);

    DeltaTableWriter withDeletes = new DeltaTableWriter(dir.resolve("tpch/orders_with_deletes"), List.of(
        new ColumnSpec("o_orderkey", "long"), new ColumnSpec("o_orderstatus", "string")), List.of());
    actions = new ArrayList<>(withDeletes.createActions(Map.of("delta.enableDeletionVectors", "true"), 3, 7,
        List.of("deletionVectors"), List.of("deletionVectors")));
    List<Object[]> rows = new ArrayList<>();
    for (long k = 1; k <= 10; k++) rows.add(new Object[] {k, statuses[(int) (k % 3)]});
    FileRef file = withDeletes.writeFile(rows);
    actions.add(DeltaTableWriter.add(file, t0.toEpochMilli(), null));
    withDeletes.commit(0, actions, t0);
    Instant t1 = t0.plus(1, ChronoUnit.HOURS);
    withDeletes.commit(1, List.of(DeltaTableWriter.commitInfo("DELETE", t1.toEpochMilli()),
        DeltaTableWriter.remove(file, t1.toEpochMilli(), true),
        DeltaTableWriter.add(file, t1.toEpochMilli(), withDeletes.writeDeletionVector(1, 3, 5))), t1);

    DeltaTableWriter events = new DeltaTableWriter(dir.resolve("events/daily_events"), List.of(
        new ColumnSpec("event_id", "long"), new ColumnSpec("kind", "string"), new ColumnSpec("event_date", "date")),
        List.of("event_date"));
    actions = new ArrayList<>(events.createActions(Map.of("delta.enableChangeDataFeed", "true"), 1, 4, null, null));
    List<FileRef> days = new ArrayList<>();
    for (int v = 0; v < 4; v++) {
      LocalDate day = LocalDate.of(2024, 3, 1).plusDays(v);
      List<Object[]> dayRows = new ArrayList<>();
      for (long k = 0; k < 5; k++) dayRows.add(new Object[] {v * 100L + k, k % 2 == 0 ? "click" : "view", day});
      FileRef f = events.writeFile(dayRows);
      days.add(f);
      Instant tv = t0.plus(v, ChronoUnit.DAYS);
      if (v > 0) actions = new ArrayList<>();
      actions.add(DeltaTableWriter.commitInfo("WRITE", tv.toEpochMilli()));
      actions.add(DeltaTableWriter.add(f, tv.toEpochMilli(), null));
      events.commit(v, actions, tv);
    }
    events.checkpoint(3);
    Instant t4 = t0.plus(4, ChronoUnit.DAYS).minus(1, ChronoUnit.HOURS);
    events.commit(4, List.of(DeltaTableWriter.commitInfo("DELETE", t4.toEpochMilli()),
        DeltaTableWriter.remove(days.get(0), t4.toEpochMilli(), true)), t4);
  }

  static void printWelcome(Path dir, String endpoint, int adminPort) {
    Path profile = dir.resolve("demo.share").toAbsolutePath();
    try {
      Files.writeString(profile, "{\"shareCredentialsVersion\": 1, \"endpoint\": \"" + endpoint + "\", \"bearerToken\": \"" + TOKEN
          + "\"}\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println();
    System.out.println("Tablegate demo is running at " + endpoint);
    System.out.println("Profile file for recipients: " + profile);
    System.out.println("Try:");
    System.out.println("  curl -s -H 'Authorization: Bearer " + TOKEN + "' " + endpoint + "/shares/demo/all-tables");
    System.out.println("  curl -s -X POST -H 'Authorization: Bearer " + TOKEN + "' -H 'Content-Type: application/json' -d '{}' \\");
    System.out.println("       " + endpoint + "/shares/demo/schemas/tpch/tables/orders/query");
    System.out.println("Python: delta_sharing.load_as_pandas('" + profile + "#demo.tpch.orders')");
    if (adminPort > 0) {
      System.out.println("Administer (admin API on 127.0.0.1:" + adminPort + "):");
      System.out.println("  export TABLEGATE_ADMIN_URL=http://127.0.0.1:" + adminPort + " TABLEGATE_ADMIN_TOKEN=" + ADMIN_TOKEN);
      System.out.println("  scripts/tablegate share info demo");
      System.out.println("  scripts/tablegate share token create demo --expires-in 30d --profile acme.share");
    }
    System.out.println("Press Ctrl+C to stop.");
  }
}
