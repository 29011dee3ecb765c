package io.tablegate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The file line codec: stats and file URLs travel as escaped JSON strings exactly as Jackson itself
 * would write them.
 */
class ProtocolCodecTest {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static String line(ResponseFormat format, String stats) {
    return line(format, stats, "https://gw/files/x?sig=1");
  }

  static String line(ResponseFormat format, String stats, String url) {
    ProtocolCodec.LineWriter w = new ProtocolCodec.LineWriter(256);
    w.file(
        format,
        new FileEntry(
            FileAction.FILE,
            url,
            "id1",
            Map.of("p", "a\"b"),
            10,
            stats,
            5,
            true,
            null,
            null,
            null,
            99));
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  static final String[] STRINGS = {
    "{\"numRecords\":3,\"minValues\":{\"s\":\"a\\\\b\\\"c\"}}",
    "tab\there\nnew\rline\b\f",
    "\u0001\u001f\u007f",
    "unicode é 漢字 😀 \"q\"",
    "",
    "plain",
    "https://gw.example/delta-sharing/files/AQID-_x?sp=r&X-Amz-Signature=ab%2Fcd",
    // long values (the fast path's length) that need escaping: a backslash, a control character,
    // non-ASCII
    "https://gw.example/delta-sharing/files/AQID-_x?sp=r&p=a\\b&X-Amz-Signature=ab%2Fcd",
    "https://gw.example/delta-sharing/files/AQID-_x?sp=r&p=a\tb&X-Amz-Signature=ab%2Fcd",
    "https://gw.example/delta-sharing/files/AQID-_x?sp=r&p=é漢&X-Amz-Signature=ab%2Fcd"
  };

  @Test
  void urlsRoundTripAndMatchJacksonsOwnEscaping() throws Exception {
    for (String url : STRINGS) {
      for (ResponseFormat format : ResponseFormat.values()) {
        String out = line(format, "{}", url);
        JsonNode n = MAPPER.readTree(out);
        JsonNode file =
            format == ResponseFormat.PARQUET
                ? n.get("file")
                : n.get("file").get("deltaSingleAction").get("add");
        String field = format == ResponseFormat.PARQUET ? "url" : "path";
        assertThat(file.get(field).asText()).isEqualTo(url);
        if (url.chars().allMatch(c -> c < 0x80))
          assertThat(out).contains("\"" + field + "\":" + MAPPER.writeValueAsString(url));
      }
    }
  }

  @Test
  void statsRoundTripAndMatchJacksonsOwnEscaping() throws Exception {
    for (String stats : STRINGS) {
      for (ResponseFormat format : ResponseFormat.values()) {
        String out = line(format, stats);
        JsonNode n = MAPPER.readTree(out);
        JsonNode file =
            format == ResponseFormat.PARQUET
                ? n.get("file")
                : n.get("file").get("deltaSingleAction").get("add");
        assertThat(file.get("stats").asText()).isEqualTo(stats);
        if (stats.chars().allMatch(c -> c < 0x80)) {
          // the fast path: byte for byte what Jackson writes (non-ASCII goes through Jackson
          // itself)
          assertThat(out).contains("\"stats\":" + MAPPER.writeValueAsString(stats));
        }
      }
    }
  }
}
