/**
 * Layer: service. Sharing logic independent of HTTP: resolving shares and versions, scans shared
 * per table version, caching of metadata, tokens, predicates and limits, invalidation from bucket
 * events. Uses formats only through {@code spi}; used by http and app.
 */
package io.tablegate.service;
