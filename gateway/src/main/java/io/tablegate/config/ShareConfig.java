package io.tablegate.config;

import java.util.List;

public record ShareConfig(
    String name,
    String id,
    List<SchemaConfig> schemas,
    String displayName,
    String comment,
    java.util.Map<String, String> properties,
    boolean directoryAccess,
    List<io.tablegate.protocol.TablePolicy> policies) {

  public ShareConfig(
      String name,
      String id,
      List<SchemaConfig> schemas,
      String displayName,
      String comment,
      java.util.Map<String, String> properties,
      boolean directoryAccess) {
    this(name, id, schemas, displayName, comment, properties, directoryAccess, List.of());
  }

  public ShareConfig(
      String name,
      String id,
      List<SchemaConfig> schemas,
      String displayName,
      String comment,
      java.util.Map<String, String> properties) {
    this(name, id, schemas, displayName, comment, properties, false);
  }

  public ShareConfig {
    schemas = List.copyOf(schemas);
    policies = policies == null ? List.of() : List.copyOf(policies);
    properties =
        properties == null
            ? java.util.Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
  }
}
