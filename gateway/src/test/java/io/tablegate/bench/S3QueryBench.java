package io.tablegate.bench;

import io.tablegate.app.Gateway;
import io.tablegate.config.ConfigLoader;
import io.tablegate.fixtures.SyntheticTables;
import io.tablegate.testing.S3Harness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a test): {@code /query} of a 10,000-file table stored in s3proxy, with the table
 * metadata cold (a freshly started gateway per run): time to first byte and total time, for
 * presigned and proxied file URLs.
 *
 * <p>Run: {@code scripts/bench-query.sh --s3 [files] [runs]}.
 */
public final class S3QueryBench {
  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path work = Files.createTempDirectory("tablegate-s3-bench");
    Path local = work.resolve("table");
    SyntheticTables.generate(local, files, Math.max(1, files / 5_000), true);
    try (S3Harness s3 = new S3Harness(work.resolve("s3"))) {
      s3.createBucket("bench");
      long t = System.nanoTime();
      s3.upload(local, "bench", "t");
      System.out.printf(
          "uploaded the %d-file table's log to s3proxy in %.1f s%n",
          files, (System.nanoTime() - t) / 1e9);
      String yaml =
          """
          version: 1
          host: 127.0.0.1
          port: 0
          stores:
          %s
          shares:
            - name: s
              schemas:
                - name: b
                  tables:
                    - {name: presigned, location: "s3://bench/t"}
                    - {name: proxy, location: "s3://bench/t", fileAccess: proxy}
          """
              .formatted(s3.storeYaml("s3proxy").stripTrailing());
      var config = ConfigLoader.parse(yaml, work).config();
      Vertx vertx = Vertx.vertx();
      HttpClient client = vertx.createHttpClient();
      System.out.printf(
          "%-26s %8s %10s %10s %12s%n", "run", "files", "ttfb ms", "total ms", "files/s");
      for (String table : new String[] {"presigned", "proxy"}) {
        for (int r = 0; r < runs; r++) {
          Gateway gw =
              Gateway.start(vertx, config)
                  .toCompletionStage()
                  .toCompletableFuture()
                  .get(60, TimeUnit.SECONDS);
          for (String kind : new String[] {"cold", "warm"}) {
            long[] res =
                QueryStreamBench.stream(
                    client, gw.endpoint() + "/shares/s/schemas/b/tables/" + table + "/query");
            System.out.printf(
                "%-26s %8d %10.1f %10.1f %12.0f%n",
                table + " " + kind + " #" + (r + 1),
                res[0] - 2,
                res[1] / 1e6,
                res[2] / 1e6,
                (res[0] - 2) / (res[2] / 1e9));
          }
          gw.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      }
      client.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
