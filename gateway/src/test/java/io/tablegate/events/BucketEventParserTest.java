package io.tablegate.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketEventParserTest {
  static List<BucketEvent> parse(String json) {
    return BucketEventParser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static String record(String eventName, String bucket, String key, String size) {
    return """
        {"eventVersion":"2.0","eventSource":"minio:s3","eventName":"%s","s3":{"s3SchemaVersion":"1.0",
         "bucket":{"name":"%s","arn":"arn:aws:s3:::%s"},"object":{"key":"%s","size":%s,"sequencer":"17F0A1B2C3D4E5F6"}}}
        """
        .formatted(eventName, bucket, bucket, key, size);
  }

  @Test
  void minioWebhookBody() {
    List<BucketEvent> events =
        parse(
            "{\"EventName\":\"s3:ObjectCreated:Put\",\"Key\":\"lake/t/_delta_log/00000000000000000001.json\","
                + "\"Records\":["
                + record(
                    "s3:ObjectCreated:Put",
                    "lake",
                    "t%2F_delta_log%2F00000000000000000001.json",
                    "812")
                + "]}");
    assertThat(events)
        .containsExactly(
            new BucketEvent(
                "ObjectCreated:Put",
                "lake",
                "t/_delta_log/00000000000000000001.json",
                "17F0A1B2C3D4E5F6"));
  }

  @Test
  void awsAndCephRecordsWithStringSizesAndFormEncodedKeys() {
    List<BucketEvent> events =
        parse(
            "{\"Records\":["
                + record("ObjectRemoved:Delete", "b", "my+table/_delta_log/x.json", "\"12\"")
                + ","
                + record("ObjectCreated:CompleteMultipartUpload", "b", "t/day%3D1/a.parquet", "7")
                + "]}");
    assertThat(events)
        .extracting(BucketEvent::key)
        .containsExactly("my table/_delta_log/x.json", "t/day=1/a.parquet");
    assertThat(events.get(0).eventName()).isEqualTo("ObjectRemoved:Delete");
  }

  @Test
  void minioRedisAccessFormat() {
    List<BucketEvent> events =
        parse(
            "[{\"Event\":["
                + record("s3:ObjectCreated:Put", "b", "t/_delta_log/_last_checkpoint", "1")
                + "],\"EventTime\":\"2026-11-25T00:00:00.000Z\"}]");
    assertThat(events)
        .singleElement()
        .extracting(BucketEvent::key)
        .isEqualTo("t/_delta_log/_last_checkpoint");
  }

  @Test
  void messagesWithoutRecordsAreEmpty() {
    assertThat(parse("{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"b\"}"))
        .isEmpty();
    assertThat(parse("{\"Records\":[]}")).isEmpty();
  }

  @Test
  void malformedMessagesAreRefused() {
    for (String bad :
        new String[] {
          "",
          "nope",
          "42",
          "{\"Records\":{}}",
          "{\"Records\":[{\"eventName\":\"x\"}]}",
          "[1]",
          "{\"Records\":[" + record("s3:ObjectCreated:Put", "b", "%zz", "1") + "]}"
        }) {
      assertThatThrownBy(() -> parse(bad))
          .as(bad)
          .isInstanceOf(SharingException.class)
          .extracting(e -> ((SharingException) e).errorCode())
          .isEqualTo(ErrorCode.MALFORMED_REQUEST);
    }
  }

  @Test
  void cephKeysAreTakenRawAndAwsKeysDecoded() {
    // Given: RGW sends 'tab le+x%41/ü/' as it is; AWS sends the same key form-encoded
    String ceph =
        "{\"Records\":[{\"eventVersion\":\"2.2\",\"eventSource\":\"ceph:s3\",\"eventName\":\"ObjectCreated:Put\","
            + "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"tab le+x%41/ü/_delta_log/00000000000000000001.json\",\"size\":1}}}]}";
    String aws =
        "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
            + "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"tab+le%2Bx%2541/%C3%BC/_delta_log/00000000000000000001.json\"}}}]}";
    // Then
    assertThat(parse(ceph))
        .extracting(BucketEvent::key)
        .containsExactly("tab le+x%41/ü/_delta_log/00000000000000000001.json");
    assertThat(parse(aws))
        .extracting(BucketEvent::key)
        .containsExactly("tab le+x%41/ü/_delta_log/00000000000000000001.json");
  }

  @Test
  void snsEnvelopes() {
    // Given
    String inner =
        "{\"Records\":["
            + record("ObjectCreated:Put", "b", "t/_delta_log/00000000000000000002.json", "1")
            + "]}";
    String notification =
        "{\"Type\":\"Notification\",\"MessageId\":\"m\",\"TopicArn\":\"arn:aws:sns:eu-west-1:1:t\","
            + "\"Message\":"
            + com.fasterxml.jackson.databind.node.TextNode.valueOf(inner)
            + "}";
    String confirm =
        "{\"Type\":\"SubscriptionConfirmation\",\"TopicArn\":\"arn:aws:sns:eu-west-1:1:t\",\"Token\":\"x\","
            + "\"SubscribeURL\":\"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=x\"}";
    // When
    var events = BucketEventParser.parseMessage(notification.getBytes(StandardCharsets.UTF_8));
    var subscription = BucketEventParser.parseMessage(confirm.getBytes(StandardCharsets.UTF_8));
    // Then
    assertThat(events)
        .isEqualTo(
            new BucketEventParser.Message.Events(
                List.of(
                    new BucketEvent(
                        "ObjectCreated:Put",
                        "b",
                        "t/_delta_log/00000000000000000002.json",
                        "17F0A1B2C3D4E5F6"))));
    assertThat(subscription)
        .isEqualTo(
            new BucketEventParser.Message.SubscriptionConfirmation(
                "arn:aws:sns:eu-west-1:1:t",
                "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=x"));
  }

  @Test
  void eventTimesAreReadWhenPresentAndIgnoredWhenNot() {
    assertThat(BucketEventParser.eventTime("2026-11-30T10:15:30.123Z"))
        .isEqualTo(java.time.Instant.parse("2026-11-30T10:15:30.123Z"));
    assertThat(BucketEventParser.eventTime("2026-11-30T10:15:30+01:00"))
        .isEqualTo(java.time.Instant.parse("2026-11-30T09:15:30Z"));
    assertThat(BucketEventParser.eventTime("")).isNull();
    assertThat(BucketEventParser.eventTime("yesterday")).isNull();
    assertThat(BucketEventParser.eventTime("9".repeat(100))).isNull();
  }
}
