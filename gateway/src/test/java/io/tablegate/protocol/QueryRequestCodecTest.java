package io.tablegate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QueryRequestCodecTest {
  static QueryRequest parse(String json) {
    return QueryRequestCodec.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsEveryField() {
    QueryRequest q =
        parse(
            """
        {"predicateHints": ["a = 1"], "jsonPredicateHints": "{\\"op\\":\\"isNull\\"}", "limitHint": 5, "version": "3",
         "timestamp": "2024-01-01T00:00:00Z", "startingVersion": 1, "endingVersion": "2", "maxFiles": 10, "pageToken": "p",
         "includeRefreshToken": true, "refreshToken": "r", "includeHistoricalProtocol": "True", "idempotency_key": "k"}
        """);
    assertThat(q.predicateHints()).containsExactly("a = 1");
    assertThat(q.jsonPredicateHints()).isEqualTo("{\"op\":\"isNull\"}");
    assertThat(q.limitHint()).isEqualTo(5);
    assertThat(q.version()).isEqualTo(3);
    assertThat(q.timestamp()).isEqualTo("2024-01-01T00:00:00Z");
    assertThat(q.startingVersion()).isEqualTo(1);
    assertThat(q.endingVersion()).isEqualTo(2);
    assertThat(q.maxFiles()).isEqualTo(10);
    assertThat(q.pageToken()).isEqualTo("p");
    assertThat(q.includeRefreshToken()).isTrue();
    assertThat(q.refreshToken()).isEqualTo("r");
    assertThat(q.includeHistoricalProtocol()).isTrue();
    assertThat(q.idempotencyKey()).isEqualTo("k");
  }

  @Test
  void emptyObjectIsAQueryForEverything() {
    assertThat(parse("{}")).isEqualTo(QueryRequest.empty());
    assertThat(parse("{\"unknownField\": 1}")).isEqualTo(QueryRequest.empty());
  }

  @Test
  void rejectsMalformedBodies() {
    for (String bad :
        new String[] {
          "",
          "  ",
          "[]",
          "{",
          "{\"version\": \"x3\"}",
          "{\"version\": 1.5}",
          "{\"version\": {}}",
          "{\"predicateHints\": \"x\"}",
          "{\"includeRefreshToken\": 3}",
          "{\"maxFiles\": 2147483648}"
        }) {
      assertThatThrownBy(() -> parse(bad))
          .as(bad)
          .isInstanceOf(SharingException.class)
          .extracting(e -> ((SharingException) e).errorCode())
          .isEqualTo(ErrorCode.MALFORMED_REQUEST);
    }
    assertThatThrownBy(() -> parse("{\"maxFiles\": -1}"))
        .isInstanceOf(SharingException.class)
        .extracting(e -> ((SharingException) e).errorCode())
        .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
  }

  @Test
  void pagingFingerprintIgnoresTokens() {
    assertThat(parse("{\"maxFiles\": 1, \"pageToken\": \"a\"}").pagingFingerprint())
        .isEqualTo(parse("{\"maxFiles\": 1}").pagingFingerprint())
        .isNotEqualTo(parse("{\"maxFiles\": 1, \"limitHint\": 3}").pagingFingerprint());
  }
}
