/**
 * Layer: crypto. Authenticated encryption of everything the gateway hands out and reads back (page
 * tokens, refresh tokens, file URLs). JDK only; may be used by storage, service, http and app.
 */
package io.tablegate.crypto;
