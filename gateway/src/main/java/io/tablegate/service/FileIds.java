package io.tablegate.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Stable file ids, as the reference server makes them: MD5 hex (32 chars) of the file's path in
 * the log for the parquet scheme, SHA-256 hex (64 chars) for the delta scheme.
 */
public enum FileIds {
  PARQUET("MD5"),
  DELTA("SHA-256");

  private final String algorithm;

  FileIds(String algorithm) {
    this.algorithm = algorithm;
  }

  public String id(String relativePath) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(relativePath.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
