package io.tablegate.config;

/**
 * One shared table. {@code location} is already resolved to an absolute URI string ({@code
 * file:/...} for local tables, {@code s3://bucket/prefix} for object storage).
 *
 * @param store the name of the object store of an {@code s3://} table, null for local tables
 * @param fileAccess how recipients reach data files: {@code presigned} (straight from the store) or
 *     {@code proxy} (through the gateway's own signed file URLs); local tables are always proxied
 */
public record TableConfig(
    String name,
    String location,
    String id,
    String format,
    boolean historyShared,
    long startVersion,
    String store,
    String fileAccess) {}
