package io.tablegate.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.auth.AccessTokens;
import io.tablegate.auth.Recipient;
import io.tablegate.auth.TokenAuthenticator;
import io.tablegate.auth.TokenEntry;
import io.tablegate.config.NetworkConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The gateway's OAuth 2.0 token endpoint for recipients ({@code POST {endpoint}/oauth/token},
 * client credentials grant, RFC 6749 §4.4) and its key set ({@code GET {endpoint}/oauth/jwks}). A
 * client is a gateway token: its id is the client id and the token the client secret, sent as HTTP
 * Basic (as the Delta Sharing connectors do) or as {@code client_id}/{@code client_secret} form
 * fields. Answers and errors are OAuth's JSON ({@code error}: {@code invalid_request}, {@code
 * invalid_client}, {@code unsupported_grant_type}), never cached; secrets are never logged.
 */
final class OAuthHandler {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_SCOPE_CHARS = 1_000;

  private final AccessTokens tokens;
  private final TokenAuthenticator clients;
  private final NetworkConfig network;

  OAuthHandler(AccessTokens tokens, TokenAuthenticator clients, NetworkConfig network) {
    this.tokens = tokens;
    this.clients = clients;
    this.network = network;
  }

  void token(RoutingContext ctx) {
    Map<String, String> form = form(ctx.body().buffer());
    if (form == null) {
      error(ctx, 400, "invalid_request", "send an application/x-www-form-urlencoded body");
      return;
    }
    String grant = form.get("grant_type");
    if (grant == null) {
      error(ctx, 400, "invalid_request", "grant_type is missing");
      return;
    }
    if (!grant.equals("client_credentials")) {
      error(ctx, 400, "unsupported_grant_type", "only client_credentials is supported");
      return;
    }
    String scope = form.get("scope");
    if (scope != null && scope.length() > MAX_SCOPE_CHARS) {
      error(ctx, 400, "invalid_scope", "the scope is too long");
      return;
    }
    String id = form.get("client_id");
    String secret = form.get("client_secret");
    String basic = ctx.request().getHeader("Authorization");
    if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String pair =
            new String(
                Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon > 0) {
          id = URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
          secret = URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
        }
      } catch (IllegalArgumentException e) {
        id = null;
      }
    }
    TokenEntry client = clients.client(id, secret);
    if (client == null) {
      ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"tablegate\"");
      error(ctx, 401, "invalid_client", "the client id or secret is not valid");
      return;
    }
    Recipient who = client.recipient();
    if (!who.networks().isEmpty() && !who.allowedFrom(ClientAddress.of(ctx.request(), network))) {
      error(ctx, 403, "access_denied", "this client may not connect from this network");
      return;
    }
    ObjectNode out = MAPPER.createObjectNode();
    out.put("access_token", tokens.issue(client.id(), scope));
    out.put("token_type", "Bearer");
    out.put("expires_in", AccessTokens.LIFETIME.toSeconds());
    if (scope != null) out.put("scope", scope);
    json(ctx, 200, out);
  }

  void jwks(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "max-age=300");
    ctx.response().putHeader("Content-Type", "application/json").end(tokens.jwks().toString());
  }

  private static Map<String, String> form(Buffer body) {
    Map<String, String> out = new HashMap<>();
    if (body == null) return out;
    try {
      for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
        if (pair.isEmpty()) continue;
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (out.putIfAbsent(k, v) != null) return null; // a repeated parameter (RFC 6749 §3.2)
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return out;
  }

  private static void error(RoutingContext ctx, int status, String error, String description) {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("error", error);
    out.put("error_description", description);
    json(ctx, status, out);
  }

  private static void json(RoutingContext ctx, int status, ObjectNode body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Pragma", "no-cache")
        .end(body.toString());
  }
}
