package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlPredicateHintsTest {
  static final Map<String, String> TYPES =
      Map.of("day", "date", "region", "string", "n", "integer", "ts", "timestamp");

  static String json(String... hints) {
    var n = SqlPredicateHints.toJson(List.of(hints), TYPES);
    return n == null ? null : n.toString();
  }

  @Test
  void simpleComparisonsBecomeJsonPredicates() {
    assertThat(json("region = 'EU'"))
        .isEqualTo(
            "{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"region\",\"valueType\":\"string\"},"
                + "{\"op\":\"literal\",\"value\":\"EU\",\"valueType\":\"string\"}]}");
    assertThat(json("n >= 3"))
        .contains("\"greaterThanOrEqual\"")
        .contains("\"valueType\":\"long\"");
    assertThat(json("3 < n")).contains("\"greaterThan\"");
    assertThat(json("region = 'it''s'")).contains("\"value\":\"it's\"");
    assertThat(json("day IS NULL")).startsWith("{\"op\":\"isNull\"");
    assertThat(json("region NOT IN ('a', 'b')")).startsWith("{\"op\":\"not\"").contains("\"or\"");
    assertThat(json("region = 'a'", "n = 1")).startsWith("{\"op\":\"and\"");
  }

  @Test
  void whatIsNotUnderstoodIsNull() {
    assertThat(json("ts = TIMESTAMP '2024-01-01 00:00:00'"))
        .isNull(); // timestamps are not pruned on
    assertThat(json("other = 1")).isNull();
    assertThat(json("n = 'x'")).isNull();
    assertThat(json("region = 'a' OR other = 1")).isNull();
    assertThat(json("region LIKE 'a%'")).isNull();
    assertThat(json("((((")).isNull();
    assertThat(json("region = 'unterminated")).isNull();
    assertThat(
            SqlPredicateHints.toJson(
                Collections.nCopies(SqlPredicateHints.MAX_HINTS + 1, "n = 1"), TYPES))
        .isNull();
    assertThat(json("region = '" + "x".repeat(SqlPredicateHints.MAX_HINT_CHARS) + "'")).isNull();
    assertThat(json("n IN (" + "1, ".repeat(600) + "1)")).isNull();
  }

  @Test
  void partitionTypesComeFromTheSchema() {
    String schema =
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"day\",\"type\":\"date\"},"
            + "{\"name\":\"s\",\"type\":{\"type\":\"struct\",\"fields\":[]}}]}";
    assertThat(SqlPredicateHints.partitionTypes(schema, List.of("day", "s")))
        .isEqualTo(Map.of("day", "date"));
    assertThat(SqlPredicateHints.partitionTypes("not json", List.of("day"))).isEmpty();
  }
}
