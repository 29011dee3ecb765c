package io.tablegate.protocol;

import java.util.Locale;

/** The two NDJSON response formats of the protocol. */
public enum ResponseFormat {
  PARQUET,
  DELTA;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
