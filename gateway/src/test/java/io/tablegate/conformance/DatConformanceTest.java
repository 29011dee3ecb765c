package io.tablegate.conformance;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The DAT corpus shared from the local file system. */
class DatConformanceTest extends DatConformanceSuite {
  static GatewayHarness gw;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayHarness.start(
            "version: 1\nhost: 127.0.0.1\nport: 0\n"
                + shareYaml(
                    c -> TestTables.dat().resolve(c).resolve("delta").toUri().toString(), ""),
            work);
  }

  @AfterAll
  static void stop() {
    gw.close();
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
