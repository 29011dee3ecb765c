/**
 * Layer: protocol. The Delta Sharing wire format: request and response records, their one codec,
 * error codes. JDK and Jackson only; used by every layer above.
 */
package io.tablegate.protocol;
