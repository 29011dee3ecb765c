package io.tablegate.config;

/**
 * One shared table. {@code location} is already resolved to an absolute URI string
 * ({@code file:/...} for local tables).
 */
public record TableConfig(String name, String location, String id, String format, boolean historyShared, long startVersion) {}
