package io.tablegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a shared table the way a recipient does: takes the NDJSON lines of a query, downloads every
 * file (and deletion vector) from its URL, writes the actions into a local {@code _delta_log} as
 * the Python and Spark clients do, and reads the rows back with Kernel.
 */
public final class Recipient {
  private Recipient() {}

  /**
   * Materializes a delta-format or parquet-format query response under {@code dir}; returns the
   * table root.
   */
  public static Path materialize(GatewayHarness gw, List<JsonNode> lines, Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("_delta_log"));
    List<String> log = new ArrayList<>();
    int n = 0;
    for (JsonNode line : lines) {
      if (line.has("protocol")) {
        JsonNode p = line.get("protocol");
        log.add(
            p.has("deltaProtocol")
                ? "{\"protocol\":" + p.get("deltaProtocol") + "}"
                : "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}");
      } else if (line.has("metaData")) {
        JsonNode m = line.get("metaData");
        if (m.has("deltaMetadata")) {
          log.add("{\"metaData\":" + m.get("deltaMetadata") + "}");
        } else {
          ObjectNode meta = GatewayHarness.MAPPER.createObjectNode();
          meta.put("id", m.get("id").asText());
          meta.set("format", m.get("format"));
          meta.put("schemaString", m.get("schemaString").asText());
          meta.set("partitionColumns", m.get("partitionColumns"));
          meta.set("configuration", GatewayHarness.MAPPER.createObjectNode());
          log.add("{\"metaData\":" + meta + "}");
        }
      } else if (line.has("file") && line.get("file").has("deltaSingleAction")) {
        ObjectNode add =
            (ObjectNode) line.get("file").get("deltaSingleAction").get("add").deepCopy();
        String name = "f" + (n++) + ".parquet";
        download(gw, add.get("path").asText(), dir.resolve(name), add.get("size").asLong());
        add.put("path", name);
        JsonNode dv = add.get("deletionVector");
        if (dv != null && "p".equals(dv.get("storageType").asText())) {
          Path dvFile = dir.resolve("dv" + n + ".bin");
          download(gw, dv.get("pathOrInlineDv").asText(), dvFile, -1);
          ((ObjectNode) dv).put("pathOrInlineDv", dvFile.toUri().toString());
        }
        log.add("{\"add\":" + add + "}");
      } else if (line.has("file")) {
        JsonNode f = line.get("file");
        String name = "f" + (n++) + ".parquet";
        download(gw, f.get("url").asText(), dir.resolve(name), f.get("size").asLong());
        ObjectNode add = GatewayHarness.MAPPER.createObjectNode();
        add.put("path", name);
        add.set("partitionValues", f.get("partitionValues"));
        add.put("size", f.get("size").asLong());
        add.put("modificationTime", 0);
        add.put("dataChange", true);
        if (f.has("stats")) add.put("stats", f.get("stats").asText());
        log.add("{\"add\":" + add + "}");
      }
    }
    Files.writeString(
        dir.resolve("_delta_log/00000000000000000000.json"),
        String.join("\n", log) + "\n",
        StandardCharsets.UTF_8);
    return dir;
  }

  private static void download(GatewayHarness gw, String url, Path target, long expectedSize)
      throws Exception {
    GatewayHarness.Response r = gw.fetch(url, Map.of());
    if (r.status() != 200)
      throw new AssertionError("GET file URL gave " + r.status() + ": " + r.text());
    if (expectedSize >= 0 && r.body().length != expectedSize) {
      throw new AssertionError(
          "file size " + r.body().length + " differs from the advertised size " + expectedSize);
    }
    Files.write(target, r.body());
  }
}
