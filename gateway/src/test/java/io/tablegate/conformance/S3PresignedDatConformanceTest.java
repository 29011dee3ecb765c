package io.tablegate.conformance;

import io.tablegate.testing.GatewayHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DAT corpus in a real S3 server (s3proxy, SigV4), files reached through presigned URLs that
 * recipients use straight against the store.
 */
class S3PresignedDatConformanceTest extends DatConformanceSuite {
  static OnS3 setup;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    setup = OnS3.start(work, "presigned");
  }

  @AfterAll
  static void stop() throws Exception {
    setup.close();
  }

  @Override
  GatewayHarness gw() {
    return setup.gw();
  }

  @Override
  Path work() {
    return work;
  }
}
