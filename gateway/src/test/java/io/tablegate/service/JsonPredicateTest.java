package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.spi.DataFile;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonPredicateTest {
  static final Set<String> PARTITIONS = Set.of("date", "region");

  static DataFile file(Map<String, String> partitions, String stats) {
    return new DataFile("file:/t/f.parquet", "f.parquet", partitions, 1, 0, true, stats, null);
  }

  static String col(String name, String type) {
    return "{\"op\":\"column\",\"name\":\"" + name + "\",\"valueType\":\"" + type + "\"}";
  }

  static String lit(String value, String type) {
    return "{\"op\":\"literal\",\"value\":\"" + value + "\",\"valueType\":\"" + type + "\"}";
  }

  static String op(String op, String... children) {
    return "{\"op\":\"" + op + "\",\"children\":[" + String.join(",", children) + "]}";
  }

  static boolean matches(String predicate, DataFile f) {
    return JsonPredicate.parse(predicate, PARTITIONS).mightMatch(f);
  }

  static final String STATS =
      "{\"numRecords\":10,\"minValues\":{\"age\":20,\"name\":\"b\",\"ts\":\"2021-04-28T06:32:22.421Z\","
          + "\"nested\":{\"x\":5}},\"maxValues\":{\"age\":30,\"name\":\"m\",\"ts\":\"2021-04-28T08:00:00.000Z\",\"nested\":{\"x\":9}},"
          + "\"nullCount\":{\"age\":0,\"name\":2,\"ts\":0,\"nested\":{\"x\":0}}}";

  @Test
  void partitionEqualityIsExact() {
    DataFile f = file(Map.of("date", "2021-04-28", "region", "eu"), null);
    assertThat(matches(op("equal", col("date", "date"), lit("2021-04-28", "date")), f)).isTrue();
    assertThat(matches(op("equal", col("date", "date"), lit("2021-04-29", "date")), f)).isFalse();
    assertThat(matches(op("not", op("equal", col("region", "string"), lit("eu", "string"))), f))
        .isFalse();
    assertThat(matches(op("lessThan", lit("2021-04-27", "date"), col("date", "date")), f)).isTrue();
    assertThat(matches(op("greaterThan", lit("2021-04-27", "date"), col("date", "date")), f))
        .isFalse();
  }

  @Test
  void nullPartitionValues() {
    Map<String, String> nullRegion = new HashMap<>();
    nullRegion.put("region", null);
    DataFile f = file(nullRegion, null);
    assertThat(matches(op("isNull", col("region", "string")), f)).isTrue();
    assertThat(matches(op("not", op("isNull", col("region", "string"))), f)).isFalse();
    assertThat(matches(op("equal", col("region", "string"), lit("eu", "string")), f)).isFalse();
  }

  @Test
  void statsPruneOnlyWhenNoRowCanMatch() {
    DataFile f = file(Map.of(), STATS);
    assertThat(matches(op("equal", col("age", "int"), lit("25", "int")), f)).isTrue();
    assertThat(matches(op("equal", col("age", "int"), lit("31", "int")), f)).isFalse();
    assertThat(matches(op("lessThan", col("age", "int"), lit("20", "int")), f)).isFalse();
    assertThat(matches(op("lessThanOrEqual", col("age", "int"), lit("20", "int")), f)).isTrue();
    assertThat(matches(op("greaterThan", col("age", "int"), lit("30", "int")), f)).isFalse();
    assertThat(matches(op("greaterThanOrEqual", col("age", "int"), lit("30", "int")), f)).isTrue();
    assertThat(matches(op("equal", col("nested.x", "int"), lit("7", "int")), f)).isTrue();
    assertThat(matches(op("equal", col("nested.x", "int"), lit("10", "int")), f)).isFalse();
    // not(age < 40): every row has age < 40 and no nulls, so no row matches the negation
    assertThat(matches(op("not", op("lessThan", col("age", "int"), lit("40", "int"))), f))
        .isFalse();
    // name has nulls: not(name < z) may still hold for... no row (nulls never compare), but
    // three-valued logic keeps it
    assertThat(matches(op("not", op("lessThan", col("name", "string"), lit("z", "string"))), f))
        .isTrue();
    assertThat(matches(op("isNull", col("age", "int")), f)).isFalse();
    assertThat(matches(op("isNull", col("name", "string")), f)).isTrue();
  }

  @Test
  void timestampsAllowForMillisecondTruncatedMaxima() {
    DataFile f = file(Map.of(), STATS);
    assertThat(
            matches(
                op(
                    "greaterThan",
                    col("ts", "timestamp"),
                    lit("2021-04-28T08:00:00.000500Z", "timestamp")),
                f))
        .isTrue();
    assertThat(
            matches(
                op("greaterThan", col("ts", "timestamp"), lit("2021-04-28T08:00:01Z", "timestamp")),
                f))
        .isFalse();
  }

  @Test
  void missingStatsAndUnknownThingsKeepTheFile() {
    DataFile noStats = file(Map.of(), null);
    assertThat(matches(op("equal", col("age", "int"), lit("99", "int")), noStats)).isTrue();
    DataFile f = file(Map.of(), STATS);
    assertThat(matches(op("equal", col("unknown", "int"), lit("99", "int")), f)).isTrue();
    assertThat(matches(op("equal", col("age", "int"), lit("x", "int")), f)).isTrue();
    assertThat(matches(op("like", col("age", "int"), lit("1", "int")), f)).isTrue();
    assertThat(matches(op("equal", col("age", "weird"), lit("1", "weird")), f)).isTrue();
    assertThat(matches(op("and", op("equal", col("age", "int"), lit("99", "int"))), f)).isTrue();
    assertThat(JsonPredicate.parse("[1,2]", PARTITIONS)).isNull();
    assertThat(JsonPredicate.parse("{", PARTITIONS)).isNull();
    String deep = col("age", "int");
    for (int i = 0; i < 150; i++) deep = op("not", deep);
    assertThat(JsonPredicate.parse(deep, PARTITIONS)).isNull();
  }

  @Test
  void andOrCombine() {
    DataFile f = file(Map.of("date", "2021-04-28"), STATS);
    String no = op("equal", col("age", "int"), lit("99", "int"));
    String yes = op("equal", col("date", "date"), lit("2021-04-28", "date"));
    assertThat(matches(op("and", yes, no), f)).isFalse();
    assertThat(matches(op("or", yes, no), f)).isTrue();
    assertThat(matches(op("or", no, no), f)).isFalse();
  }
}
