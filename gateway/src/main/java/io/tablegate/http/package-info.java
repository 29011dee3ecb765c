/**
 * Layer: http. Vert.x Web routers and handlers of the sharing and management listeners: parameters,
 * the bearer and rate-limit handlers (their logic is in auth), NDJSON streaming with back-pressure,
 * and the one failure handler that turns every error into the protocol's JSON. Calls the service
 * and auth layers; never the catalog. Used by admin and app.
 */
package io.tablegate.http;
