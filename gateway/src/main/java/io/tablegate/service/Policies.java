package io.tablegate.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.catalog.SharedTable;
import io.tablegate.protocol.RowFilter;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.TableMetadata;
import io.tablegate.protocol.TablePolicy;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.TableFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Recipient policies (columns and rows a recipient may read of a table) as the data path enforces
 * them: the metadata shows the allowed columns only, files wholly outside the row filter's
 * partitions are never listed, and every other file is rewritten to the allowed columns and rows.
 */
final class Policies {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Policies() {}

  /** Refuses a policy the gateway cannot enforce on this table (it never serves it unfiltered). */
  static void checkEnforceable(
      SharedTable table, TableFormat format, TableMetadata metadata, boolean rewritesOn) {
    if (!rewritesOn || !format.rewritesFiles()) {
      throw SharingErrors.unsupported(
          "Table "
              + table.qualifiedName()
              + " is shared with you under a column and row policy, which this gateway enforces"
              + " only on Delta tables with rewrites on; please contact your share provider.");
    }
    if (FeatureGate.columnMapped(metadata) && !FeatureGate.flat(metadata.schemaString())) {
      throw SharingErrors.unsupported(
          "Table "
              + table.qualifiedName()
              + " is shared with you under a column and row policy, which this gateway does not"
              + " enforce on column-mapped tables with nested structs yet; please contact your share provider.");
    }
  }

  /** Partition values by logical column name (a column-mapped table's log keys them physically). */
  static Map<String, String> logicalPartitionValues(
      Map<String, String> logicalNames, Map<String, String> values) {
    if (logicalNames.isEmpty()) return values;
    Map<String, String> out = new java.util.LinkedHashMap<>();
    values.forEach((k, v) -> out.put(logicalNames.getOrDefault(k, k), v));
    return out;
  }

  /** Refuses a policy that leaves no data column (a file of partition values only). */
  static void checkLeavesData(SharedTable table, TableMetadata metadata, TablePolicy p) {
    try {
      for (JsonNode c : MAPPER.readTree(metadata.schemaString()).path("fields")) {
        String name = c.path("name").asText();
        if (p.allows(name) && !metadata.partitionColumns().contains(name)) return;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    throw SharingErrors.unsupported(
        "The column policy on table "
            + table.qualifiedName()
            + " leaves no data column to read (only partition columns); please contact your"
            + " share provider.");
  }

  /** The metadata with only the columns the policy allows (partition columns too). */
  static TableMetadata restrict(TableMetadata m, TablePolicy p) {
    try {
      JsonNode root = MAPPER.readTree(m.schemaString());
      ArrayNode kept = MAPPER.createArrayNode();
      for (JsonNode f : root.path("fields")) if (p.allows(f.path("name").asText())) kept.add(f);
      ((ObjectNode) root).set("fields", kept);
      List<String> partitions = new ArrayList<>();
      for (String c : m.partitionColumns()) if (p.allows(c)) partitions.add(c);
      return new TableMetadata(
          m.id(),
          m.name(),
          m.description(),
          m.formatProvider(),
          m.formatOptions(),
          MAPPER.writeValueAsString(root),
          partitions,
          m.configuration(),
          m.createdTime());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The data columns a rewrite keeps: the allowed ones of the (full) schema, partitions aside. */
  static TableFormat.Restriction restriction(
      TableMetadata full, TablePolicy p, DataFile f, boolean logicalNames) {
    List<String> columns = new ArrayList<>();
    try {
      for (JsonNode c : MAPPER.readTree(full.schemaString()).path("fields")) {
        String name = c.path("name").asText();
        if (p.allows(name) && !full.partitionColumns().contains(name)) columns.add(name);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    RowFilter rows =
        p.filter() == null
            ? null
            : p.filter()
                .bind(
                    logicalPartitionValues(
                        FeatureGate.logicalNames(full.schemaString()), f.partitionValues()));
    return new TableFormat.Restriction(columns, rows == RowFilter.TRUE ? null : rows, logicalNames);
  }

  /** The files a policy's row filter may keep rows of: others (by partition values) are skipped. */
  static CloseableIterator<DataFile> prune(
      CloseableIterator<DataFile> files, TablePolicy p, TableMetadata full) {
    if (p.filter() == null) return files;
    Map<String, String> names = FeatureGate.logicalNames(full.schemaString());
    RowFilter filter = p.filter();
    return files.filter(
        f ->
            !filter
                .bind(logicalPartitionValues(names, f.partitionValues()))
                .equals(RowFilter.FALSE));
  }
}
