package io.tablegate.app;

import io.netty.handler.ssl.OpenSsl;
import io.tablegate.config.TlsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.ServerSSLOptions;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the sharing listener: BoringSSL through netty-tcnative (JDK engine only as a logged
 * fallback), TLS 1.2 and 1.3, modern ciphers, ALPN for HTTP/2 and HTTP/1.1, and certificate files
 * reloaded when they change (new connections get the new certificate, open ones continue).
 */
final class Tls {
  private static final Logger LOGGER = LoggerFactory.getLogger(Tls.class);
  static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** TLS 1.3 suites plus ECDHE/AEAD TLS 1.2 suites (Mozilla "intermediate"). */
  static final List<String> CIPHERS =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private Tls() {}

  /** Which engine serves TLS: "openssl" (BoringSSL) or "jdk". */
  static String configure(HttpServerOptions options, TlsConfig tls) {
    boolean openssl = tls.engine().equals("openssl") && OpenSsl.isAvailable();
    if (tls.engine().equals("openssl") && !openssl) {
      LOGGER
          .atWarn()
          .addKeyValue("cause", String.valueOf(OpenSsl.unavailabilityCause()))
          .log(
              "The OpenSSL (BoringSSL) engine cannot load on this platform; falling back to the JDK TLS engine");
    }
    options
        .setSsl(true)
        .setSslEngineOptions(openssl ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions())
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
    CIPHERS.forEach(options::addEnabledCipherSuite);
    if (tls.selfSigned()) {
      SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
      options.setKeyCertOptions(cert.keyCertOptions());
    } else {
      options.setKeyCertOptions(
          new PemKeyCertOptions().setCertPath(tls.certificateFile()).setKeyPath(tls.keyFile()));
    }
    if (tls.clientCaFile() != null) {
      options
          .setClientAuth(ClientAuth.REQUIRED)
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCaFile()));
    }
    String engine = openssl ? "openssl" : "jdk";
    LOGGER
        .atInfo()
        .addKeyValue("engine", openssl ? "OpenSSL " + OpenSsl.versionString() : "JDK")
        .addKeyValue("protocols", PROTOCOLS)
        .addKeyValue("alpn", "h2,http/1.1")
        .addKeyValue("clientAuth", tls.clientCaFile() != null)
        .log("TLS is on");
    return engine;
  }

  /**
   * Watches the certificate files and swaps them into the running server when they change; returns
   * the timer id.
   */
  static long watch(
      Vertx vertx, java.util.function.Supplier<java.util.List<HttpServer>> servers, TlsConfig tls) {
    if (tls.selfSigned() || tls.reloadIntervalMs() <= 0) return -1;
    long[] lastModified = {modified(tls)};
    return vertx.setPeriodic(
        tls.reloadIntervalMs(),
        id -> {
          long now = modified(tls);
          if (now == lastModified[0]) return;
          lastModified[0] = now;
          Future.all(servers.get().stream().map(server -> reload(vertx, server, tls)).toList())
              .onComplete(
                  ar -> {
                    if (ar.succeeded())
                      LOGGER.atInfo().log("TLS certificate reloaded; new connections use it");
                    else
                      LOGGER
                          .atWarn()
                          .addKeyValue("cause", ar.cause().toString())
                          .log("TLS certificate reload failed; keeping the previous one");
                  });
        });
  }

  static Future<Boolean> reload(Vertx vertx, HttpServer server, TlsConfig tls) {
    var fs = vertx.fileSystem();
    return Future.all(fs.readFile(tls.certificateFile()), fs.readFile(tls.keyFile()))
        .compose(
            both -> {
              Buffer cert = both.resultAt(0);
              Buffer key = both.resultAt(1);
              ServerSSLOptions ssl =
                  new ServerSSLOptions()
                      .setKeyCertOptions(
                          new PemKeyCertOptions().setCertValue(cert).setKeyValue(key));
              ssl.setEnabledSecureTransportProtocols(PROTOCOLS);
              ssl.setUseAlpn(true);
              CIPHERS.forEach(ssl::addEnabledCipherSuite);
              if (tls.clientCaFile() != null)
                ssl.setClientAuth(ClientAuth.REQUIRED)
                    .setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCaFile()));
              return server.updateSSLOptions(ssl);
            });
  }

  private static long modified(TlsConfig tls) {
    return new java.io.File(tls.certificateFile()).lastModified()
        ^ (new java.io.File(tls.keyFile()).lastModified() * 31);
  }
}
