package io.tablegate.spi;

import io.tablegate.protocol.DeletionVector;
import java.util.Map;

/**
 * A data file of a table version, as the table format sees it.
 *
 * @param location absolute URI of the file, for signing
 * @param relativePath the path as the table's log stores it; file ids are hashed from it
 * @param stats the Delta stats JSON string, or null
 * @param deletionVector with an absolute location in {@code pathOrInlineDv} for on-disk vectors
 *     (storage type {@code p}); inline vectors ({@code i}) pass through; null when none
 */
public record DataFile(
    String location,
    String relativePath,
    Map<String, String> partitionValues,
    long size,
    long modificationTime,
    boolean dataChange,
    String stats,
    DeletionVector deletionVector) {}
