package io.tablegate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tablegate.config.OidcConfig;
import io.tablegate.protocol.SharingErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recipients authenticated by their identity provider's access token (OAuth2 client credentials,
 * Delta Sharing profile version 2) instead of a gateway token. A JWT is accepted only if its
 * algorithm is in the issuer's allow-list (never {@code none}, never HMAC, checked before anything
 * else), its {@code iss} is a configured issuer, its {@code kid} is in that issuer's key set (from
 * OIDC discovery, cached, fetched again when an unknown {@code kid} appears, at most once a
 * second), and vertx-auth-jwt verifies the signature, {@code aud}, {@code exp} and {@code nbf} with
 * the configured clock skew. The claims are then matched against recipient policies (issuer,
 * optional audience, claim = value); the shares of every matching recipient are readable.
 */
public final class OidcAuthenticator {
  private static final Logger LOGGER = LoggerFactory.getLogger(OidcAuthenticator.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long MIN_REFETCH_NANOS = 1_000_000_000L;

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Map<String, IssuerState> issuers = new LinkedHashMap<>();
  private final Supplier<List<OidcPolicy>> policies;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();

  public OidcAuthenticator(
      Vertx vertx, WorkerExecutor workers, OidcConfig config, Supplier<List<OidcPolicy>> policies) {
    this.vertx = vertx;
    this.workers = workers;
    this.policies = policies;
    for (OidcConfig.Issuer i : config.issuers()) issuers.put(i.issuer(), new IssuerState(i));
  }

  /** Whether a bearer credential has the shape of a JWT (three base64url parts, a JSON header). */
  public static boolean looksLikeJwt(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    return first > 0
        && second > first
        && token.indexOf('.', second + 1) < 0
        && token.startsWith("eyJ");
  }

  /**
   * The recipient of a JWT access token: a 401 protocol error when it is not valid or matches no
   * recipient policy.
   */
  public Future<Recipient> authenticate(String token) {
    String[] parts = token.split("\\.", -1);
    JsonNode header;
    JsonNode payload;
    try {
      header = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
      payload = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException | IllegalArgumentException e) {
      return Future.failedFuture(
          SharingErrors.unauthenticated("The access token is not a well-formed JWT."));
    }
    String alg = header.path("alg").asText("");
    IssuerState issuer = issuers.get(payload.path("iss").asText(""));
    if (issuer == null) {
      return Future.failedFuture(
          SharingErrors.unauthenticated(
              "The access token's issuer is not trusted by this gateway."));
    }
    if (!issuer.config.algorithms().contains(alg)) {
      return Future.failedFuture(
          SharingErrors.unauthenticated(
              "The access token's signature algorithm '" + alg + "' is not accepted."));
    }
    String kid = header.path("kid").asText(null);
    Future<JWTAuth> provider =
        issuer.knows(kid)
            ? Future.succeededFuture(issuer.auth)
            : issuer
                .refresh(kid, false)
                .recover(
                    e -> {
                      if (e instanceof io.tablegate.protocol.SharingException)
                        return Future.failedFuture(e);
                      // logged once per failed fetch (IssuerState.refresh), not once per waiting
                      // request
                      return Future.failedFuture(
                          new io.tablegate.protocol.SharingException(
                              io.tablegate.protocol.ErrorCode.TEMPORARILY_UNAVAILABLE,
                              "The identity provider's signing keys cannot be fetched; please retry later."));
                    });
    return provider
        .compose(
            auth -> {
              if (auth == null)
                return Future.failedFuture(
                    SharingErrors.unauthenticated(
                        "The access token's signing key is unknown to its issuer."));
              return auth.authenticate(new TokenCredentials(token))
                  .recover(
                      e -> {
                        // a provider that rotated its key under the same kid: fetch the key set
                        // again (at most once a second) and retry once
                        if (!"bad signature".equals(reason(e))) return Future.failedFuture(e);
                        return issuer
                            .refresh(null, true)
                            .compose(
                                fresh ->
                                    fresh == null || fresh == auth
                                        ? Future.failedFuture(e)
                                        : fresh.authenticate(new TokenCredentials(token)));
                      })
                  .recover(
                      e ->
                          Future.failedFuture(
                              e instanceof io.tablegate.protocol.SharingException
                                  ? e
                                  : SharingErrors.unauthenticated(
                                      "The access token is not valid ("
                                          + reason(e)
                                          + "). Get a new token from your identity provider.")));
            })
        .compose(
            user -> {
              JsonObject claims = user.principal();
              Set<String> shares = new HashSet<>();
              // the networks of the matching recipients; one without a list makes the token
              // unrestricted
              java.util.List<io.tablegate.config.Cidr> networks = new java.util.ArrayList<>();
              boolean unrestricted = false;
              // the recipient the identity is (its name: what column and row policies name)
              Set<String> matched = new HashSet<>();
              for (OidcPolicy p : policies.get()) {
                if (!p.issuer().equals(issuer.config.issuer())) continue;
                if (p.audience() != null && !audiences(claims).contains(p.audience())) continue;
                Object v = claims.getValue(p.claim());
                if (v != null && v.toString().equals(p.value())) {
                  shares.addAll(p.shares());
                  if (p.recipient() != null) matched.add(p.recipient());
                  if (p.networks().isEmpty()) unrestricted = true;
                  networks.addAll(p.networks());
                }
              }
              String subject = claims.getString("sub", "?");
              if (shares.isEmpty()) {
                return Future.failedFuture(
                    SharingErrors.forbidden(
                        "No recipient policy grants shares to this identity (subject '"
                            + subject
                            + "'); ask your share provider to add one."));
              }
              return Future.succeededFuture(
                  new Recipient(
                      "oidc:" + subject,
                      false,
                      shares,
                      unrestricted ? java.util.List.of() : networks,
                      matched.size() == 1 ? matched.iterator().next() : "oidc:" + subject));
            });
  }

  private static Set<String> audiences(JsonObject claims) {
    Object aud = claims.getValue("aud");
    Set<String> out = new HashSet<>();
    if (aud instanceof String s) out.add(s);
    if (aud instanceof io.vertx.core.json.JsonArray a) a.forEach(x -> out.add(String.valueOf(x)));
    return out;
  }

  private static String reason(Throwable e) {
    String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
    if (m.contains("expired")) return "expired";
    if (m.contains("audience")) return "wrong audience";
    if (m.contains("issuer")) return "wrong issuer";
    if (m.contains("signature")) return "bad signature";
    if (m.contains("nbf") || m.contains("not before") || m.contains("iat")) return "not yet valid";
    return "rejected";
  }

  /** One issuer's key set and the vertx-auth-jwt provider built from it. */
  private final class IssuerState {
    final OidcConfig.Issuer config;
    volatile JWTAuth auth;
    volatile Set<String> kids = Set.of();
    private long lastFetch;

    IssuerState(OidcConfig.Issuer config) {
      this.config = config;
    }

    boolean knows(String kid) {
      return auth != null && (kid == null ? !kids.isEmpty() : kids.contains(kid));
    }

    /** The fetch under way, shared by every request that needs keys meanwhile (single flight). */
    private Future<JWTAuth> inflight;

    /**
     * After a failed fetch no other starts before this (System.nanoTime), doubling up to a minute.
     */
    private long retryAt;

    private long backoffNanos = MIN_REFETCH_NANOS;

    /**
     * The provider that knows {@code kid} (or, with {@code force}, one built from a fresh key set).
     * Never blocks: the key set is fetched asynchronously by one request at a time, at most once a
     * second, and after a failure not again before a growing backoff (1 s to 60 s); meanwhile
     * requests that need keys fail at once with 503.
     */
    synchronized Future<JWTAuth> refresh(String kid, boolean force) {
      if (!force && knows(kid)) return Future.succeededFuture(auth);
      if (inflight != null) return inflight;
      long now = System.nanoTime();
      if (now - retryAt < 0) {
        return Future.failedFuture(
            new io.tablegate.protocol.SharingException(
                io.tablegate.protocol.ErrorCode.TEMPORARILY_UNAVAILABLE,
                "The identity provider's signing keys cannot be fetched; please retry later."));
      }
      if (auth != null && now - lastFetch < MIN_REFETCH_NANOS) {
        return Future.succeededFuture(force || knows(kid) ? auth : null);
      }
      lastFetch = now;
      Future<JWTAuth> f =
          fetchKeys()
              .map(
                  loaded -> {
                    synchronized (this) {
                      backoffNanos = MIN_REFETCH_NANOS;
                      inflight = null;
                    }
                    return force || knows(kid) ? loaded : null;
                  })
              .recover(
                  e -> {
                    long retryInMs;
                    synchronized (this) {
                      inflight = null;
                      retryAt = System.nanoTime() + backoffNanos;
                      retryInMs = backoffNanos / 1_000_000;
                      backoffNanos = Math.min(backoffNanos * 2, 60 * MIN_REFETCH_NANOS);
                    }
                    LOGGER
                        .atWarn()
                        .addKeyValue("issuer", config.issuer())
                        .addKeyValue("cause", e.toString())
                        .addKeyValue("retryInMs", retryInMs)
                        .log(
                            "Cannot fetch the identity provider's signing keys; its recipients get 503 until a fetch succeeds");
                    return Future.failedFuture(e);
                  });
      if (!f.isComplete()) inflight = f;
      return f;
    }

    private Future<JWTAuth> fetchKeys() {
      Future<String> jwksUri =
          config.jwksUri() != null
              ? Future.succeededFuture(config.jwksUri())
              : get(config.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration")
                  .compose(
                      discovery -> {
                        String uri = discovery.path("jwks_uri").asText(null);
                        return uri == null
                            ? Future.failedFuture(
                                new IOException("The issuer's discovery document has no jwks_uri"))
                            : Future.succeededFuture(uri);
                      });
      return jwksUri.compose(this::get).map(this::load);
    }

    private JWTAuth load(JsonNode jwks) {
      JWTAuthOptions options =
          new JWTAuthOptions()
              .setJWTOptions(
                  new JWTOptions()
                      .setIssuer(config.issuer())
                      .setAudience(List.of(config.audience()))
                      .setLeeway(config.clockSkewSeconds()));
      Set<String> ids = new HashSet<>();
      for (JsonNode k : jwks.path("keys")) {
        String alg = k.path("alg").asText(null);
        String use = k.path("use").asText("sig");
        if (!"sig".equals(use)) continue;
        // keys without "alg" serve each accepted algorithm of their key type
        List<String> algs =
            alg != null
                ? List.of(alg)
                : config.algorithms().stream()
                    .filter(a -> matches(k.path("kty").asText(), a))
                    .toList();
        for (String a : algs) {
          if (!config.algorithms().contains(a)) continue;
          JsonObject jwk = new JsonObject(k.toString());
          jwk.put("alg", a);
          options.addJwk(jwk);
          if (k.hasNonNull("kid")) ids.add(k.get("kid").asText());
        }
      }
      JWTAuth loaded = JWTAuth.create(vertx, options);
      auth = loaded;
      kids = Set.copyOf(ids);
      LOGGER
          .atInfo()
          .addKeyValue("issuer", config.issuer())
          .addKeyValue("keys", ids.size())
          .log("Loaded the issuer's signing keys");
      return loaded;
    }

    private static boolean matches(String kty, String alg) {
      return switch (kty) {
        case "RSA" -> alg.startsWith("RS") || alg.startsWith("PS");
        case "EC" -> alg.startsWith("ES");
        case "OKP" -> alg.equals("EdDSA");
        default -> false;
      };
    }

    /** An asynchronous GET on the JDK client's own threads, completed back on a Vert.x context. */
    private Future<JsonNode> get(String url) {
      java.util.concurrent.CompletableFuture<JsonNode> body;
      try {
        body =
            http.sendAsync(
                    HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                    HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(
                    r -> {
                      if (r.statusCode() != 200)
                        throw new java.util.concurrent.CompletionException(
                            new IOException("GET " + url + " answered " + r.statusCode()));
                      try {
                        return MAPPER.readTree(r.body());
                      } catch (IOException e) {
                        throw new java.util.concurrent.CompletionException(e);
                      }
                    });
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(e);
      }
      return Future.fromCompletionStage(body, vertx.getOrCreateContext())
          .recover(
              e ->
                  Future.failedFuture(
                      e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                          ? e.getCause()
                          : e));
    }
  }
}
