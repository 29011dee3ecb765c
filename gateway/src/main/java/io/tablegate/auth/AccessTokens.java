package io.tablegate.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.protocol.SharingErrors;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The gateway's own OAuth 2.0 access tokens (client credentials grant): short-lived JWTs signed
 * with ES256. The signing keys are derived from the gateway's signing keys (the one all instances
 * share and the previous ones kept for rotation), so every instance issues and accepts the same
 * tokens without storing keys, the current key signs, and rotating {@code signingKey} (the old one
 * in {@code previousSigningKeys}) rotates them: tokens signed with the previous key stay valid
 * until they expire. The public keys are published as a JWKS. A token names its client (a gateway
 * token's id), which is looked up again on every request, so revoking the client ends its tokens at
 * once.
 */
public final class AccessTokens {
  /** How long an access token is valid. */
  public static final Duration LIFETIME = Duration.ofHours(1);

  /** Longer credentials are not ours (nor anyone's): refused before any parsing. */
  private static final int MAX_TOKEN_CHARS = 8_192;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Key(String kid, KeyPair pair) {}

  private final List<Key> keys;
  private final Supplier<String> issuer;
  private final Clock clock;

  /**
   * @param secrets the gateway's signing keys, the current one first
   * @param issuer the public endpoint: the tokens' issuer and audience
   */
  public AccessTokens(List<byte[]> secrets, Supplier<String> issuer, Clock clock) {
    List<Key> ks = new ArrayList<>();
    for (byte[] s : secrets) {
      KeyPair pair = derive(s);
      ks.add(new Key(kid(pair), pair));
    }
    this.keys = List.copyOf(ks);
    this.issuer = issuer;
    this.clock = clock;
  }

  /** The token endpoint's URL ({@code {endpoint}/oauth/token}). */
  public String tokenEndpoint() {
    return issuer.get() + "/oauth/token";
  }

  /** A new access token for {@code clientId}, valid for {@link #LIFETIME}. */
  public String issue(String clientId, String scope) {
    long now = clock.millis() / 1000;
    Key k = keys.get(0);
    ObjectNode header = MAPPER.createObjectNode();
    header.put("alg", "ES256").put("typ", "JWT").put("kid", k.kid());
    ObjectNode claims = MAPPER.createObjectNode();
    byte[] jti = new byte[12];
    RANDOM.nextBytes(jti);
    claims
        .put("iss", issuer.get())
        .put("aud", issuer.get())
        .put("sub", clientId)
        .put("iat", now)
        .put("exp", now + LIFETIME.toSeconds())
        .put("jti", B64.encodeToString(jti));
    if (scope != null) claims.put("scope", scope);
    try {
      String signingInput =
          B64.encodeToString(MAPPER.writeValueAsBytes(header))
              + "."
              + B64.encodeToString(MAPPER.writeValueAsBytes(claims));
      Signature sig = Signature.getInstance("SHA256withECDSAinP1363Format");
      sig.initSign(k.pair().getPrivate());
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(sig.sign());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign an access token", e);
    }
  }

  /**
   * The client a token of ours was issued to; null when the token is not ours (another issuer: an
   * OIDC provider's); a 401 protocol error when it claims to be ours and is not valid (altered,
   * signed with an unknown key, expired, for another audience).
   */
  public String verify(String jwt) {
    if (jwt.length() > MAX_TOKEN_CHARS) return null;
    String[] parts = jwt.split("\\.", -1);
    if (parts.length != 3) return null;
    JsonNode header;
    JsonNode claims;
    try {
      header = MAPPER.readTree(B64D.decode(parts[0]));
      claims = MAPPER.readTree(B64D.decode(parts[1]));
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
    if (header == null || claims == null || !claims.isObject()) return null;
    if (!issuer.get().equals(claims.path("iss").asText(null))) return null; // not ours
    Key key = null;
    for (Key k : keys) if (k.kid().equals(header.path("kid").asText(null))) key = k;
    if (key == null || !"ES256".equals(header.path("alg").asText(null)))
      throw invalid("it was signed with a key this gateway no longer accepts");
    try {
      Signature sig = Signature.getInstance("SHA256withECDSAinP1363Format");
      sig.initVerify(key.pair().getPublic());
      sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!sig.verify(B64D.decode(parts[2]))) throw invalid("its signature does not match");
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw invalid("its signature does not match");
    }
    if (!issuer.get().equals(claims.path("aud").asText(null)))
      throw invalid("it is for another audience");
    if (!claims.path("exp").canConvertToLong()
        || claims.path("exp").asLong() <= clock.millis() / 1000)
      throw invalid("it has expired; the client asks the token endpoint for a new one");
    String sub = claims.path("sub").asText(null);
    if (sub == null || sub.isEmpty()) throw invalid("it names no client");
    return sub;
  }

  private static RuntimeException invalid(String why) {
    return SharingErrors.unauthenticated("The access token is not valid: " + why + ".");
  }

  /** The public keys, as a JSON Web Key Set. */
  public ObjectNode jwks() {
    ObjectNode out = MAPPER.createObjectNode();
    ArrayNode arr = out.putArray("keys");
    for (Key k : keys) {
      ECPublicKey pub = (ECPublicKey) k.pair().getPublic();
      arr.addObject()
          .put("kty", "EC")
          .put("crv", "P-256")
          .put("use", "sig")
          .put("alg", "ES256")
          .put("kid", k.kid())
          .put("x", B64.encodeToString(coordinate(pub.getW().getAffineX())))
          .put("y", B64.encodeToString(coordinate(pub.getW().getAffineY())));
    }
    return out;
  }

  private static byte[] coordinate(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }

  private static String kid(KeyPair pair) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded());
      return B64.encodeToString(Arrays.copyOf(d, 12));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The P-256 key pair derived from a signing key: the key generator draws its randomness from an
   * HMAC-SHA256 stream keyed by the secret, so every instance derives the same pair.
   */
  static KeyPair derive(byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] seed =
          mac.doFinal("tablegate oauth access-token key v1".getBytes(StandardCharsets.UTF_8));
      SecureRandom stream =
          new SecureRandom() {
            private long counter;

            @Override
            public void nextBytes(byte[] out) {
              try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(seed, "HmacSHA256"));
                int pos = 0;
                while (pos < out.length) {
                  m.update(BigInteger.valueOf(counter++).toByteArray());
                  byte[] block = m.doFinal();
                  int n = Math.min(block.length, out.length - pos);
                  System.arraycopy(block, 0, out, pos, n);
                  pos += n;
                }
              } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
              }
            }
          };
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), stream);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the access-token signing key", e);
    }
  }
}
