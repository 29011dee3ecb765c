/**
 * Layer: http. Vert.x Web routers and handlers of the sharing, admin and management listeners: parameters,
 * authentication, limits, NDJSON streaming with back-pressure, and the one failure handler that turns every
 * error into the protocol's JSON. Calls the service layer; used only by app.
 */
package io.tablegate.http;
