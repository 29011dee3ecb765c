package io.tablegate.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tablegate.protocol.SharingErrors;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads bucket notifications: MinIO webhook bodies {@code {"EventName","Key","Records"}}, plain
 * S3/Ceph {@code {"Records":[..]}}, MinIO's Redis access-format entries {@code
 * [{"Event":[..],"EventTime":..}]}, and the same records inside an Amazon SNS envelope ({@code
 * {"Type":"Notification","Message":"<records JSON>"}}). A message without records (S3's test event)
 * is empty, not an error; a body that is not JSON or whose records lack bucket or key is
 * MALFORMED_REQUEST.
 *
 * <p>Object keys: AWS and MinIO URL-encode them (space as {@code +}); Ceph RGW ({@code eventSource}
 * {@code ceph:s3}) sends them raw, so they are taken as they are.
 */
public final class BucketEventParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BucketEventParser() {}

  /** What the webhook received: object events, or an SNS subscription to confirm. */
  public sealed interface Message {
    record Events(List<BucketEvent> events) implements Message {}

    /** SNS asks the endpoint to confirm a subscription by fetching {@code subscribeUrl}. */
    record SubscriptionConfirmation(String topicArn, String subscribeUrl) implements Message {}

    /** An SNS message that needs nothing (an unsubscribe confirmation). */
    record Ignored(String type) implements Message {}
  }

  /** Reads a webhook body: plain records, or an SNS envelope around them. */
  public static Message parseMessage(byte[] body) {
    JsonNode root = tree(body);
    if (root.isObject() && root.path("Type").isTextual() && root.has("TopicArn")) {
      String type = root.path("Type").asText();
      switch (type) {
        case "Notification" -> {
          String message = root.path("Message").asText(null);
          if (message == null)
            throw SharingErrors.malformed("Invalid SNS notification: no Message");
          return new Message.Events(parse(message.getBytes(StandardCharsets.UTF_8)));
        }
        case "SubscriptionConfirmation" -> {
          String url = root.path("SubscribeURL").asText(null);
          if (url == null)
            throw SharingErrors.malformed("Invalid SNS subscription confirmation: no SubscribeURL");
          return new Message.SubscriptionConfirmation(root.path("TopicArn").asText(), url);
        }
        default -> {
          return new Message.Ignored(type.length() > 64 ? type.substring(0, 64) : type);
        }
      }
    }
    return new Message.Events(events(root));
  }

  public static List<BucketEvent> parse(byte[] body) {
    return events(tree(body));
  }

  private static JsonNode tree(byte[] body) {
    JsonNode root;
    try {
      root = body == null || body.length == 0 ? null : MAPPER.readTree(body);
    } catch (IOException e) {
      throw SharingErrors.malformed("Invalid bucket notification: not JSON");
    }
    if (root == null) throw SharingErrors.malformed("Invalid bucket notification: empty body");
    return root;
  }

  private static List<BucketEvent> events(JsonNode root) {
    List<BucketEvent> out = new ArrayList<>();
    if (root.isArray()) {
      for (JsonNode entry : root) {
        if (!entry.isObject())
          throw SharingErrors.malformed(
              "Invalid bucket notification: expected objects in the array");
        records(entry.path("Event"), out);
      }
    } else if (root.isObject()) {
      records(root.path("Records"), out);
    } else {
      throw SharingErrors.malformed("Invalid bucket notification: expected a JSON object or array");
    }
    return out;
  }

  /**
   * The record's {@code eventTime} (ISO-8601, as AWS, MinIO and RGW send it); null if absent or not
   * a time.
   */
  static java.time.Instant eventTime(String text) {
    if (text.isEmpty() || text.length() > 64) return null;
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static void records(JsonNode records, List<BucketEvent> out) {
    if (records.isMissingNode() || records.isNull()) return;
    if (!records.isArray())
      throw SharingErrors.malformed("Invalid bucket notification: Records must be an array");
    for (JsonNode r : records) {
      String name = r.path("eventName").asText("");
      if (name.startsWith("s3:")) name = name.substring(3);
      JsonNode s3 = r.path("s3");
      String bucket = s3.path("bucket").path("name").asText(null);
      String rawKey = s3.path("object").path("key").asText(null);
      if (bucket == null || bucket.isEmpty() || rawKey == null || rawKey.isEmpty()) {
        throw SharingErrors.malformed(
            "Invalid bucket notification: a record has no s3.bucket.name or s3.object.key");
      }
      String key;
      if (r.path("eventSource").asText("").startsWith("ceph:")) {
        key = rawKey; // Ceph RGW sends keys as they are
      } else {
        try {
          key =
              URLDecoder.decode(
                  rawKey, StandardCharsets.UTF_8); // AWS and MinIO form-encode keys (space as '+')
        } catch (IllegalArgumentException e) {
          throw SharingErrors.malformed(
              "Invalid bucket notification: an object key is not URL-encoded");
        }
      }
      JsonNode object = s3.path("object");
      String sequencer = object.path("sequencer").asText(object.path("eTag").asText(""));
      out.add(
          new BucketEvent(name, bucket, key, sequencer, eventTime(r.path("eventTime").asText(""))));
    }
  }
}
