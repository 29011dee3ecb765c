package io.tablegate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The file line codec: stats travel as an escaped JSON string exactly as Jackson itself would write
 * it.
 */
class ProtocolCodecTest {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static String line(ResponseFormat format, String stats) {
    ProtocolCodec.LineWriter w = new ProtocolCodec.LineWriter(256);
    w.file(
        format,
        new FileEntry(
            FileAction.FILE,
            "https://gw/files/x?sig=1",
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

  @Test
  void statsRoundTripAndMatchJacksonsOwnEscaping() throws Exception {
    for (String stats :
        new String[] {
          "{\"numRecords\":3,\"minValues\":{\"s\":\"a\\\\b\\\"c\"}}",
          "tab\there\nnew\rline\b\f",
          "\u0001\u001f\u007f",
          "unicode é 漢字 😀 \"q\"",
          "",
          "plain"
        }) {
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
