package io.tablegate.config;

/**
 * Data files the gateway rewrites for recipients (issue 17): a table's files with deletion vectors,
 * served to clients that read only Parquet as Parquet files without the deleted rows.
 *
 * @param enabled whether parquet-format clients get rewritten files (false: such tables are refused
 *     to them with UNSUPPORTED_OPERATION, as the protocol's reference server does)
 * @param directory where rewritten files are kept, keyed by data file and deletion vector
 * @param maxBytes the bound on their total size; the least recently used are deleted past it
 * @param location {@code s3://bucket/prefix} where rewritten files are kept for every instance
 *     (then {@code directory} only holds rewrites being made); null: in {@code directory}
 * @param store the configured store of {@code location}
 */
public record RewriteConfig(
    boolean enabled, String directory, long maxBytes, String location, String store) {
  public static final long DEFAULT_MAX_BYTES = 2L << 30;

  public RewriteConfig(boolean enabled, String directory, long maxBytes) {
    this(enabled, directory, maxBytes, null, null);
  }

  public static RewriteConfig defaults() {
    return new RewriteConfig(
        true,
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "tablegate-rewrites")
            .toString(),
        DEFAULT_MAX_BYTES);
  }
}
