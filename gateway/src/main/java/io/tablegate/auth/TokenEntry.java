package io.tablegate.auth;

import java.time.Instant;

/**
 * A gateway bearer token as authentication sees it (the secret itself is never kept, only its
 * SHA-256).
 */
public record TokenEntry(String id, Recipient recipient, Instant expiresAt, Instant revokedAt) {}
