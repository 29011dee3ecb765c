package io.tablegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tables written by real engines ({@code testing/python/write_tables.py}: deltalake and pyiceberg) and
 * the rows those engines read back, with the share that serves them.
 */
public final class EngineTables {
  private EngineTables() {}

  /** Writes the tables under {@code out}; returns {@code expected.json} (rows per table and version). */
  public static JsonNode write(Path out) throws Exception {
    Python.run(Map.of(), 600, "write_tables.py", out.toString());
    return GatewayHarness.MAPPER.readTree(out.resolve("expected.json").toFile());
  }

  /**
   * The {@code shares:} section serving them as {@code engines.w.<table>}, for tables written to
   * {@code tables/} under the configuration's directory.
   */
  public static String sharesYaml(JsonNode expected) {
    return """
        shares:
          - name: engines
            schemas:
              - name: w
                tables:
                  - {name: delta_partitioned, location: tables/delta_partitioned, historyShared: true}
                  - {name: delta_column_mapping, location: tables/delta_column_mapping}
                  - {name: iceberg_orders, location: "%s", format: iceberg, historyShared: true}
        """.formatted(expected.get("iceberg_orders").get("metadataLocation").asText());
  }
}
