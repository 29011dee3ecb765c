/**
 * Layer: auth. Who is asking: the {@link io.tablegate.auth.Recipient}, the one {@code
 * Authorization: Bearer} parser, gateway bearer tokens checked by their SHA-256, OIDC access tokens
 * checked against their issuer's keys, the issuer of new token secrets, and per-recipient rate
 * limits. Knows no HTTP framework; used by the catalog (token entries), service, http, admin and
 * app layers.
 */
package io.tablegate.auth;
