package io.tablegate.protocol;

/** A share as listed by {@code GET /shares}. {@code id} may be null. */
public record Share(String name, String id) {
  public Share {
    if (name == null) throw new IllegalArgumentException("Invalid share: name is required");
  }
}
