package io.tablegate.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {
  @Test
  void missingHeaderMeansParquet() {
    Capabilities c = Capabilities.parse(null);
    assertThat(c.responseFormats()).containsExactly(ResponseFormat.PARQUET);
    assertThat(c.readerFeatures()).isEmpty();
    assertThat(c.includeEndStreamAction()).isFalse();
  }

  @Test
  void parsesKeysAndValuesCaseInsensitivelyAndKeepsPreferenceOrder() {
    Capabilities c =
        Capabilities.parse(
            "ResponseFormat=Delta,Parquet;ReaderFeatures=DeletionVectors, columnMapping;IncludeEndStreamAction=TRUE;junk");
    assertThat(c.responseFormats()).containsExactly(ResponseFormat.DELTA, ResponseFormat.PARQUET);
    assertThat(c.readerFeatures()).containsExactlyInAnyOrder("deletionvectors", "columnmapping");
    assertThat(c.hasReaderFeature("deletionVectors")).isTrue();
    assertThat(c.includeEndStreamAction()).isTrue();
  }

  @Test
  void unknownFormatIsAnError() {
    assertThatThrownBy(() -> Capabilities.parse("responseformat=csv"))
        .isInstanceOf(SharingException.class)
        .extracting(e -> ((SharingException) e).errorCode())
        .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
  }
}
