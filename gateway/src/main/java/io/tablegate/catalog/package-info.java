/**
 * Layer: catalog. What is shared with whom: shares, schemas, tables and recipients from the configuration
 * and the live catalog (admin API), and the {@code CatalogStore} that keeps the live part. Used by the
 * service, http and app layers; never by storage or formats.
 */
package io.tablegate.catalog;
