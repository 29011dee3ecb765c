package io.tablegate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InProcessMetadataCacheTest {
  @Test
  void loadsOncePerKeyUntilInvalidated() {
    InProcessMetadataCache cache = new InProcessMetadataCache(100);
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 3; i++)
      assertThat(cache.get("t1", "v@1", Duration.ofHours(1), () -> "x" + loads.incrementAndGet()))
          .isEqualTo("x1");
    cache.get("t2", "v@1", Duration.ofHours(1), () -> "other");
    cache.invalidate("t1");
    assertThat(cache.get("t1", "v@1", Duration.ofHours(1), () -> "x" + loads.incrementAndGet()))
        .isEqualTo("x2");
    assertThat(cache.get("t2", "v@1", Duration.ofHours(1), () -> "reloaded")).isEqualTo("other");
  }

  @Test
  void aZeroTtlDoesNotCache() {
    InProcessMetadataCache cache = new InProcessMetadataCache(100);
    AtomicInteger loads = new AtomicInteger();
    cache.get("t", "latest", Duration.ZERO, loads::incrementAndGet);
    cache.get("t", "latest", Duration.ZERO, loads::incrementAndGet);
    assertThat(loads.get()).isEqualTo(2);
    assertThat(cache.size()).isZero();
  }

  @Test
  void entriesExpireAfterTheirTtl() throws InterruptedException {
    InProcessMetadataCache cache = new InProcessMetadataCache(100);
    AtomicInteger loads = new AtomicInteger();
    cache.get("t", "latest", Duration.ofMillis(20), loads::incrementAndGet);
    Thread.sleep(60);
    cache.get("t", "latest", Duration.ofMillis(20), loads::incrementAndGet);
    assertThat(loads.get()).isEqualTo(2);
  }

  @Test
  void failedLoadsAreNotCachedAndKeepTheirException() {
    InProcessMetadataCache cache = new InProcessMetadataCache(100);
    assertThatThrownBy(
            () ->
                cache.get(
                    "t",
                    "k",
                    Duration.ofHours(1),
                    () -> {
                      throw new IllegalArgumentException("boom");
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("boom");
    assertThatThrownBy(
            () ->
                cache.get(
                    "t",
                    "k",
                    Duration.ofHours(1),
                    () -> {
                      throw new IOException("io");
                    }))
        .hasRootCauseInstanceOf(IOException.class);
    assertThat(cache.get("t", "k", Duration.ofHours(1), () -> "ok")).isEqualTo("ok");
  }

  @Test
  void sizeIsBounded() {
    InProcessMetadataCache cache = new InProcessMetadataCache(10);
    for (int i = 0; i < 1000; i++) {
      int v = i;
      cache.get("t", "k" + i, Duration.ofHours(1), () -> v);
    }
    assertThat(cache.size()).isLessThanOrEqualTo(10);
    assertThatThrownBy(() -> new InProcessMetadataCache(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
