package io.tablegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tables written by real engines ({@code testing/python/write_tables.py}: deltalake and pyiceberg)
 * and the rows those engines read back, with the share that serves them.
 */
public final class EngineTables {
  private EngineTables() {}

  /**
   * Writes the tables under {@code out}; returns {@code expected.json} (rows per table and
   * version).
   */
  public static JsonNode write(Path out) throws Exception {
    Python.run(Map.of(), 600, "write_tables.py", out.toString());
    return GatewayHarness.MAPPER.readTree(out.resolve("expected.json").toFile());
  }

  /**
   * Has the engines write the tables straight into {@code bucket} of an S3 endpoint with their own
   * S3 clients; returns {@code expected.json} (written under {@code out}).
   */
  public static JsonNode writeToS3(
      Path out, String endpoint, String bucket, String accessKey, String secretKey)
      throws Exception {
    // pyarrow's AWS SDK adds flexible checksums to uploads, which s3proxy refuses; the SDK only
    // sends them when asked to here
    Python.run(
        Map.of(
            "AWS_REQUEST_CHECKSUM_CALCULATION",
            "WHEN_REQUIRED",
            "AWS_RESPONSE_CHECKSUM_VALIDATION",
            "WHEN_REQUIRED"),
        600,
        "write_tables.py",
        out.toString(),
        endpoint,
        bucket,
        accessKey,
        secretKey);
    return GatewayHarness.MAPPER.readTree(out.resolve("expected.json").toFile());
  }

  /**
   * The {@code shares:} section serving the tables of {@link #writeToS3} (bucket {@code engines})
   * with presigned URLs and through the gateway: {@code engines.w.delta_presigned}, {@code
   * delta_proxy}, {@code iceberg_presigned}, {@code iceberg_proxy} (Iceberg shared by its metadata
   * file).
   */
  public static String s3SharesYaml(JsonNode expected) {
    String iceberg = expected.get("iceberg_orders").get("metadataLocation").asText();
    return """
        shares:
          - name: engines
            schemas:
              - name: w
                tables:
                  - {name: delta_presigned, location: "s3://engines/delta_partitioned", historyShared: true}
                  - {name: delta_proxy, location: "s3://engines/delta_partitioned", historyShared: true, fileAccess: proxy}
                  - {name: iceberg_presigned, location: "%s", format: iceberg, historyShared: true}
                  - {name: iceberg_proxy, location: "%s", format: iceberg, historyShared: true, fileAccess: proxy}
        """
        .formatted(iceberg, iceberg);
  }

  /** A JSON array of canonical rows (from {@code expected.json}) as a list. */
  public static List<String> rows(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
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
        """
        .formatted(expected.get("iceberg_orders").get("metadataLocation").asText());
  }
}
