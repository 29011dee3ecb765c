package io.tablegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tablegate.crypto.Sealer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalUrlSignerTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final byte[] OTHER = "another-key-0123456789abcdef01234".getBytes(StandardCharsets.UTF_8);
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  static String sealed(String url) {
    String tail = url.substring(url.indexOf("/files/") + 7);
    return tail.substring(0, tail.indexOf('?'));
  }

  @Test
  void aSignedUrlVerifiesUntilItExpiresAndNamesItsRecipient() {
    // Given
    LocalUrlSigner signer =
        new LocalUrlSigner(new Sealer(KEY, List.of()), () -> "http://gw/delta-sharing", 900, CLOCK);
    // When
    var signed = signer.forRecipient("alice").sign("file:/data/t/part-0.parquet");
    // Then
    assertThat(signed.expirationTimestamp()).isEqualTo(CLOCK.millis() + 900_000);
    // the sealed path, then only the mark that makes Delta Kernel fetch the URL over HTTP
    assertThat(signed.url())
        .startsWith("http://gw/delta-sharing/files/")
        .endsWith(LocalUrlSigner.PRESIGNED_MARK);
    assertThat(signed.url().indexOf('?'))
        .isEqualTo(signed.url().length() - LocalUrlSigner.PRESIGNED_MARK.length());
    assertThat(signer.verify(sealed(signed.url())))
        .isEqualTo(
            new LocalUrlSigner.Verdict.Valid(
                "file:/data/t/part-0.parquet", "alice", java.util.List.of()));
    LocalUrlSigner later =
        new LocalUrlSigner(
            new Sealer(KEY, List.of()),
            () -> "http://gw",
            900,
            Clock.offset(CLOCK, java.time.Duration.ofSeconds(900)));
    assertThat(later.verify(sealed(signed.url())))
        .isEqualTo(new LocalUrlSigner.Verdict.Refused("the URL has expired"));
  }

  @Test
  void theUrlDisclosesNoLocation() {
    // Given
    LocalUrlSigner signer =
        new LocalUrlSigner(new Sealer(KEY, List.of()), () -> "http://gw", 900, CLOCK);
    // When
    String url =
        signer.forRecipient("alice").sign("s3://secret-bucket/warehouse/t/part-0.parquet").url();
    // Then
    byte[] raw = Base64.getUrlDecoder().decode(sealed(url));
    assertThat(new String(raw, StandardCharsets.ISO_8859_1))
        .doesNotContain("secret-bucket")
        .doesNotContain("s3:");
    assertThat(url)
        .doesNotContain(
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("s3://secret".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anotherKeyOrAnyEditedByteIsRefused() {
    // Given
    LocalUrlSigner signer =
        new LocalUrlSigner(new Sealer(KEY, List.of()), () -> "http://gw", 900, CLOCK);
    String token = sealed(signer.forRecipient("alice").sign("file:/data/t/a.parquet").url());
    LocalUrlSigner otherKey =
        new LocalUrlSigner(new Sealer(OTHER, List.of()), () -> "x", 900, CLOCK);
    // Then
    assertThat(otherKey.verify(token)).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    byte[] raw = Base64.getUrlDecoder().decode(token);
    for (int i = 0; i < raw.length; i++) {
      byte[] flipped = raw.clone();
      flipped[i] ^= 0x01;
      assertThat(signer.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(flipped)))
          .as("byte " + i)
          .isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    }
    assertThat(signer.verify("!!")).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    assertThat(signer.verify("")).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    assertThat(signer.verify(null)).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    assertThat(signer.verify(token.substring(0, token.length() - 3)))
        .isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
  }

  @Test
  void aRotatedKeyStillOpensItsUrlsAndAnotherInstanceWithTheSharedKeyOpensThem() {
    // Given: instance A signs with the old key
    LocalUrlSigner a =
        new LocalUrlSigner(new Sealer(OTHER, List.of()), () -> "http://a", 900, CLOCK);
    String token = sealed(a.forRecipient("bob").sign("file:/t/x.parquet").url());
    // When: instance B has rotated to a new key, keeping the old one as previous
    LocalUrlSigner b =
        new LocalUrlSigner(new Sealer(KEY, List.of(OTHER)), () -> "http://b", 900, CLOCK);
    // Then
    assertThat(b.verify(token))
        .isEqualTo(
            new LocalUrlSigner.Verdict.Valid("file:/t/x.parquet", "bob", java.util.List.of()));
    String fresh = sealed(b.forRecipient("bob").sign("file:/t/x.parquet").url());
    assertThat(a.verify(fresh)).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
  }

  @Test
  void theHandWrittenPayloadIsJsonTheTokenParserReadsBack() {
    for (String location :
        java.util.List.of(
            "s3://b/t/part-0.parquet",
            "file:/data/a \"quoted\" \\back\\slash/x.parquet",
            "s3://b/t/ctl\u0001\n\t\u001f/é漢字/x.parquet")) {
      var t =
          io.tablegate.protocol.Tokens.parse(
              LocalUrlSigner.payload(location, 1_700_000_000_000L, "rec\"ipient"));
      org.assertj.core.api.Assertions.assertThat(t.get("l")).isEqualTo(location);
      org.assertj.core.api.Assertions.assertThat(((Number) t.get("x")).longValue())
          .isEqualTo(1_700_000_000_000L);
      org.assertj.core.api.Assertions.assertThat(t.get("w")).isEqualTo("rec\"ipient");
    }
  }
}
