package io.tablegate.protocol;

/** A schema as listed by {@code GET /shares/{share}/schemas}. */
public record Schema(String name, String share) {
  public Schema {
    if (name == null || share == null)
      throw new IllegalArgumentException("Invalid schema: name and share are required");
  }
}
