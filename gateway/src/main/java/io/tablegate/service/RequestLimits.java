package io.tablegate.service;

/**
 * Bounds on the work of one request and of all requests together (built by the app from the {@code
 * limits} configuration).
 *
 * @param maxPredicateLeaves comparisons in a {@code jsonPredicateHints} tree; a larger hint is
 *     ignored (hints are optional)
 * @param maxPredicateDepth nesting of a {@code jsonPredicateHints} tree; a deeper hint is ignored
 */
public record RequestLimits(int maxPredicateLeaves, int maxPredicateDepth) {}
