package io.tablegate.loadtest;

import java.time.Instant;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The writer side of the invalidation storm: appends commits to a Delta table in S3 (one small add
 * action each) and remembers when each version became committed, so readers can check that no
 * response is older than the staleness bound allows.
 */
final class Storm implements AutoCloseable {
  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final AtomicLong next;
  private final ConcurrentSkipListMap<Long, Long> committedAt = new ConcurrentSkipListMap<>();

  /**
   * @param firstNewVersion the version the next commit gets (the table's latest + 1)
   */
  Storm(
      String endpoint,
      String accessKey,
      String secretKey,
      String bucket,
      String prefix,
      long firstNewVersion) {
    this.s3 = Generate.s3Client(endpoint, accessKey, secretKey, "us-east-1");
    this.bucket = bucket;
    this.prefix = prefix.replaceAll("/+$", "");
    this.next = new AtomicLong(firstNewVersion);
    committedAt.put(firstNewVersion - 1, 0L);
  }

  /**
   * Writes the next commit; returns the object key of its log file (for the bucket notification).
   */
  synchronized String commit() {
    long v = next.getAndIncrement();
    long now = System.currentTimeMillis();
    String add =
        "{\"commitInfo\":{\"timestamp\":"
            + now
            + ",\"operation\":\"WRITE\"}}\n"
            + "{\"add\":{\"path\":\"part=p0/storm-"
            + v
            + ".parquet\",\"partitionValues\":{\"part\":\"p0\"},\"size\":4096,"
            + "\"modificationTime\":"
            + now
            + ",\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":10}\"}}\n";
    String key = prefix + "/_delta_log/" + String.format("%020d.json", v);
    s3.putObject(
        r -> r.bucket(bucket).key(key),
        RequestBody.fromBytes(add.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    committedAt.put(v, System.currentTimeMillis());
    return key;
  }

  /**
   * The lowest version a response may show now: the newest one committed at least {@code boundMs}
   * ago.
   */
  long floor(long boundMs) {
    long cutoff = System.currentTimeMillis() - boundMs;
    long floor = committedAt.firstKey();
    for (var e : committedAt.entrySet()) if (e.getValue() <= cutoff) floor = e.getKey();
    return floor;
  }

  private final java.util.concurrent.atomic.AtomicLong acknowledged =
      new java.util.concurrent.atomic.AtomicLong(-1);

  /**
   * The gateway answered 200 to the notification of the commit whose log key this is: it has
   * invalidated it.
   */
  void acknowledge(String key) {
    String name = key.substring(key.lastIndexOf('/') + 1, key.lastIndexOf('.'));
    acknowledged.accumulateAndGet(Long.parseLong(name), Math::max);
  }

  /**
   * The lowest version a response may show now without any clock: the newest commit whose
   * notification the gateway acknowledged before the request started (causality, not timing: holds
   * on a busy machine).
   */
  long acknowledgedFloor() {
    long a = acknowledged.get();
    return a < 0 ? committedAt.firstKey() : a;
  }

  long committed() {
    return next.get() - 1;
  }

  /** A MinIO bucket notification (webhook target) for an object created. */
  String event(String key) {
    return """
        {"EventName":"s3:ObjectCreated:Put","Key":"%s/%s","Records":[{"eventVersion":"2.0","eventSource":"minio:s3",
         "eventTime":"%s","eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"%s"},
         "object":{"key":"%s","size":300,"sequencer":"%s"}}}]}
        """
        .formatted(
            bucket,
            key,
            Instant.now(),
            bucket,
            key.replace("/", "%2F"),
            Long.toHexString(System.nanoTime()));
  }

  @Override
  public void close() {
    s3.close();
  }
}
