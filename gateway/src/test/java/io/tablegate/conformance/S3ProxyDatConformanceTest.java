package io.tablegate.conformance;

import io.tablegate.testing.GatewayHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DAT corpus in a real S3 server (s3proxy, SigV4), files reached through the gateway's own
 * signed file URLs, the bytes streamed from the store.
 */
class S3ProxyDatConformanceTest extends DatConformanceSuite {
  static OnS3 setup;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    setup = OnS3.start(work, "proxy");
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
