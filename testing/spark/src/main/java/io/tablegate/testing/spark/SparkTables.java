package io.tablegate.testing.spark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Writes test tables the way Spark writes them (Spark 3.5 in local mode with Delta Lake 3.3 and Iceberg's
 * Spark runtime) and records the rows Spark reads back.
 *
 * <p>Usage: {@code SparkTables OUT_DIR}. Tables go to {@code OUT_DIR/<table>} (Delta) and
 * {@code OUT_DIR/iceberg_warehouse} (Iceberg, a Hadoop catalog); {@code OUT_DIR/expected.json} maps each
 * table to {@code {"latest": [rows], "versions": {version: [rows]}}} (Iceberg also {@code metadataLocation};
 * the change-data-feed table also {@code changes}, its changes from version 1),
 * rows in the canonical form of the gateway tests' KernelRows ("col=value|col=value" in schema order, dates as
 * days since the epoch, null as "null"), sorted.
 */
public final class SparkTables {
  private SparkTables() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]).toAbsolutePath();
    Files.createDirectories(out);
    SparkSession spark = SparkSession.builder()
        .appName("tablegate-spark-tables")
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.datetime.java8API.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension,"
            + "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.catalog.ice", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.ice.type", "hadoop")
        .config("spark.sql.catalog.ice.warehouse", out.resolve("iceberg_warehouse").toUri().toString())
        .config("spark.sql.warehouse.dir", out.resolve("spark-warehouse").toUri().toString())
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    Map<String, Object> expected = new TreeMap<>();
    try {
      deltaPartitioned(spark, out, expected);
      deltaDeletionVectors(spark, out, expected);
      deltaColumnMapping(spark, out, expected);
      icebergOrders(spark, out, expected);
    } finally {
      spark.stop();
    }
    Files.writeString(out.resolve("expected.json"), Json.write(expected), StandardCharsets.UTF_8);
    System.out.println("Wrote " + expected.keySet() + " to " + out);
  }

  static String delta(Path out, String name) {
    return "delta.`" + out.resolve(name) + "`";
  }

  /** Partitioned by day, change data feed on, a checkpoint every 2 commits: INSERT, DELETE, UPDATE, MERGE, INSERT. */
  static void deltaPartitioned(SparkSession spark, Path out, Map<String, Object> expected) {
    String t = delta(out, "spark_partitioned");
    spark.sql("CREATE TABLE " + t + " (id BIGINT, name STRING, day DATE) USING delta PARTITIONED BY (day) TBLPROPERTIES ("
        + "'delta.enableChangeDataFeed' = 'true', 'delta.checkpointInterval' = '2')");
    spark.sql("INSERT INTO " + t + " VALUES (1, 'n1', DATE'2024-01-01'), (2, 'n2', DATE'2024-01-01'), "
        + "(3, 'n3', DATE'2024-01-02'), (4, 'n4', DATE'2024-01-02')");
    spark.sql("DELETE FROM " + t + " WHERE id = 1");
    spark.sql("UPDATE " + t + " SET name = 'updated' WHERE id = 3");
    spark.sql("MERGE INTO " + t + " AS t USING (SELECT * FROM VALUES (4L, 'merged', DATE'2024-01-02'), (5L, 'inserted', DATE'2024-01-03') "
        + "AS s(id, name, day)) AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
    spark.sql("INSERT INTO " + t + " VALUES (6, 'n6', DATE'2024-01-03')");
    Map<String, Object> table = versions(spark, t);
    // the change data feed from version 1 as Spark reads it (the commit timestamp left out)
    table.put("changes", rows(spark.sql("SELECT id, name, day, _change_type, _commit_version FROM table_changes_by_path('"
        + out.resolve("spark_partitioned") + "', 1)")));
    expected.put("spark_partitioned", table);
  }

  /** Deletion vectors: one file of ten rows, three deleted by a DELETE that writes a deletion vector. */
  static void deltaDeletionVectors(SparkSession spark, Path out, Map<String, Object> expected) {
    String t = delta(out, "spark_deletion_vectors");
    spark.sql("CREATE TABLE " + t + " (id BIGINT, name STRING, day DATE) USING delta TBLPROPERTIES ("
        + "'delta.enableDeletionVectors' = 'true')");
    spark.sql("INSERT INTO " + t + " SELECT /*+ REPARTITION(1) */ id, concat('n', id), DATE'2024-03-01' FROM range(10)");
    spark.sql("DELETE FROM " + t + " WHERE id IN (2, 5, 7)");
    expected.put("spark_deletion_vectors", versions(spark, t));
  }

  /** Column mapping by name, a renamed column, then more rows under the new name. */
  static void deltaColumnMapping(SparkSession spark, Path out, Map<String, Object> expected) {
    String t = delta(out, "spark_column_mapping");
    spark.sql("CREATE TABLE " + t + " (id BIGINT, name STRING, day DATE) USING delta TBLPROPERTIES ("
        + "'delta.columnMapping.mode' = 'name', 'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')");
    spark.sql("INSERT INTO " + t + " VALUES (1, 'n1', DATE'2024-02-01'), (2, 'n2', DATE'2024-02-01')");
    spark.sql("ALTER TABLE " + t + " RENAME COLUMN name TO label");
    spark.sql("INSERT INTO " + t + " VALUES (3, 'n3', DATE'2024-02-02')");
    Map<String, Object> latest = new LinkedHashMap<>();
    latest.put("latest", rows(spark.sql("SELECT * FROM " + t)));
    latest.put("versions", Map.of());
    expected.put("spark_column_mapping", latest);
  }

  /** Iceberg v2 partitioned by month(day), merge-on-read: a DELETE writes position deletes; a rename and an added column. */
  static void icebergOrders(SparkSession spark, Path out, Map<String, Object> expected) {
    String t = "ice.db.orders";
    spark.sql("CREATE TABLE " + t + " (id BIGINT, name STRING, day DATE) USING iceberg PARTITIONED BY (months(day)) TBLPROPERTIES ("
        + "'format-version' = '2', 'write.delete.mode' = 'merge-on-read', 'write.update.mode' = 'merge-on-read', "
        + "'write.merge.mode' = 'merge-on-read')");
    spark.sql("INSERT INTO " + t + " VALUES (1, 'n1', DATE'2024-01-05'), (2, 'n2', DATE'2024-02-05'), (3, 'n3', DATE'2024-02-06')");
    spark.sql("INSERT INTO " + t + " VALUES (4, 'n4', DATE'2024-03-05'), (5, 'n5', DATE'2024-01-09')");
    spark.sql("DELETE FROM " + t + " WHERE id = 2");
    spark.sql("ALTER TABLE " + t + " RENAME COLUMN name TO label");
    spark.sql("ALTER TABLE " + t + " ADD COLUMN qty BIGINT");
    spark.sql("INSERT INTO " + t + " VALUES (6, 'six', DATE'2024-04-01', 3)");
    Map<String, Object> table = new LinkedHashMap<>();
    table.put("latest", rows(spark.sql("SELECT * FROM " + t)));
    Table iceberg;
    try {
      iceberg = Spark3Util.loadIcebergTable(spark, t);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    // the gateway's version of an Iceberg table is a snapshot's sequence number
    Map<String, Object> snapshots = new TreeMap<>((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
    for (Snapshot s : iceberg.snapshots()) {
      snapshots.put(Long.toString(s.sequenceNumber()), rows(spark.sql("SELECT * FROM " + t + " VERSION AS OF " + s.snapshotId())));
    }
    table.put("versions", snapshots);
    table.put("metadataLocation", ((HasTableOperations) iceberg).operations().current().metadataFileLocation());
    long deleteFiles = spark.sql("SELECT * FROM " + t + ".delete_files").count();
    if (deleteFiles == 0) throw new IllegalStateException("merge-on-read DELETE wrote no delete file");
    table.put("deleteFiles", deleteFiles);
    expected.put("spark_iceberg", table);
  }

  /** Latest rows and the rows of every version, read by Delta time travel. */
  static Map<String, Object> versions(SparkSession spark, String t) {
    long latest = spark.sql("DESCRIBE HISTORY " + t).agg(org.apache.spark.sql.functions.max("version")).first().getLong(0);
    Map<String, Object> byVersion = new TreeMap<>((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
    for (long v = 0; v <= latest; v++) byVersion.put(Long.toString(v), rows(spark.sql("SELECT * FROM " + t + " VERSION AS OF " + v)));
    Map<String, Object> table = new LinkedHashMap<>();
    table.put("latest", rows(spark.sql("SELECT * FROM " + t)));
    table.put("versions", byVersion);
    return table;
  }

  static List<String> rows(Dataset<Row> frame) {
    String[] names = frame.columns();
    List<String> out = new ArrayList<>();
    for (Row r : frame.collectAsList()) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < names.length; i++) {
        if (i > 0) b.append('|');
        b.append(names[i]).append('=').append(canonical(r.get(i)));
      }
      out.add(b.toString());
    }
    out.sort(null);
    return out;
  }

  static String canonical(Object v) {
    if (v == null) return "null";
    if (v instanceof LocalDate d) return Long.toString(d.toEpochDay());
    if (v instanceof LocalDateTime t) return t.toString();
    return v.toString();
  }

  /** Just enough JSON for maps, lists, strings and numbers. */
  static final class Json {
    static String write(Object o) {
      StringBuilder b = new StringBuilder();
      write(o, b);
      return b.toString();
    }

    static void write(Object o, StringBuilder b) {
      if (o instanceof Map<?, ?> m) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!first) b.append(',');
          first = false;
          string(e.getKey().toString(), b);
          b.append(':');
          write(e.getValue(), b);
        }
        b.append('}');
      } else if (o instanceof List<?> l) {
        b.append('[');
        for (int i = 0; i < l.size(); i++) {
          if (i > 0) b.append(',');
          write(l.get(i), b);
        }
        b.append(']');
      } else if (o instanceof Number n) {
        b.append(n);
      } else {
        string(String.valueOf(o), b);
      }
    }

    static void string(String s, StringBuilder b) {
      b.append('"');
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') b.append('\\').append(c);
        else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
        else b.append(c);
      }
      b.append('"');
    }
  }
}
