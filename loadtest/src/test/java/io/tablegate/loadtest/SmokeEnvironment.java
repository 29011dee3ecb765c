package io.tablegate.loadtest;

import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.fixtures.SyntheticTables;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the smoke run loads, all in this JVM: a gateway on a free port serving a small and a large
 * synthetic table from disk and a "live" table from an in-process S3 (s3proxy, SigV4), with the
 * bucket-notification webhook on.
 */
final class SmokeEnvironment implements AutoCloseable {
  static final String TOKEN = "smoke-recipient-token-0123456789";
  static final String WEBHOOK = "smoke-webhook-token-0123456789";
  static final String KEY = "smoke-access";
  static final String SECRET = "smoke-secret-0123456789abcdef";

  final Path dir;
  final S3Proxy s3;
  final BlobStoreContext blobs;
  final Vertx vertx;
  final Gateway gateway;
  final String s3Endpoint;

  SmokeEnvironment(int bigFiles) throws Exception {
    dir = Files.createTempDirectory("tablegate-smoke");
    SyntheticTables.generate(dir.resolve("small"), 500, 1, true);
    SyntheticTables.generate(dir.resolve("big"), bigFiles, Math.max(1, bigFiles / 10_000), true);
    SyntheticTables.generate(dir.resolve("live"), 200, 1, true);
    Properties props = new Properties();
    props.setProperty(
        "jclouds.filesystem.basedir", Files.createDirectories(dir.resolve("s3")).toString());
    blobs = ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
    s3 =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .build();
    s3.start();
    for (int i = 0; i < 200 && !"STARTED".equals(s3.getState()); i++) Thread.sleep(25);
    s3Endpoint = "http://127.0.0.1:" + s3.getPort();
    try (S3Client client = client(s3Endpoint);
        Stream<Path> files = Files.walk(dir.resolve("live"))) {
      client.createBucket(b -> b.bucket("lake"));
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        client.putObject(
            r -> r.bucket("lake").key("tables/live/" + dir.resolve("live").relativize(f)), f);
      }
    }
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 600000
        stores:
          - {name: lake, endpoint: "%s", accessKeyId: %s, secretAccessKey: %s}
        notifications: {webhookToken: %s}
        authorization:
          tokens:
            - {id: smoke, token: %s, shares: [load]}
        shares:
          - name: load
            schemas:
              - name: bench
                tables:
                  - {name: small, location: small}
                  - {name: big, location: big}
                  - {name: live, location: "s3://lake/tables/live"}
        """
            .formatted(s3Endpoint, KEY, SECRET, WEBHOOK, TOKEN);
    vertx = Vertx.vertx();
    gateway =
        Gateway.start(vertx, ConfigLoader.parse(yaml, dir).config())
            .toCompletionStage()
            .toCompletableFuture()
            .get();
  }

  static S3Client client(String endpoint) {
    return Generate.s3Client(endpoint, KEY, SECRET, "us-east-1");
  }

  Target target(String table) {
    return new Target(gateway.endpoint(), TOKEN, "load", "bench", table);
  }

  String webhookUrl() {
    return gateway.endpoint().replace("/delta-sharing", "") + "/events";
  }

  @Override
  public void close() throws Exception {
    gateway.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    s3.stop();
    blobs.close();
  }
}
