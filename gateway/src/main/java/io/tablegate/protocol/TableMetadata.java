package io.tablegate.protocol;

import java.util.List;
import java.util.Map;

/**
 * A Delta metaData action. {@code name}, {@code description} and {@code createdTime} may be null.
 */
public record TableMetadata(
    String id,
    String name,
    String description,
    String formatProvider,
    Map<String, String> formatOptions,
    String schemaString,
    List<String> partitionColumns,
    Map<String, String> configuration,
    Long createdTime) {
  public TableMetadata {
    if (id == null || schemaString == null)
      throw new IllegalArgumentException("Invalid metadata: id and schemaString are required");
    formatProvider = formatProvider == null ? "parquet" : formatProvider;
    formatOptions = formatOptions == null ? Map.of() : Map.copyOf(formatOptions);
    partitionColumns = partitionColumns == null ? List.of() : List.copyOf(partitionColumns);
    configuration = configuration == null ? Map.of() : Map.copyOf(configuration);
  }

  public TableMetadata withSchemaAndConfiguration(
      String newSchemaString, Map<String, String> newConfiguration) {
    return new TableMetadata(
        id,
        name,
        description,
        formatProvider,
        formatOptions,
        newSchemaString,
        partitionColumns,
        newConfiguration,
        createdTime);
  }
}
