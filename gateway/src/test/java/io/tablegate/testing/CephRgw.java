package io.tablegate.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * A real Ceph RADOS gateway for a test: one-host Ceph started by {@code scripts/ceph-rgw.sh} (which
 * installs Debian's packages when missing) on free loopback ports, stopped and removed on close.
 * {@link #shared()} is one instance for every test class of the JVM (a start costs 15-30 s).
 */
public final class CephRgw implements AutoCloseable {
  private static CephRgw shared;

  /**
   * One RGW for the whole test JVM, started on first use and stopped when the JVM exits. Use a
   * bucket of your own.
   */
  public static synchronized CephRgw shared() throws IOException, InterruptedException {
    if (shared == null) {
      CephRgw rgw = new CephRgw(Files.createTempDirectory("tablegate-ceph-"));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      rgw.close();
                    } catch (Exception e) {
                      System.err.println("Could not stop Ceph RGW: " + e);
                    }
                  },
                  "ceph-rgw-stop"));
      shared = rgw;
    }
    return shared;
  }

  private final Path dir;
  public final String endpoint;
  public final String accessKey;
  public final String secretKey;

  /** A read-only role the user may assume through RGW's STS (for temporary table credentials). */
  public final String roleArn;

  public final S3Client client;

  public CephRgw(Path dir) throws IOException, InterruptedException {
    this.dir = dir;
    Path log = Files.createTempFile("ceph-rgw-", ".log");
    Process p =
        new ProcessBuilder(
                List.of(
                    "bash",
                    Python.repository().resolve("scripts/ceph-rgw.sh").toString(),
                    "start",
                    dir.toString()))
            .redirectError(log.toFile())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("Ceph RGW did not start:\n" + out + Files.readString(log));
    }
    Map<String, String> values = new HashMap<>();
    for (String line : out.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) values.put(line.substring(0, eq), line.substring(eq + 1).trim());
    }
    endpoint = values.get("RGW_ENDPOINT");
    accessKey = values.get("ACCESS_KEY");
    secretKey = values.get("SECRET_KEY");
    roleArn = values.get("ROLE_ARN");
    if (endpoint == null || accessKey == null || secretKey == null)
      throw new IllegalStateException("Unexpected output:\n" + out);
    client =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(endpoint))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  /**
   * Makes RGW push every object created or removed in {@code bucket} to {@code pushEndpoint}: a
   * topic (RGW's SNS-compatible {@code CreateTopic} on the S3 endpoint, signed like any AWS call)
   * and the bucket's notification configuration. A synchronous topic, {@code persistent=false},
   * posts before the PUT returns. Returns the topic's ARN.
   */
  public String notifyTo(String bucket, String topic, String pushEndpoint, boolean persistent) {
    try (SnsClient sns =
        SnsClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(endpoint))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      String arn =
          sns.createTopic(
                  r ->
                      r.name(topic)
                          .attributes(
                              Map.of(
                                  "push-endpoint",
                                  pushEndpoint,
                                  "persistent",
                                  Boolean.toString(persistent))))
              .topicArn();
      client.putBucketNotificationConfiguration(
          r ->
              r.bucket(bucket)
                  .notificationConfiguration(
                      c ->
                          c.topicConfigurations(
                              t ->
                                  t.id(topic)
                                      .topicArn(arn)
                                      .events(Event.S3_OBJECT_CREATED, Event.S3_OBJECT_REMOVED))));
      return arn;
    }
  }

  /** A {@code stores:} entry for this RGW whose read-only role the gateway may assume (STS). */
  public String storeYamlWithRole(String name) {
    return storeYaml(name).replace("}\n", ", stsRoleArn: \"" + roleArn + "\"}\n");
  }

  /** A {@code stores:} entry for this RGW. */
  public String storeYaml(String name) {
    return "  - {name: "
        + name
        + ", endpoint: \""
        + endpoint
        + "\", accessKeyId: "
        + accessKey
        + ", secretAccessKey: \""
        + secretKey
        + "\", connectTimeoutMs: 2000, requestTimeoutMs: 30000}\n";
  }

  @Override
  public void close() throws Exception {
    client.close();
    new ProcessBuilder(
            List.of(
                "bash",
                Python.repository().resolve("scripts/ceph-rgw.sh").toString(),
                "stop",
                dir.toString()))
        .inheritIO()
        .start()
        .waitFor(120, TimeUnit.SECONDS);
  }
}
