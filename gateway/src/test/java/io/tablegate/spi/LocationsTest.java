package io.tablegate.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocationsTest {
  @Test
  void oneLocalPathHasOneSpelling() {
    for (String spelling :
        new String[] {
          "file:/data/t/a b/x.parquet",
          "file:///data/t/a b/x.parquet",
          "file://localhost/data/t/a%20b/x.parquet",
          "/data/t/a b/x.parquet",
          "file:/data/t/./a%20b/x.parquet",
          "file:///data/t/a%20b/x.parquet"
        }) {
      assertThat(Locations.comparable(spelling))
          .as(spelling)
          .isEqualTo("file:/data/t/a b/x.parquet");
    }
    assertThat(Locations.readable("file:///data/t/a b/x.parquet"))
        .isEqualTo("file:/data/t/a%20b/x.parquet");
  }

  @Test
  void objectStoreSchemesAreOne() {
    assertThat(Locations.comparable("s3a://b/t/x.parquet")).isEqualTo("s3://b/t/x.parquet");
    assertThat(Locations.comparable("s3n://b/t/x.parquet")).isEqualTo("s3://b/t/x.parquet");
    assertThat(Locations.comparable("s3://b/t/x+y%41.parquet"))
        .isEqualTo("s3://b/t/x+y%41.parquet");
  }

  @Test
  void relativeOnlyStrictlyInsideTheRoot() {
    assertThat(Locations.relativeTo("file:/data/t/", "file:/data/t/d/x.parquet"))
        .isEqualTo("d/x.parquet");
    assertThat(Locations.relativeTo("file:/data/t", "file:/data/t2/x.parquet")).isNull();
    assertThat(
            Locations.relativeTo("file:/data/t/", Locations.comparable("file:/data/t/../secret")))
        .isNull();
    assertThat(Locations.relativeTo("s3://b/t/", "s3://b/t/../x")).isNull();
    assertThat(Locations.relativeTo("s3://b/t/", "s3://b/t/")).isNull();
    assertThat(Locations.relativeTo("s3://b/t/", "s3://other/t/x")).isNull();
  }
}
