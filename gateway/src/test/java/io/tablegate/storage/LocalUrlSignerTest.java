package io.tablegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LocalUrlSignerTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  static String[] parts(String url) {
    String path = url.substring(url.indexOf("/files/") + 7, url.indexOf('?'));
    String expires = url.replaceAll(".*expires=(\\d+).*", "$1");
    String signature = url.replaceAll(".*signature=([A-Za-z0-9_-]+).*", "$1");
    return new String[] {path, expires, signature};
  }

  @Test
  void aSignedUrlVerifiesUntilItExpires() {
    LocalUrlSigner signer = new LocalUrlSigner(KEY, () -> "http://gw/delta-sharing", 900, CLOCK);
    var signed = signer.sign("file:/data/t/part-0.parquet");
    assertThat(signed.expirationTimestamp()).isEqualTo(CLOCK.millis() + 900_000);
    assertThat(signed.url()).startsWith("http://gw/delta-sharing/files/");
    String[] p = parts(signed.url());
    assertThat(signer.verify(p[0], p[1], p[2])).isEqualTo(new LocalUrlSigner.Verdict.Valid("file:/data/t/part-0.parquet"));
    LocalUrlSigner later = new LocalUrlSigner(KEY, () -> "http://gw", 900, Clock.offset(CLOCK, java.time.Duration.ofSeconds(900)));
    assertThat(later.verify(p[0], p[1], p[2])).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
  }

  @Test
  void anotherKeyOrAnEditedPartIsRefused() {
    LocalUrlSigner signer = new LocalUrlSigner(KEY, () -> "http://gw", 900, CLOCK);
    String[] p = parts(signer.sign("file:/data/t/a.parquet").url());
    String[] other = parts(signer.sign("file:/data/t/b.parquet").url());
    LocalUrlSigner otherKey = new LocalUrlSigner("another-key-0123456789abcdef01234".getBytes(StandardCharsets.UTF_8), () -> "x", 900, CLOCK);
    assertThat(otherKey.verify(p[0], p[1], p[2])).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    assertThat(signer.verify(other[0], p[1], p[2])).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    assertThat(signer.verify(p[0], Long.toString(Long.parseLong(p[1]) + 1), p[2])).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    assertThat(signer.verify(p[0], "abc", p[2])).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    assertThat(signer.verify("!!", p[1], p[2])).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
    assertThat(signer.verify(p[0], p[1], null)).isInstanceOf(LocalUrlSigner.Verdict.Refused.class);
  }
}
