package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.config.ConfigLoader;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.TestTables;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with BoringSSL: HTTP/2 over ALPN, TLS 1.2+ only, certificates swapped without a restart.
 */
class TlsTest {
  @TempDir static Path dir;
  static SelfSignedCertificate first;
  static SelfSignedCertificate second;
  static Vertx vertx;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    first = SelfSignedCertificate.create("localhost");
    second = SelfSignedCertificate.create("localhost");
    install(first);
    TestTables.writeHistoryTable(dir.resolve("t"));
    var config =
        ConfigLoader.parse(
                """
        version: 1
        host: 127.0.0.1
        port: 0
        tls: {certificateFile: cert.pem, keyFile: key.pem, reloadIntervalMs: 100}
        shares:
          - name: s
            schemas:
              - name: x
                tables:
                  - {name: t, location: t}
        """,
                dir)
            .config();
    vertx = Vertx.vertx();
    gateway = GatewayHarness.await(Gateway.start(vertx, config, Clock.systemUTC()));
  }

  static void install(SelfSignedCertificate cert) throws Exception {
    Files.copy(
        Path.of(cert.privateKeyPath()),
        dir.resolve("key.pem.tmp"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        Path.of(cert.certificatePath()),
        dir.resolve("cert.pem.tmp"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.move(
        dir.resolve("key.pem.tmp"),
        dir.resolve("key.pem"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    Files.move(
        dir.resolve("cert.pem.tmp"),
        dir.resolve("cert.pem"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  @AfterAll
  static void stop() {
    GatewayHarness.await(gateway.close());
    GatewayHarness.await(vertx.close());
  }

  record Answer(int status, HttpVersion version, List<Certificate> peer) {}

  static Answer get(HttpClientOptions options) throws Exception {
    HttpClient client =
        vertx.createHttpClient(options.setSsl(true).setTrustAll(true).setVerifyHost(false));
    try {
      return GatewayHarness.await(
          client
              .request(
                  new RequestOptions()
                      .setMethod(HttpMethod.GET)
                      .setHost("127.0.0.1")
                      .setPort(gateway.port())
                      .setURI("/delta-sharing/shares"))
              .compose(
                  req ->
                      req.send()
                          .compose(
                              resp -> {
                                try {
                                  return Future.succeededFuture(
                                      new Answer(
                                          resp.statusCode(),
                                          resp.version(),
                                          req.connection().peerCertificates()));
                                } catch (Exception e) {
                                  return Future.failedFuture(e);
                                }
                              })));
    } finally {
      client.close();
    }
  }

  @Test
  void servesHttp2OverAlpnWithBoringSsl() throws Exception {
    assertThat(gateway.tlsEngine()).isEqualTo("openssl");
    assertThat(gateway.endpoint()).startsWith("https://");
    Answer h2 =
        get(new HttpClientOptions().setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2));
    assertThat(h2.status()).isEqualTo(200);
    assertThat(h2.version()).isEqualTo(HttpVersion.HTTP_2);
    Answer h1 =
        get(new HttpClientOptions().setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_1_1));
    assertThat(h1.version()).isEqualTo(HttpVersion.HTTP_1_1);
  }

  @Test
  void refusesTls11() throws Exception {
    HttpClientOptions old =
        new HttpClientOptions()
            .setSslEngineOptions(new OpenSSLEngineOptions())
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.1"))
            .addEnabledCipherSuite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    // control: this client does speak TLS 1.1 to a server that allows it
    var control =
        GatewayHarness.await(
            vertx
                .createHttpServer(
                    new io.vertx.core.http.HttpServerOptions()
                        .setSsl(true)
                        .setSslEngineOptions(new OpenSSLEngineOptions())
                        .setKeyCertOptions(first.keyCertOptions())
                        .setEnabledSecureTransportProtocols(Set.of("TLSv1.1", "TLSv1.2"))
                        .addEnabledCipherSuite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"))
                .requestHandler(r -> r.response().end("ok"))
                .listen(0, "127.0.0.1"));
    try {
      HttpClient c =
          vertx.createHttpClient(
              new HttpClientOptions(old).setSsl(true).setTrustAll(true).setVerifyHost(false));
      assertThat(
              GatewayHarness.await(
                      c.request(HttpMethod.GET, control.actualPort(), "127.0.0.1", "/")
                          .compose(r -> r.send()))
                  .statusCode())
          .isEqualTo(200);
      c.close();
    } finally {
      GatewayHarness.await(control.close());
    }
    assertThatThrownBy(() -> get(old)).isInstanceOf(IllegalStateException.class);
    HttpClientOptions modern =
        new HttpClientOptions()
            .setSslEngineOptions(new OpenSSLEngineOptions())
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"));
    assertThat(get(modern).status()).isEqualTo(200);
  }

  @Test
  void aReplacedCertificateIsServedWithoutARestart() throws Exception {
    byte[] before = get(new HttpClientOptions()).peer().get(0).getEncoded();
    assertThat(before).isEqualTo(pem(first));
    install(second);
    GatewayHarness.eventually(
        () -> !Arrays.equals(get(new HttpClientOptions()).peer().get(0).getEncoded(), before));
    assertThat(get(new HttpClientOptions()).peer().get(0).getEncoded()).isEqualTo(pem(second));
  }

  static byte[] pem(SelfSignedCertificate c) throws Exception {
    try (var in = Files.newInputStream(Path.of(c.certificatePath()))) {
      return java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in)
          .getEncoded();
    }
  }
}
