package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.TestTables;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics counts metadata lookups by whether a cache tier answered (the load tests' hit ratio).
 */
class MetricsTest {
  @TempDir Path dir;

  static long counter(String metrics, String result) {
    Matcher m =
        Pattern.compile("tablegate_metadata_lookups_total\\{result=\"" + result + "\"} ([0-9.E]+)")
            .matcher(metrics);
    assertThat(m.find()).as(metrics).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  @Test
  void lookupsAreCountedAsHitsAndMisses() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("t"));
    try (GatewayHarness g =
        GatewayHarness.start(
            "version: 1\nhost: 127.0.0.1\nport: 0\nlatestVersionTtlMs: 60000\nshares:\n"
                + "  - name: s\n    schemas:\n      - name: n\n        tables:\n          - {name: t, location: t}\n",
            dir)) {
      String path = "/shares/s/schemas/n/tables/t/metadata";
      assertThat(g.get(path, null).status()).isEqualTo(200);
      // meters must not read sources the collector may take (Micrometer holds them weakly; a busy
      // CI run's GC did)
      System.gc();
      String first = g.management("/metrics").text();
      for (int i = 0; i < 5; i++) assertThat(g.get(path, null).status()).isEqualTo(200);
      String later = g.management("/metrics").text();
      assertThat(counter(first, "miss")).isEqualTo(2); // latest version and snapshot, read once
      assertThat(counter(later, "miss")).isEqualTo(2);
      assertThat(counter(later, "hit") - counter(first, "hit")).isEqualTo(10);
      // a query that must scan is tried in memory first, then run on the worker pool: its hits
      // count once
      assertThat(g.post("/shares/s/schemas/n/tables/t/query", null, "{\"maxFiles\": 100}").status())
          .isEqualTo(200);
      String after = g.management("/metrics").text();
      assertThat(counter(after, "hit") - counter(later, "hit"))
          .isEqualTo(2); // latest version, snapshot
      assertThat(counter(after, "miss") - counter(later, "miss"))
          .isEqualTo(1); // the file list (no shared tier)
    }
  }
}
