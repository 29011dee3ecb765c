package io.tablegate.protocol;

/**
 * A table as listed by the table listing endpoints. {@code shareId} and {@code id} may be null;
 * {@code location} is given only for tables offered in directory access mode, whose {@code
 * accessModes} are then {@code ["url", "dir"]} (absent: {@code url} only).
 */
public record Table(
    String name, String schema, String share, String shareId, String id, String location) {
  public Table(String name, String schema, String share, String shareId, String id) {
    this(name, schema, share, shareId, id, null);
  }

  public Table {
    if (name == null || schema == null || share == null) {
      throw new IllegalArgumentException("Invalid table: name, schema and share are required");
    }
  }
}
