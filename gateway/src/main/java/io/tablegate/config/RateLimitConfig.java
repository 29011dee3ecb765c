package io.tablegate.config;

/**
 * Request rate limits per recipient (token id or OIDC subject). Without Redis each instance keeps a
 * token bucket ({@code requestsPerSecond} refill, {@code burst} capacity); with Redis all instances
 * share one counter per recipient and second, allowing {@code burst} requests in any one second.
 */
public record RateLimitConfig(double requestsPerSecond, int burst) {}
