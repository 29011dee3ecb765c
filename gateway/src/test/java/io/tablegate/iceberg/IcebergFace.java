package io.tablegate.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.TestTables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** What the Iceberg face tests share: pyiceberg runs, DAT's expected rows, and row columns. */
final class IcebergFace {
  private IcebergFace() {}

  /**
   * pyiceberg's REST catalog on the face ({@code read_iceberg_face.py}): {@code {"namespaces":
   * [...], "ids": [...]}}, the sorted values of {@code column} of the table.
   */
  static JsonNode pyiceberg(
      GatewayHarness gw, String token, String warehouse, String table, String column)
      throws Exception {
    String out =
        io.tablegate.testing.Python.run(
            Map.of(),
            300,
            "read_iceberg_face.py",
            gw.endpoint() + "/iceberg",
            token,
            warehouse,
            table,
            column);
    return GatewayHarness.MAPPER.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
  }

  /**
   * Iceberg's own REST catalog client on the face ({@code token} null: none), with the given file
   * I/O; scan reports off (the face drops them, and a closed catalog would still send them).
   */
  static org.apache.iceberg.rest.RESTCatalog catalog(
      GatewayHarness gw, String token, String warehouse, String ioImpl) {
    Map<String, String> properties = new java.util.HashMap<>();
    properties.put("uri", gw.endpoint() + "/iceberg");
    if (token != null) properties.put("token", token);
    properties.put("warehouse", warehouse);
    properties.put("io-impl", ioImpl);
    properties.put("http-client.type", "urlconnection");
    properties.put("rest-metrics-reporting-enabled", "false");
    org.apache.iceberg.rest.RESTCatalog c = new org.apache.iceberg.rest.RESTCatalog();
    c.initialize("tablegate", properties);
    return c;
  }

  static final String S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO";

  /** The Delta schema string of a shared table, as a Delta-format reader receives it. */
  static String schemaString(GatewayHarness gw, String tablePath, String token) {
    Response metadata =
        gw.get(
            tablePath + "/metadata",
            token,
            Map.of(
                "delta-sharing-capabilities",
                "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz,v2checkpoint"));
    assertThat(metadata.status()).as(metadata.text()).isEqualTo(200);
    JsonNode meta = metadata.lines().get(1).get("metaData");
    return meta.has("deltaMetadata")
        ? meta.get("deltaMetadata").get("schemaString").asText()
        : meta.get("schemaString").asText();
  }

  /** DAT's expected rows of a case's latest version, rendered as {@link KernelRows} renders. */
  static List<String> datExpected(String name, String schemaString) throws Exception {
    return KernelRows.readParquetDir(
        TestTables.dat()
            .resolve(name)
            .resolve("expected")
            .resolve("latest")
            .resolve("table_content"),
        KernelRows.schema(schemaString));
  }

  /**
   * The values of an integer column of rendered rows, sorted, as pyiceberg's script prints them.
   */
  static String sortedLongs(List<String> rows, String column) {
    List<Long> out = new ArrayList<>();
    for (String row : rows)
      for (String part : row.split("\\|"))
        if (part.startsWith(column + "="))
          out.add(Long.parseLong(part.substring(column.length() + 1)));
    Collections.sort(out);
    assertThat(out).isNotEmpty();
    return out.toString().replace(" ", "");
  }
}
