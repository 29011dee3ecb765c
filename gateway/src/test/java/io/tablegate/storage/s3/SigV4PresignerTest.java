package io.tablegate.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Our SigV4 presigner against the AWS SDK's: the same signature for the same request and second.
 */
class SigV4PresignerTest {
  static final String ACCESS = "AKIDEXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

  static String param(String url, String name) {
    return url.replaceAll(".*[?&]" + name + "=([^&]*).*", "$1");
  }

  @Test
  void signsLikeTheSdk() {
    URI endpoint = URI.create("http://minio.example.com:9000");
    try (S3Presigner sdk =
        S3Presigner.builder()
            .region(Region.of("eu-central-1"))
            .endpointOverride(endpoint)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .build()) {
      for (String key :
          new String[] {
            "t/part-0.parquet",
            "t/day=2024-05-01/a b+c%d~é.parquet",
            "t/_delta_log/00000000000000000000.json"
          }) {
        {
          var expected =
              sdk.presignGetObject(
                      p ->
                          p.signatureDuration(Duration.ofSeconds(3600))
                              .getObjectRequest(g -> g.bucket("lake").key(key)))
                  .url()
                  .toString();
          Instant at =
              Instant.parse(
                  param(expected, "X-Amz-Date")
                      .replaceAll(
                          "(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z",
                          "$1-$2-$3T$4:$5:$6Z"));
          SigV4Presigner ours =
              new SigV4Presigner(endpoint, "eu-central-1", Clock.fixed(at, ZoneOffset.UTC));
          String actual =
              ours.presign(
                  new SigV4Presigner.Credentials(ACCESS, SECRET, null), "lake", key, 3600, at);
          assertThat(param(actual, "X-Amz-Signature"))
              .as(key)
              .isEqualTo(param(expected, "X-Amz-Signature"));
          assertThat(actual.substring(0, actual.indexOf('?')))
              .isEqualTo(expected.substring(0, expected.indexOf('?')));
        }
      }
    }
  }

  @Test
  void addsTheSessionTokenOfTemporaryCredentials() {
    SigV4Presigner ours =
        new SigV4Presigner(URI.create("https://s3.example.com"), "us-east-1", Clock.systemUTC());
    String url =
        ours.presign(
            new SigV4Presigner.Credentials(ACCESS, SECRET, "token/with+chars"),
            "b",
            "k",
            900,
            Instant.now());
    assertThat(url)
        .startsWith("https://s3.example.com/b/k?")
        .contains("X-Amz-Security-Token=token%2Fwith%2Bchars")
        .contains("X-Amz-Expires=900");
    assertThat(new SigV4Presigner.Credentials(ACCESS, SECRET, "t").toString())
        .doesNotContain(SECRET)
        .doesNotContain("=t]");
  }
}
