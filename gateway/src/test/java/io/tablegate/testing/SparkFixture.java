package io.tablegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tables written by Apache Spark (3.5, local mode, with Delta Lake 3.3 and Iceberg's Spark
 * runtime): the {@code testing/spark} fixture run in its own JVM, since Spark brings its own Scala,
 * Hadoop and Jackson.
 */
public final class SparkFixture {
  /** Spark on Java 17 needs these (the list Spark's own launcher passes). */
  private static final List<String> OPENS =
      List.of(
          "java.lang",
          "java.lang.invoke",
          "java.lang.reflect",
          "java.io",
          "java.net",
          "java.nio",
          "java.util",
          "java.util.concurrent",
          "java.util.concurrent.atomic",
          "sun.nio.ch",
          "sun.nio.cs",
          "sun.security.action",
          "sun.util.calendar");

  private SparkFixture() {}

  /**
   * Writes the tables under {@code out}; returns {@code expected.json} (rows per table and version
   * as Spark reads them).
   */
  public static JsonNode write(Path out) throws IOException, InterruptedException {
    String target = System.getProperty("tablegate.sparkFixture");
    Path jar =
        target == null ? null : Path.of(target, "tablegate-spark-fixture-0.1.0-SNAPSHOT.jar");
    Path classpath = target == null ? null : Path.of(target, "classpath.txt");
    if (jar == null || !Files.isReadable(jar) || !Files.isReadable(classpath)) {
      throw new IllegalStateException(
          "The Spark fixture is not built ("
              + target
              + "): run "
              + "'mvn -f testing/spark/pom.xml package' or the whole reactor");
    }
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    OPENS.forEach(p -> command.add("--add-opens=java.base/" + p + "=ALL-UNNAMED"));
    command.addAll(
        List.of(
            "-cp",
            jar + ":" + Files.readString(classpath).trim(),
            "io.tablegate.testing.spark.SparkTables",
            out.toString()));
    Files.createDirectories(out);
    Path log = out.resolve("spark.log");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    if (!p.waitFor(900, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "Spark did not finish within 900 s:\n" + Files.readString(log));
    }
    if (p.exitValue() != 0)
      throw new IllegalStateException(
          "Spark failed (exit " + p.exitValue() + "):\n" + Files.readString(log));
    return GatewayHarness.MAPPER.readTree(out.resolve("expected.json").toFile());
  }
}
