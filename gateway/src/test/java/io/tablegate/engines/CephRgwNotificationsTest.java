package io.tablegate.engines;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.testing.CephRgw;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.RedisHarness;
import io.tablegate.testing.TestTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real bucket notifications from a real Ceph RGW: a topic (RGW's SNS-compatible API) pushes every
 * object event of the bucket to instance A's webhook ({@code ?token=}, as RGW cannot send headers);
 * A and B share Redis and keep the latest version for 10 minutes, so only the notification can make
 * a commit written to RGW visible on both. One table sits under a prefix with a space and non-ASCII
 * characters, which RGW sends raw (AWS and MinIO URL-encode them). The delay from the commit's PUT
 * to both instances serving it is printed next to the delay of an instance that only has a TTL.
 */
class CephRgwNotificationsTest {
  static final String TOKEN = "rgw-webhook-token-0123456789";
  static final String BUCKET = "notified";
  static final long TTL_ONLY_MS = 3_000;
  @TempDir static Path dir;
  static CephRgw rgw;
  static RedisHarness redis;
  static GatewayHarness a;
  static GatewayHarness b;
  static GatewayHarness ttlOnly;

  /** A table in the bucket, written locally by our writer and uploaded object by object. */
  record Table(String name, String prefix, Path local, DeltaTableWriter writer, long[] next) {
    String version(GatewayHarness gw) {
      GatewayHarness.Response r = gw.get("/shares/s/schemas/n/tables/" + name + "/version", null);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      return r.header("Delta-Table-Version");
    }

    /** Uploads the data file, then the commit (the event that matters); returns the new version. */
    long commit() throws Exception {
      long v = next[0]++;
      var f =
          writer.writeFile(List.<Object[]>of(new Object[] {v, "n" + v, LocalDate.of(2024, 6, 1)}));
      writer.commit(
          v, List.of(DeltaTableWriter.add(f, Instant.now().toEpochMilli(), null)), Instant.now());
      String log = String.format("_delta_log/%020d.json", v);
      rgw.client.putObject(
          r -> r.bucket(BUCKET).key(prefix + "/" + f.path()), local.resolve(f.path()));
      rgw.client.putObject(r -> r.bucket(BUCKET).key(prefix + "/" + log), local.resolve(log));
      return v;
    }
  }

  static Table plain;
  static Table rawKeys;

  @BeforeAll
  static void start() throws Exception {
    rgw = CephRgw.shared();
    redis = new RedisHarness(dir.resolve("redis"));
    rgw.client.createBucket(r -> r.bucket(BUCKET));
    plain = upload("t", "tables/t");
    rawKeys = upload("raw", "raw keys/t ü+x");
    String shares =
        """
        shares:
          - name: s
            schemas:
              - name: n
                tables:
                  - {name: t, location: "s3://%s/tables/t", historyShared: true}
                  - {name: raw, location: "s3://%s/raw keys/t ü+x", historyShared: true}
        """
            .formatted(BUCKET, BUCKET);
    String yaml =
        """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: 600000
        stores:
        %s
        redis: {uri: "%s"}
        notifications: {webhookToken: %s}
        """
                .formatted(rgw.storeYaml("ceph").stripTrailing(), redis.uri(), TOKEN)
            + shares;
    a = GatewayHarness.start(yaml, dir);
    b = GatewayHarness.start(yaml, dir);
    ttlOnly =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        latestVersionTtlMs: %d
        stores:
        %s
        """
                    .formatted(TTL_ONLY_MS, rgw.storeYaml("ceph").stripTrailing())
                + shares,
            dir);
    String webhook = a.endpoint().replace("/delta-sharing", "") + "/events?token=" + TOKEN;
    rgw.notifyTo(BUCKET, "tablegate-a", webhook, false);
  }

  static Table upload(String name, String prefix) throws Exception {
    Path local = dir.resolve(name);
    TestTables.writeHistoryTable(local);
    try (Stream<Path> files = Files.walk(local)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String key = prefix + "/" + local.relativize(f).toString().replace('\\', '/');
        rgw.client.putObject(r -> r.bucket(BUCKET).key(key), f);
      }
    }
    DeltaTableWriter writer = TestTables.historyTableWriter(local);
    return new Table(name, prefix, local, writer, new long[] {5});
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {a, b, ttlOnly, redis}) {
      if (c != null) c.close();
    }
  }

  static long metric(GatewayHarness gw, String name) {
    for (String line : gw.management("/metrics").text().split("\n")) {
      if (line.startsWith(name + " "))
        return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
    }
    throw new AssertionError("no metric " + name);
  }

  @Test
  void aCommitWrittenToRgwIsServedByBothInstancesThroughTheNotification() throws Exception {
    List<String> measured = new ArrayList<>();
    for (Table t : List.of(plain, rawKeys)) {
      // Given: both instances (and the TTL-only one) have the table's latest version cached
      String before = t.version(a);
      assertThat(t.version(b)).isEqualTo(before);
      assertThat(t.version(ttlOnly)).isEqualTo(before);
      long invalidations = metric(a, "tablegate_event_invalidations_total");
      for (int round = 0; round < 2; round++) {
        // When: a commit is written to RGW (nobody calls the webhook but RGW)
        long v = t.commit();
        long written = System.nanoTime();
        // Then: both instances serve it long before their 10 minute TTL
        assertThat(
                GatewayHarness.eventually(
                    () ->
                        t.version(a).equals(Long.toString(v))
                            && t.version(b).equals(Long.toString(v))))
            .as("%s version %d on A and B", t.name(), v)
            .isTrue();
        long notified = (System.nanoTime() - written) / 1_000_000;
        assertThat(GatewayHarness.eventually(() -> t.version(ttlOnly).equals(Long.toString(v))))
            .isTrue();
        long expired = (System.nanoTime() - written) / 1_000_000;
        measured.add(
            t.name()
                + " v"
                + v
                + ": notification "
                + notified
                + " ms, TTL "
                + TTL_ONLY_MS
                + " ms only "
                + expired
                + " ms");
      }
      assertThat(metric(a, "tablegate_event_invalidations_total"))
          .isGreaterThanOrEqualTo(invalidations + 2);
    }
    assertThat(metric(a, "tablegate_bucket_events_total")).isPositive();
    // RGW's records carry eventTime: the lag from the commit to its invalidation is measured
    assertThat(metric(a, "tablegate_invalidation_lag_seconds_count")).isPositive();
    measured.forEach(m -> System.out.println("[rgw-notification] " + m));
  }
}
