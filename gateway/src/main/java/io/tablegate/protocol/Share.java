package io.tablegate.protocol;

/**
 * A share as listed by {@code GET /shares}. Only {@code name} is required; {@code id}, {@code
 * displayName}, {@code comment} and {@code properties} (2026, PR #843) may be null.
 */
public record Share(
    String name,
    String id,
    String displayName,
    String comment,
    java.util.Map<String, String> properties) {
  public Share {
    if (name == null) throw new IllegalArgumentException("Invalid share: name is required");
    properties =
        properties == null
            ? java.util.Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
  }
}
