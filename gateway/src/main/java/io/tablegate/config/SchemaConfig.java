package io.tablegate.config;

import java.util.List;

public record SchemaConfig(String name, List<TableConfig> tables) {
  public SchemaConfig {
    tables = List.copyOf(tables);
  }
}
