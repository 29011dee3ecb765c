package io.tablegate.config;

/**
 * HTTPS on the sharing listener: TLS 1.2/1.3 only, HTTP/2 via ALPN and HTTP/1.1, the OpenSSL
 * (BoringSSL) engine unless {@code engine: jdk} or the native library cannot load.
 *
 * @param certificateFile PEM certificate chain; null with {@code selfSigned}
 * @param keyFile PEM private key; null with {@code selfSigned}
 * @param selfSigned generate a certificate for {@code localhost} at startup (demo and tests only)
 * @param clientCaFile PEM CA certificates whose client certificates are required (mTLS); null for
 *     none
 * @param reloadIntervalMs how often the certificate files are checked for changes (0: never)
 */
public record TlsConfig(
    String certificateFile,
    String keyFile,
    boolean selfSigned,
    String clientCaFile,
    String engine,
    long reloadIntervalMs) {}
