package io.tablegate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy filter language: parsing, SQL's null logic, partition binding, bounds. */
class RowFilterTest {
  static boolean test(String filter, Object... kv) {
    Map<String, Object> row = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) row.put((String) kv[i], kv[i + 1]);
    return RowFilter.parse(filter).test(row::get);
  }

  @Test
  void comparisonsInListsNullsAndBooleanLogic() {
    assertThat(test("region = 'EU'", "region", "EU")).isTrue();
    assertThat(test("region <> 'EU'", "region", "US")).isTrue();
    assertThat(test("amount >= 10.5 and amount < 20", "amount", 10.5)).isTrue();
    assertThat(test("amount > 10", "amount", new BigDecimal("9.99"))).isFalse();
    assertThat(test("id in (1, 2, 3)", "id", 2L)).isTrue();
    assertThat(test("id not in (1, 2, 3)", "id", 2L)).isFalse();
    assertThat(test("not (region = 'EU' or region = 'US')", "region", "APAC")).isTrue();
    assertThat(test("day >= '2024-01-02'", "day", java.time.LocalDate.of(2024, 1, 3))).isTrue();
    assertThat(test("ok = true", "ok", true)).isTrue();
    assertThat(test("`odd name` = 'it''s'", "odd name", "it's")).isTrue();
    // a comparison with null is never true, nor is its negation
    assertThat(test("region = 'EU'", "region", null)).isFalse();
    assertThat(test("not region = 'EU'", "region", null)).isFalse();
    assertThat(test("region is null", "region", null)).isTrue();
    assertThat(test("region is not null or id = 1", "id", 1L)).isTrue();
  }

  @Test
  void partitionValuesBindToConstants() {
    RowFilter f = RowFilter.parse("region = 'EU' and amount > 1");
    assertThat(f.bind(Map.of("region", "US"))).isEqualTo(RowFilter.FALSE);
    assertThat(f.bind(Map.of("region", "EU")).canonical()).isEqualTo("`amount` > 1");
    assertThat(RowFilter.parse("region = 'EU' or id = 1").bind(Map.of("region", "EU")))
        .isEqualTo(RowFilter.TRUE);
    Map<String, String> nullRegion = new HashMap<>();
    nullRegion.put("region", null);
    assertThat(RowFilter.parse("region = 'EU'").bind(nullRegion)).isEqualTo(RowFilter.FALSE);
    assertThat(RowFilter.parse("region is null").bind(nullRegion)).isEqualTo(RowFilter.TRUE);
    assertThat(RowFilter.parse("year > 2020").bind(Map.of("year", "2024")))
        .isEqualTo(RowFilter.TRUE);
  }

  @Test
  void badFiltersAreRefusedWithAReason() {
    for (String bad :
        new String[] {
          "",
          "region =",
          "region = 'EU",
          "= 'EU'",
          "region == 'EU'",
          "(a = 1",
          "a in 1",
          "a = 1 b = 2",
          "and = 1",
          "a is 1"
        }) {
      assertThatThrownBy(() -> RowFilter.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> RowFilter.parse("(".repeat(100) + "a = 1" + ")".repeat(100)))
        .hasMessageContaining("deeper");
    assertThatThrownBy(() -> RowFilter.parse("a = '" + "x".repeat(5000) + "'"))
        .hasMessageContaining("longer");
  }
}
