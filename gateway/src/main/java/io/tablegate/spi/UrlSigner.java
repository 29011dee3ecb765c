package io.tablegate.spi;

/**
 * Turns a file location into a URL a recipient can download without other credentials. Thread-safe,
 * non-blocking.
 */
public interface UrlSigner {
  /** A signed URL and the epoch millisecond at which it stops working. */
  record SignedUrl(String url, long expirationTimestamp) {}

  SignedUrl sign(String location);

  /**
   * Non-null when every URL this signer makes may be handed out again to any request whose signer
   * has the same key, until that key changes: the signing time and expiry are fixed (a window's),
   * and nothing else of the request is in the URL. Null (the default): URLs are per request.
   */
  default String reuseKey() {
    return null;
  }
}
