package io.tablegate.spi;

import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.TableMetadata;

/**
 * One version of a table, resolved: immutable, safe to cache by (table, version).
 *
 * @param timestamp commit time of this version in epoch milliseconds
 * @param size total bytes of the version's data files, or null when not known cheaply
 * @param numFiles number of data files, or null when not known cheaply
 */
public record TableSnapshot(
    String location,
    long version,
    long timestamp,
    DeltaProtocol protocol,
    TableMetadata metadata,
    Long size,
    Long numFiles) {}
