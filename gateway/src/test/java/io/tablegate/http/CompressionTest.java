package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gzip for clients that accept it (the Python connector's requests does): a file list is sent
 * compressed and decompresses to the same lines; other clients get it as it is.
 */
class CompressionTest {
  @TempDir Path dir;

  @Test
  void fileListsAreGzippedForClientsThatAcceptIt() throws Exception {
    io.tablegate.fixtures.SyntheticTables.generate(dir.resolve("big"), 2_000, 1, false);
    try (GatewayHarness gw =
        GatewayHarness.start(
            """
            version: 1
            host: 127.0.0.1
            port: 0
            shares:
              - name: s
                schemas:
                  - name: c
                    tables:
                      - {name: big, location: big}
            """,
            dir)) {
      String q = "/shares/s/schemas/c/tables/big/query";
      Map<String, String> gzip = Map.of("Accept-Encoding", "gzip");
      // Given: the plain body (the response cache then replays the same bytes)
      Response plain = gw.post(q, null, "{}");
      assertThat(plain.status()).isEqualTo(200);
      assertThat(plain.header("Content-Encoding")).isNull();
      // When
      Response zipped = gw.post(q, null, gzip, "{}");
      // Then
      assertThat(zipped.status()).isEqualTo(200);
      assertThat(zipped.header("Content-Encoding")).isEqualTo("gzip");
      byte[] inflated;
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
        inflated = in.readAllBytes();
      }
      assertThat(new String(inflated, StandardCharsets.UTF_8)).isEqualTo(plain.text());
      // (file URLs are sealed, random to a compressor: about half of a file line)
      assertThat(zipped.body().length).isLessThan(plain.body().length / 2);
      // a stream read from the table (another query: not the cached response) too
      Response streamed = gw.post(q, null, gzip, "{\"limitHint\": 1000000000000}");
      assertThat(streamed.header("Content-Encoding")).isEqualTo("gzip");
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(streamed.body()))) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().count())
            .isEqualTo(plain.text().lines().count());
      }
    }
  }
}
