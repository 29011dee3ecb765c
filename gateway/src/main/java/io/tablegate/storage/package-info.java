/**
 * Layer: storage. Object stores behind {@code spi.ObjectStore}: the local file system, URL signing
 * of the gateway's own file URLs, and routing a location to its store. Used by http and app.
 */
package io.tablegate.storage;
