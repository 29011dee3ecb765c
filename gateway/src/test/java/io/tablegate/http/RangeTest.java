package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RangeTest {
  @Test
  void parsesSingleByteRanges() {
    assertThat(FileHandler.parseRange("bytes=0-9", 100)).containsExactly(0, 9);
    assertThat(FileHandler.parseRange("bytes=90-", 100)).containsExactly(90, 99);
    assertThat(FileHandler.parseRange("bytes=-10", 100)).containsExactly(90, 99);
    assertThat(FileHandler.parseRange("bytes=-500", 100)).containsExactly(0, 99);
    assertThat(FileHandler.parseRange("bytes=50-500", 100)).containsExactly(50, 99);
  }

  @Test
  void refusesWhatCannotBeSatisfied() {
    assertThat(FileHandler.parseRange("bytes=100-", 100)).isNull();
    assertThat(FileHandler.parseRange("bytes=9-3", 100)).isNull();
    assertThat(FileHandler.parseRange("bytes=0-1,5-6", 100)).isNull();
    assertThat(FileHandler.parseRange("items=0-1", 100)).isNull();
    assertThat(FileHandler.parseRange("bytes=a-b", 100)).isNull();
    assertThat(FileHandler.parseRange("bytes=-0", 100)).isNull();
  }
}
