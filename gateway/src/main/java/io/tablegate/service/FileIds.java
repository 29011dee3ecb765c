package io.tablegate.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Stable file ids, as the reference server makes them: MD5 hex (32 chars) of the file's path in the
 * log for the parquet scheme, SHA-256 hex (64 chars) for the delta scheme.
 */
public enum FileIds {
  PARQUET("MD5"),
  DELTA("SHA-256");

  private static final HexFormat HEX = HexFormat.of();

  /** MessageDigest.getInstance is slow and a digest is not thread-safe: one per thread. */
  private final ThreadLocal<MessageDigest> digests;

  FileIds(String algorithm) {
    this.digests =
        ThreadLocal.withInitial(
            () -> {
              try {
                return MessageDigest.getInstance(algorithm);
              } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  public String id(String relativePath) {
    return HEX.formatHex(digests.get().digest(relativePath.getBytes(StandardCharsets.UTF_8)));
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
