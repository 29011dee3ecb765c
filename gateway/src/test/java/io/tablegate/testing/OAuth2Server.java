package io.tablegate.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real OAuth2/OIDC server (NAV's mock-oauth2-server: discovery, JWKS, client-credentials tokens
 * signed with RS256) in its own JVM, since it runs on Netty 4.1. Every path segment is an issuer:
 * {@code http://localhost:PORT/<issuerId>}. A restart on the same port generates new signing keys.
 */
public final class OAuth2Server implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final Path dir;
  private String jsonConfig;
  private final int port;
  private Process process;

  public OAuth2Server(Path dir, String jsonConfig) throws Exception {
    this.dir = Files.createDirectories(dir);
    this.jsonConfig = jsonConfig;
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    start();
  }

  private void start() throws Exception {
    String cpFile = System.getProperty("tablegate.oauth2ServerClasspath");
    if (cpFile == null || !Files.isReadable(Path.of(cpFile))) {
      throw new IllegalStateException(
          "The OAuth2 server fixture's classpath is missing ("
              + cpFile
              + "): build it with "
              + "'mvn -f testing/oauth2-server/pom.xml generate-resources' or run the whole reactor");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx192m",
            "-cp",
            Files.readString(Path.of(cpFile)).trim(),
            "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt");
    pb.environment().put("SERVER_PORT", Integer.toString(port));
    if (jsonConfig != null) pb.environment().put("JSON_CONFIG", jsonConfig);
    pb.redirectErrorStream(true)
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(dir.resolve("oauth2-server.log").toFile()));
    process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!ready()) {
      if (!process.isAlive())
        throw new IllegalStateException(
            "The OAuth2 server exited: " + Files.readString(dir.resolve("oauth2-server.log")));
      if (System.nanoTime() > deadline)
        throw new IllegalStateException("The OAuth2 server did not start");
      Thread.sleep(100);
    }
  }

  private boolean ready() {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create(issuer("idp") + "/.well-known/openid-configuration")
                  .toURL()
                  .openConnection();
      c.setConnectTimeout(500);
      return c.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** The issuer URL ({@code iss}) of an issuer id. */
  public String issuer(String issuerId) {
    return "http://localhost:" + port + "/" + issuerId;
  }

  /** A client-credentials access token: {@code sub} = the client id, {@code aud} = the scope. */
  public String token(String issuerId, String clientId, String scope) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) URI.create(issuer(issuerId) + "/token").toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
    String form =
        "grant_type=client_credentials&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret=secret&scope="
            + URLEncoder.encode(scope, StandardCharsets.UTF_8);
    c.getOutputStream().write(form.getBytes(StandardCharsets.UTF_8));
    if (c.getResponseCode() != 200)
      throw new IOException("token request answered " + c.getResponseCode());
    return MAPPER.readTree(c.getInputStream()).get("access_token").asText();
  }

  /**
   * Stops and starts the server on the same port with a fresh RSA signing key (the server's own
   * keys come from a bundled file, so a plain restart would sign with the same key).
   */
  public void restartWithNewKey() throws Exception {
    stop();
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    var k = (java.security.interfaces.RSAPrivateCrtKey) g.generateKeyPair().getPrivate();
    var jwk =
        MAPPER
            .createObjectNode()
            .put("kty", "RSA")
            .put("use", "sig")
            .put("kid", "rotated")
            .put("n", b64(k.getModulus()))
            .put("e", b64(k.getPublicExponent()))
            .put("d", b64(k.getPrivateExponent()))
            .put("p", b64(k.getPrimeP()))
            .put("q", b64(k.getPrimeQ()))
            .put("dp", b64(k.getPrimeExponentP()))
            .put("dq", b64(k.getPrimeExponentQ()))
            .put("qi", b64(k.getCrtCoefficient()));
    var config =
        jsonConfig == null
            ? MAPPER.createObjectNode()
            : (com.fasterxml.jackson.databind.node.ObjectNode) MAPPER.readTree(jsonConfig);
    config
        .putObject("tokenProvider")
        .putObject("keyProvider")
        .put("initialKeys", jwk.toString())
        .put("algorithm", "RS256");
    jsonConfig = config.toString();
    start();
  }

  private static String b64(java.math.BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length > 1 && b[0] == 0) b = java.util.Arrays.copyOfRange(b, 1, b.length);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
