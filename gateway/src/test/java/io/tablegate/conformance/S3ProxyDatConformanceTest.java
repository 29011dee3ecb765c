package io.tablegate.conformance;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.S3Harness;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The DAT corpus uploaded to a real S3 server (s3proxy, SigV4), files reached through the gateway's own signed file URLs, the bytes streamed from the store. */
class S3ProxyDatConformanceTest extends DatConformanceSuite {
  static S3Harness s3;
  static GatewayHarness gw;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Harness(work.resolve("s3"));
    s3.createBucket("dat");
    for (String c : cases().toList()) s3.upload(TestTables.dat().resolve(c).resolve("delta"), "dat", "cases/" + c);
    gw = GatewayHarness.start("version: 1\nhost: 127.0.0.1\nport: 0\nstores:\n" + s3.storeYaml("s3proxy")
        + shareYaml(c -> "s3://dat/cases/" + c, ", fileAccess: proxy"), work);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    s3.close();
  }

  @Override
  GatewayHarness gw() {
    return gw;
  }

  @Override
  Path work() {
    return work;
  }
}
