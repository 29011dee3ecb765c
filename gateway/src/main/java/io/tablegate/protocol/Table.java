package io.tablegate.protocol;

/** A table as listed by the table listing endpoints. {@code shareId} and {@code id} may be null. */
public record Table(String name, String schema, String share, String shareId, String id) {
  public Table {
    if (name == null || schema == null || share == null) {
      throw new IllegalArgumentException("Invalid table: name, schema and share are required");
    }
  }
}
