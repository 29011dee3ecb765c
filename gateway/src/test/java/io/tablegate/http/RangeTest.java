package io.tablegate.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Range requests as RFC 9110 14.2 says: clamp an end past the file, ignore what is not a valid
 * single range, 416 when nothing is satisfiable.
 */
class RangeTest {
  @Test
  void parsesSingleByteRangesAndClampsTheEnd() {
    assertThat(FileHandler.parseRange("bytes=0-9", 100)).containsExactly(0, 9);
    assertThat(FileHandler.parseRange("bytes=90-", 100)).containsExactly(90, 99);
    assertThat(FileHandler.parseRange("bytes=-10", 100)).containsExactly(90, 99);
    assertThat(FileHandler.parseRange("bytes=-500", 100)).containsExactly(0, 99);
    assertThat(FileHandler.parseRange("bytes=50-500", 100)).containsExactly(50, 99);
    assertThat(FileHandler.parseRange("Bytes=0-0", 100)).containsExactly(0, 0);
  }

  @Test
  void ignoresMalformedOrMultipleRanges() {
    for (String h :
        new String[] {
          "bytes=9-3",
          "bytes=0-1,5-6",
          "items=0-1",
          "bytes=a-b",
          "bytes=",
          "bytes=-",
          "bytes=1",
          "bytes=0x10-",
          "bytes=99999999999999999999999-"
        }) {
      assertThat(FileHandler.parseRange(h, 100)).as(h).isSameAs(FileHandler.IGNORE);
    }
  }

  @Test
  void refusesWhatCannotBeSatisfied() {
    assertThat(FileHandler.parseRange("bytes=100-", 100)).isNull();
    assertThat(FileHandler.parseRange("bytes=100-200", 100)).isNull();
    assertThat(FileHandler.parseRange("bytes=-0", 100)).isNull();
  }
}
