package io.tablegate.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parses a query request body. Numbers may arrive as JSON numbers or numeric strings. */
public final class QueryRequestCodec {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private QueryRequestCodec() {}

  public static QueryRequest parse(byte[] body) {
    if (body == null
        || body.length == 0
        || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      throw SharingErrors.malformed(
          "No content to map due to end-of-input: the request body must be a JSON object, e.g. {}");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw SharingErrors.malformed("Invalid JSON in request body: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw SharingErrors.malformed("Cannot read request body");
    }
    if (root == null || !root.isObject())
      throw SharingErrors.malformed("Invalid request body: expected a JSON object");

    List<String> predicateHints = null;
    JsonNode hints = root.get("predicateHints");
    if (hints != null && !hints.isNull()) {
      if (!hints.isArray())
        throw SharingErrors.malformed(
            "Expected an array for repeated field predicateHints of QueryTableRequest");
      predicateHints = new ArrayList<>();
      for (JsonNode h : hints) predicateHints.add(h.asText());
    }
    String jsonPredicateHints = null;
    JsonNode json = root.get("jsonPredicateHints");
    if (json != null && !json.isNull())
      jsonPredicateHints = json.isTextual() ? json.asText() : json.toString();

    Integer maxFiles = null;
    Long maxFilesLong = longField(root, "maxFiles");
    if (maxFilesLong != null) {
      if (maxFilesLong > Integer.MAX_VALUE || maxFilesLong < Integer.MIN_VALUE) {
        throw SharingErrors.malformed("Not an int32 value: maxFiles=" + maxFilesLong);
      }
      if (maxFilesLong <= 0) throw SharingErrors.invalidParameter("maxFiles must be positive.");
      maxFiles = maxFilesLong.intValue();
    }
    Long limitHint = longField(root, "limitHint");
    if (limitHint != null && limitHint < 0)
      throw SharingErrors.invalidParameter("limitHint must not be negative.");
    String idempotencyKey = stringField(root, "idempotencyKey");
    if (idempotencyKey == null) idempotencyKey = stringField(root, "idempotency_key");
    return new QueryRequest(
        predicateHints,
        jsonPredicateHints,
        limitHint,
        longField(root, "version"),
        stringField(root, "timestamp"),
        longField(root, "startingVersion"),
        longField(root, "endingVersion"),
        maxFiles,
        stringField(root, "pageToken"),
        boolField(root, "includeRefreshToken"),
        stringField(root, "refreshToken"),
        boolField(root, "includeHistoricalProtocol"),
        idempotencyKey);
  }

  private static Long longField(JsonNode root, String name) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) return null;
    if (n.isIntegralNumber()) {
      if (!n.canConvertToLong())
        throw SharingErrors.malformed("Not an int64 value: " + name + "=" + n.asText());
      return n.longValue();
    }
    if (n.isTextual()) {
      try {
        return Long.parseLong(n.asText().trim());
      } catch (NumberFormatException e) {
        throw SharingErrors.malformed("Not a numeric value: " + n.asText());
      }
    }
    throw SharingErrors.malformed("Not a numeric value: " + name + "=" + n);
  }

  private static String stringField(JsonNode root, String name) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) return null;
    if (!n.isValueNode()) throw SharingErrors.malformed("Expected a string for field " + name);
    return n.asText();
  }

  private static boolean boolField(JsonNode root, String name) {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) return false;
    if (n.isBoolean()) return n.booleanValue();
    if (n.isTextual()
        && (n.asText().equalsIgnoreCase("true") || n.asText().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(n.asText().toLowerCase(java.util.Locale.ROOT));
    }
    throw SharingErrors.malformed("Expected a boolean for field " + name + ", got " + n);
  }

  /** Parses a JSON object of string values (used by tokens); never returns null. */
  static Map<String, Object> parseObject(byte[] json) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = MAPPER.readValue(json, Map.class);
    return map == null ? Map.of() : map;
  }

  static byte[] writeObject(Map<String, Object> map) {
    try {
      return MAPPER.writeValueAsBytes(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
