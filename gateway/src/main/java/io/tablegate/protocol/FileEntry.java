package io.tablegate.protocol;

import java.util.Map;

/**
 * One data file line. {@code url} is the signed URL a recipient downloads; {@code stats}, {@code
 * deletionVector}, {@code version} and {@code timestamp} may be null.
 */
public record FileEntry(
    FileAction action,
    String url,
    String id,
    Map<String, String> partitionValues,
    long size,
    String stats,
    long modificationTime,
    boolean dataChange,
    DeletionVector deletionVector,
    Long version,
    Long timestamp,
    long expirationTimestamp) {}
