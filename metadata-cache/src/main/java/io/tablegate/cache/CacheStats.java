package io.tablegate.cache;

/**
 * Lookups one cache tier answered ({@code hits}) and did not ({@code misses}), since it was
 * created.
 */
public record CacheStats(long hits, long misses) {}
