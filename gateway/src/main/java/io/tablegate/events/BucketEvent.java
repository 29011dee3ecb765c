package io.tablegate.events;

/**
 * One object event of a bucket notification, normalized across MinIO, AWS S3 and Ceph RGW.
 *
 * @param eventName without the {@code s3:} prefix, e.g. {@code ObjectCreated:Put}
 * @param key the decoded object name
 * @param sequencer the store's sequencer (or eTag) for de-duplication; may be empty
 * @param eventTime when the store says the event happened ({@code eventTime}); null when absent or
 *     unreadable
 */
public record BucketEvent(
    String eventName, String bucket, String key, String sequencer, java.time.Instant eventTime) {
  public BucketEvent(String eventName, String bucket, String key, String sequencer) {
    this(eventName, bucket, key, sequencer, null);
  }
}
