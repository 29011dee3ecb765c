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
 * S3/Ceph {@code {"Records":[..]}}, and MinIO's Redis access-format entries
 * {@code [{"Event":[..],"EventTime":..}]}. A message without records (S3's test event) is empty,
 * not an error; a body that is not JSON or whose records lack bucket or key is MALFORMED_REQUEST.
 */
public final class BucketEventParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BucketEventParser() {}

  public static List<BucketEvent> parse(byte[] body) {
    JsonNode root;
    try {
      root = body == null || body.length == 0 ? null : MAPPER.readTree(body);
    } catch (IOException e) {
      throw SharingErrors.malformed("Invalid bucket notification: not JSON");
    }
    if (root == null) throw SharingErrors.malformed("Invalid bucket notification: empty body");
    List<BucketEvent> out = new ArrayList<>();
    if (root.isArray()) {
      for (JsonNode entry : root) {
        if (!entry.isObject()) throw SharingErrors.malformed("Invalid bucket notification: expected objects in the array");
        records(entry.path("Event"), out);
      }
    } else if (root.isObject()) {
      records(root.path("Records"), out);
    } else {
      throw SharingErrors.malformed("Invalid bucket notification: expected a JSON object or array");
    }
    return out;
  }

  private static void records(JsonNode records, List<BucketEvent> out) {
    if (records.isMissingNode() || records.isNull()) return;
    if (!records.isArray()) throw SharingErrors.malformed("Invalid bucket notification: Records must be an array");
    for (JsonNode r : records) {
      String name = r.path("eventName").asText("");
      if (name.startsWith("s3:")) name = name.substring(3);
      JsonNode s3 = r.path("s3");
      String bucket = s3.path("bucket").path("name").asText(null);
      String rawKey = s3.path("object").path("key").asText(null);
      if (bucket == null || bucket.isEmpty() || rawKey == null || rawKey.isEmpty()) {
        throw SharingErrors.malformed("Invalid bucket notification: a record has no s3.bucket.name or s3.object.key");
      }
      String key;
      try {
        key = URLDecoder.decode(rawKey, StandardCharsets.UTF_8); // keys are form-encoded (space as '+')
      } catch (IllegalArgumentException e) {
        throw SharingErrors.malformed("Invalid bucket notification: object key is not URL-encoded: " + rawKey);
      }
      JsonNode object = s3.path("object");
      String sequencer = object.path("sequencer").asText(object.path("eTag").asText(""));
      out.add(new BucketEvent(name, bucket, key, sequencer));
    }
  }
}
