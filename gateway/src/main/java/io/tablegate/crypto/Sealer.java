package io.tablegate.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals small payloads into opaque, authenticated, URL-safe tokens and opens them again:
 * AES-256-GCM with a synthetic nonce (an HMAC of purpose and plaintext, as in SIV), so sealing
 * needs no random numbers, equal inputs give equal tokens, and the nonce never repeats for
 * different inputs.
 *
 * <p>Keys are derived from the configured {@code signingKey}, which every instance behind a load
 * balancer shares, so any instance opens any instance's tokens. Each token names its key by a
 * 4-byte id; the previous keys still open the tokens they sealed (key rotation), while only the
 * current key seals. The {@code purpose} is authenticated data: a page token never opens as a
 * refresh token or a file URL.
 *
 * <p>Thread-safe and non-blocking (one {@link Cipher} and {@link Mac} per thread).
 */
public final class Sealer {
  private static final byte FORMAT = 1;
  private static final int ID_BYTES = 4;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int HEADER = 1 + ID_BYTES + NONCE_BYTES;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  /** One key generation: its id, encryption key and nonce key. */
  private record Key(byte[] id, SecretKeySpec aes, SecretKeySpec nonce) {}

  private final Key current;
  private final List<Key> all;
  private final ThreadLocal<Cipher> ciphers =
      ThreadLocal.withInitial(() -> instance(() -> Cipher.getInstance("AES/GCM/NoPadding")));

  /**
   * Per thread: a Mac keyed with the current nonce key, and the last token sealed (see {@link
   * #seal}).
   */
  private final ThreadLocal<Mac> macs;

  private final ThreadLocal<Object[]> last = ThreadLocal.withInitial(() -> new Object[2]);

  /**
   * @param key the current signing key (at least 32 bytes of entropy)
   * @param previous older keys whose tokens are still accepted
   */
  public Sealer(byte[] key, List<byte[]> previous) {
    current = derive(key);
    List<Key> keys = new ArrayList<>();
    keys.add(current);
    for (byte[] p : previous) keys.add(derive(p));
    all = List.copyOf(keys);
    macs =
        ThreadLocal.withInitial(
            () ->
                instance(
                    () -> {
                      Mac m = Mac.getInstance("HmacSHA256");
                      m.init(current.nonce());
                      return m;
                    }));
  }

  /** A sealer with a random key: its tokens open only in this process. */
  public static Sealer random() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new Sealer(key, List.of());
  }

  /** Seals {@code plaintext} for {@code purpose}; the result is base64url without padding. */
  public String seal(String purpose, byte[] plaintext) {
    byte[] aad = purpose.getBytes(StandardCharsets.UTF_8);
    Mac mac = macs.get();
    try {
      mac.update(aad);
      mac.update((byte) 0);
      byte[] nonce = Arrays.copyOf(mac.doFinal(plaintext), NONCE_BYTES);
      // the same input twice in a row gives the same nonce, which the JDK refuses to encrypt with
      // again
      // (it guards GCM against nonce reuse): the token is then the same as last time
      Object[] previous = last.get();
      if (previous[0] != null && Arrays.equals((byte[]) previous[0], nonce))
        return (String) previous[1];
      Cipher c = ciphers.get();
      c.init(Cipher.ENCRYPT_MODE, current.aes(), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad);
      ByteBuffer out = ByteBuffer.allocate(HEADER + c.getOutputSize(plaintext.length));
      out.put(FORMAT).put(current.id()).put(nonce);
      c.doFinal(ByteBuffer.wrap(plaintext), out);
      String token = ENCODER.encodeToString(out.array());
      previous[0] = nonce;
      previous[1] = token;
      return token;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot seal a token", e);
    }
  }

  /**
   * Opens a token sealed for {@code purpose} by this key or a previous one.
   *
   * @throws InvalidTokenException when it is malformed, altered, sealed for another purpose or by
   *     an unknown key
   */
  public byte[] open(String purpose, String token) {
    if (token == null || token.isEmpty() || token.length() > 16_384)
      throw new InvalidTokenException();
    byte[] raw;
    try {
      raw = DECODER.decode(token);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException();
    }
    if (raw.length < HEADER + TAG_BITS / 8 || raw[0] != FORMAT) throw new InvalidTokenException();
    Key key = null;
    for (Key k : all) {
      if (MessageDigest.isEqual(k.id(), Arrays.copyOfRange(raw, 1, 1 + ID_BYTES))) {
        key = k;
        break;
      }
    }
    if (key == null) throw new InvalidTokenException();
    try {
      Cipher c = ciphers.get();
      c.init(
          Cipher.DECRYPT_MODE,
          key.aes(),
          new GCMParameterSpec(TAG_BITS, raw, 1 + ID_BYTES, NONCE_BYTES));
      c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(raw, HEADER, raw.length - HEADER);
    } catch (AEADBadTagException e) {
      throw new InvalidTokenException();
    } catch (GeneralSecurityException e) {
      throw new InvalidTokenException();
    }
  }

  /** Thrown for any token this gateway did not seal unchanged; carries no detail on purpose. */
  public static final class InvalidTokenException extends RuntimeException {
    InvalidTokenException() {
      super("not a token this gateway issued", null, false, false);
    }
  }

  private static Key derive(byte[] master) {
    if (master == null || master.length < 16)
      throw new IllegalArgumentException("A signing key needs at least 16 bytes");
    return new Key(
        Arrays.copyOf(hmac(master, "tablegate key id"), ID_BYTES),
        new SecretKeySpec(hmac(master, "tablegate seal v1"), "AES"),
        new SecretKeySpec(hmac(master, "tablegate nonce v1"), "HmacSHA256"));
  }

  private static byte[] hmac(byte[] key, String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface Factory<T> {
    T create() throws GeneralSecurityException;
  }

  private static <T> T instance(Factory<T> f) {
    try {
      return f.create();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
