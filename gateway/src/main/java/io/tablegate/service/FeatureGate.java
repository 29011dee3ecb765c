package io.tablegate.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.protocol.Capabilities;
import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.ResponseFormat;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.TableMetadata;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides the response format from the client's capabilities and the table's protocol, and refuses
 * combinations that would make a reader return wrong rows (reader features the client did not
 * declare, or a parquet-format response for a table a parquet reader cannot read).
 */
final class FeatureGate {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reader features that change nothing for a reader of the files we hand out. */
  private static final Set<String> SERVER_SIDE_FEATURES =
      Set.of(
          "v2checkpoint",
          "vacuumprotocolcheck",
          "catalogowned",
          "catalogowned-preview",
          "checkpointprotection");

  private FeatureGate() {}

  /** Reader features (lower-cased) a recipient must support to read this table correctly. */
  static Set<String> requiredReaderFeatures(DeltaProtocol protocol, TableMetadata metadata) {
    Set<String> required = new TreeSet<>();
    String cmMode =
        metadata
            .configuration()
            .getOrDefault("delta.columnMapping.mode", "none")
            .toLowerCase(Locale.ROOT);
    if (!cmMode.equals("none")) required.add("columnmapping");
    if (protocol.readerFeatures() != null) {
      for (String f : protocol.readerFeatures()) {
        String feature = f.toLowerCase(Locale.ROOT);
        if (SERVER_SIDE_FEATURES.contains(feature)) continue;
        if (feature.equals("columnmapping") && cmMode.equals("none")) continue;
        if (feature.equals("deletionvectors")
            && !"true"
                .equalsIgnoreCase(
                    metadata
                        .configuration()
                        .getOrDefault("delta.enableDeletionVectors", "false"))) {
          continue; // supported but switched off: no file carries a DV (checked again per file)
        }
        required.add(feature);
      }
    }
    return required;
  }

  /** Whether a table is column-mapped (its files' column names are physical names). */
  static boolean columnMapped(TableMetadata metadata) {
    return !metadata
        .configuration()
        .getOrDefault("delta.columnMapping.mode", "none")
        .equalsIgnoreCase("none");
  }

  /** Whether a schema has no struct below its top-level columns (in structs, arrays or maps). */
  static boolean flat(String schemaString) {
    try {
      for (JsonNode f : MAPPER.readTree(schemaString).path("fields"))
        if (f.path("type").isObject() && f.path("type").toString().contains("\"struct\""))
          return false;
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The physical name of each top-level column of a column-mapped table, to its logical name. */
  static Map<String, String> logicalNames(String schemaString) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      for (JsonNode f : MAPPER.readTree(schemaString).path("fields")) {
        String physical = f.path("metadata").path("delta.columnMapping.physicalName").asText(null);
        if (physical != null) out.put(physical, f.path("name").asText());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  /** Whether the table's protocol allows deletion vectors (switched on or not). */
  static boolean mayHaveDeletionVectors(DeltaProtocol protocol) {
    if (protocol.readerFeatures() == null) return false;
    for (String f : protocol.readerFeatures())
      if (f.equalsIgnoreCase("deletionVectors")) return true;
    return false;
  }

  static ResponseFormat choose(Capabilities caps, DeltaProtocol protocol, TableMetadata metadata) {
    return choose(caps, protocol, metadata, false);
  }

  /**
   * @param deletesRewritten whether files with deletion vectors are served to parquet readers
   *     rewritten without their deleted rows (then deletion vectors alone do not rule parquet out)
   */
  static ResponseFormat choose(
      Capabilities caps, DeltaProtocol protocol, TableMetadata metadata, boolean deletesRewritten) {
    Set<String> required = requiredReaderFeatures(protocol, metadata);
    Set<ResponseFormat> accepted = caps.responseFormats();
    if (accepted.contains(ResponseFormat.PARQUET) && required.isEmpty())
      return ResponseFormat.PARQUET;
    Set<String> missing = new TreeSet<>(required);
    missing.removeAll(caps.readerFeatures());
    if (accepted.contains(ResponseFormat.DELTA) && missing.isEmpty()) return ResponseFormat.DELTA;
    // a parquet reader of a table whose features are deletion vectors and column mapping (of
    // top-level columns): its files are rewritten without deleted rows, under logical names
    if (accepted.contains(ResponseFormat.PARQUET)
        && deletesRewritten
        && Set.of("deletionvectors", "columnmapping").containsAll(required)
        && (!required.contains("columnmapping") || flat(metadata.schemaString())))
      return ResponseFormat.PARQUET;
    if (!accepted.contains(ResponseFormat.DELTA)) {
      throw SharingErrors.unsupported(
          "Unsupported Delta Table Properties: the table needs reader features "
              + required
              + ", which the parquet response format cannot express. Ask for responseformat=delta with readerfeatures="
              + String.join(",", required)
              + ".");
    }
    throw SharingErrors.unsupported(
        "Unsupported Delta Table Properties: the table needs reader features "
            + missing
            + " that the client did not declare in readerfeatures of delta-sharing-capabilities.");
  }

  /**
   * The metadata as the parquet format shows it: top-level field metadata reduced to comments, and
   * configuration reduced to {@code enableChangeDataFeed} for history-shared CDF tables.
   */
  static TableMetadata forParquet(TableMetadata m, boolean historyShared) {
    Map<String, String> configuration = new LinkedHashMap<>();
    if (historyShared
        && "true".equalsIgnoreCase(m.configuration().get("delta.enableChangeDataFeed"))) {
      configuration.put("enableChangeDataFeed", "true");
    }
    return m.withSchemaAndConfiguration(stripFieldMetadata(m.schemaString()), configuration);
  }

  private static String stripFieldMetadata(String schemaString) {
    try {
      JsonNode root = MAPPER.readTree(schemaString);
      JsonNode fields = root.get("fields");
      if (fields instanceof ArrayNode array) {
        for (JsonNode field : array) {
          if (field instanceof ObjectNode f && f.get("metadata") instanceof ObjectNode meta) {
            for (Iterator<String> it = meta.fieldNames(); it.hasNext(); ) {
              if (!it.next().equals("comment")) it.remove();
            }
          }
        }
      }
      return MAPPER.writeValueAsString(root);
    } catch (IOException e) {
      return schemaString;
    }
  }
}
