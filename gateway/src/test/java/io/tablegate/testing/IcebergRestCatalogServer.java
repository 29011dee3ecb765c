package io.tablegate.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.rest.RESTCatalog;

/**
 * Iceberg's own REST catalog server ({@code RESTCatalogServer}, iceberg-open-api test fixtures
 * 1.10.0) in a separate JVM, over a Hadoop catalog in a local warehouse. Its Iceberg 1.10 and Jetty
 * 11 would clash with ours, so its classpath comes from the {@code testing/iceberg-rest-catalog}
 * module (built before the gateway in the reactor).
 */
public final class IcebergRestCatalogServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  public IcebergRestCatalogServer(Path dir) throws Exception {
    String cpFile = System.getProperty("tablegate.icebergRestClasspath");
    if (cpFile == null || !Files.isReadable(Path.of(cpFile))) {
      throw new IllegalStateException(
          "The REST catalog fixture's classpath is missing ("
              + cpFile
              + "): build it with "
              + "'mvn -f testing/iceberg-rest-catalog/pom.xml generate-resources' or run the whole reactor");
    }
    Path warehouse = Files.createDirectories(dir.resolve("warehouse"));
    this.log = dir.resolve("rest-catalog.log");
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            Files.readString(Path.of(cpFile)).trim(),
            "org.apache.iceberg.rest.RESTCatalogServer");
    pb.environment()
        .putAll(
            Map.of(
                "CATALOG_CATALOG__IMPL",
                "org.apache.iceberg.hadoop.HadoopCatalog",
                "CATALOG_WAREHOUSE",
                warehouse.toString(),
                "CATALOG_REST_PORT",
                Integer.toString(port)));
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    this.process = pb.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!ready()) {
      if (!process.isAlive())
        throw new IllegalStateException("The REST catalog server exited: " + Files.readString(log));
      if (System.nanoTime() > deadline)
        throw new IllegalStateException(
            "The REST catalog server did not start: " + Files.readString(log));
      Thread.sleep(100);
    }
  }

  private boolean ready() {
    try {
      HttpURLConnection c =
          (HttpURLConnection) URI.create(uri() + "/v1/config").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      return c.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  public String uri() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * A client of this server (Iceberg 1.12's RESTCatalog), authenticated with OAuth2 client
   * credentials.
   */
  public RESTCatalog client() {
    RESTCatalog c = new RESTCatalog();
    c.setConf(new org.apache.hadoop.conf.Configuration());
    c.initialize("writer", Map.of("uri", uri(), "credential", "writer:secret"));
    return c;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS))
      process.destroyForcibly().waitFor();
  }
}
