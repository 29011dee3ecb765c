/**
 * Layer: admin. The admin API over the live catalog (shares, schemas, tables, recipients and tokens
 * changed at run time), authenticated by the admin token, its changes audited. Uses the http
 * layer's failure handler and parameters; used only by app.
 */
package io.tablegate.admin;
