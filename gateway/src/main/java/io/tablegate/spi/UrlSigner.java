package io.tablegate.spi;

/**
 * Turns a file location into a URL a recipient can download without other credentials. Thread-safe,
 * non-blocking.
 */
public interface UrlSigner {
  /** A signed URL and the epoch millisecond at which it stops working. */
  record SignedUrl(String url, long expirationTimestamp) {}

  SignedUrl sign(String location);
}
