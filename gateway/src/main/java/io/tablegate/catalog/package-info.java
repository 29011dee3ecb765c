/**
 * Layer: catalog. What is shared with whom: shares, schemas, tables and recipients from the
 * configuration and the live catalog (admin API) as a typed document, and the {@code CatalogStore}
 * that keeps it. Used by the service, admin and app layers; never by http, storage or formats.
 */
package io.tablegate.catalog;
