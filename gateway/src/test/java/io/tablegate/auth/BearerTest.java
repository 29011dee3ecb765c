package io.tablegate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.config.ConfigLoader;
import org.junit.jupiter.api.Test;

class BearerTest {
  @Test
  void readsTheCredentialOfABearerHeaderOnly() {
    assertThat(Bearer.credential("Bearer abc")).isEqualTo("abc");
    assertThat(Bearer.credential("bearer   abc  ")).isEqualTo("abc");
    assertThat(Bearer.credential("  BEARER abc")).isEqualTo("abc");
    assertThat(Bearer.credential(null)).isNull();
    assertThat(Bearer.credential("")).isNull();
    assertThat(Bearer.credential("Bearer")).isNull();
    assertThat(Bearer.credential("Bearer    ")).isNull();
    assertThat(Bearer.credential("Basic YWxhZGRpbjpvcGVuc2VzYW1l")).isNull();
    assertThat(Bearer.credential("Bearerabc")).isNull();
  }

  @Test
  void tellsAnotherSchemeFromAMissingCredential() {
    assertThat(Bearer.otherScheme("Basic x")).isTrue();
    assertThat(Bearer.otherScheme("Bearerabc")).isTrue();
    assertThat(Bearer.otherScheme("Bearer")).isFalse();
    assertThat(Bearer.otherScheme("Bearer x")).isFalse();
    assertThat(Bearer.otherScheme(null)).isFalse();
    assertThat(Bearer.otherScheme(" ")).isFalse();
  }

  @Test
  void matchesByHash() {
    byte[] hash = ConfigLoader.sha256("s3cret");
    assertThat(Bearer.matches("s3cret", hash)).isTrue();
    assertThat(Bearer.matches("s3cret ", hash)).isFalse();
    assertThat(Bearer.matches(null, hash)).isFalse();
  }
}
