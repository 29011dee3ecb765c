package io.tablegate.config;

import java.util.List;

public record ShareConfig(String name, String id, List<SchemaConfig> schemas) {
  public ShareConfig {
    schemas = List.copyOf(schemas);
  }
}
