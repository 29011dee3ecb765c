package io.tablegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A real S3 server in-process: s3proxy over a file-system blob store, with SigV4 authentication (it
 * verifies presigned URL signatures). Stoppable and restartable on the same port.
 */
public final class S3Harness implements AutoCloseable {
  public static final String ACCESS_KEY = "tablegate-test-access";
  public static final String SECRET_KEY = "tablegate-test-secret-0123456789";

  private final Path dir;
  private final BlobStoreContext context;
  private S3Proxy proxy;
  private final int port;
  public final S3Client client;
  private final boolean anonymous;

  public S3Harness(Path dir) throws Exception {
    this(dir, false);
  }

  /**
   * @param anonymous accept requests without checking their signatures (for a proxy in front that
   *     changes them)
   */
  public S3Harness(Path dir, boolean anonymous) throws Exception {
    this.anonymous = anonymous;
    this.dir = dir;
    Files.createDirectories(dir);
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", dir.toString());
    this.context =
        ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
    this.proxy = start(0);
    this.port = proxy.getPort();
    this.client =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(endpoint()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  private S3Proxy start(int onPort) throws Exception {
    S3Proxy p =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .awsAuthentication(
                anonymous ? AuthenticationType.NONE : AuthenticationType.AWS_V2_OR_V4,
                ACCESS_KEY,
                SECRET_KEY)
            .endpoint(URI.create("http://127.0.0.1:" + onPort))
            .build();
    p.start();
    for (int i = 0; i < 200 && !"STARTED".equals(p.getState()); i++) Thread.sleep(25);
    return p;
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The YAML of a store entry for this server. */
  public String storeYaml(String name) {
    return "  - {name: "
        + name
        + ", endpoint: \""
        + endpoint()
        + "\", accessKeyId: "
        + ACCESS_KEY
        + ", secretAccessKey: "
        + SECRET_KEY
        + ", connectTimeoutMs: 1000, requestTimeoutMs: 3000}\n";
  }

  public void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  /**
   * Uploads every file under {@code local} to {@code s3://bucket/prefix/...}, keeping file times
   * out of it.
   */
  public void upload(Path local, String bucket, String prefix) {
    try (Stream<Path> files = Files.walk(local)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String key = prefix + "/" + local.relativize(f).toString().replace('\\', '/');
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void stop() throws Exception {
    proxy.stop();
  }

  public void restart() throws Exception {
    proxy = start(port);
  }

  @Override
  public void close() throws Exception {
    client.close();
    proxy.stop();
    context.close();
  }
}
