package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.protocol.FileAction;
import io.tablegate.protocol.ProtocolCodec;
import io.tablegate.protocol.ResponseFormat;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.UrlSigner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A chunk of file lines encoded in two halves at once: the same bytes and earliest expiry as one
 * thread writing them in order; a half no helper started is done by the caller; failures reach the
 * caller.
 */
class LineEncodersTest {
  @Test
  void aHelperDoesTheSecondHalfAndTheResultsKeepTheirOrder() {
    AtomicReference<String> helperThread = new AtomicReference<>();
    java.util.concurrent.CountDownLatch helperStarted = new java.util.concurrent.CountDownLatch(1);
    LineEncoders.Pair<String> r =
        LineEncoders.both(
            task -> new Thread(task, "test-helper").start(),
            () -> {
              // the first half takes long enough for the helper to start (else it is done here)
              try {
                helperStarted.await(60, java.util.concurrent.TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return "first";
            },
            () -> {
              helperThread.set(Thread.currentThread().getName());
              helperStarted.countDown();
              return "second";
            });
    assertThat(r.first()).isEqualTo("first");
    assertThat(r.second()).isEqualTo("second");
    assertThat(helperThread.get()).isEqualTo("test-helper");
  }

  @Test
  void aHalfThatNoHelperStartedOrTookIsDoneHere() {
    String here = Thread.currentThread().getName();
    // a helper pool that queues the task and never runs it, and one that refuses it
    for (java.util.concurrent.Executor helpers :
        List.<java.util.concurrent.Executor>of(
            task -> {},
            task -> {
              throw new RejectedExecutionException("full");
            })) {
      AtomicReference<String> ran = new AtomicReference<>();
      LineEncoders.Pair<Integer> r =
          LineEncoders.both(
              helpers,
              () -> 1,
              () -> {
                ran.set(Thread.currentThread().getName());
                return 2;
              });
      assertThat(r.first()).isEqualTo(1);
      assertThat(r.second()).isEqualTo(2);
      assertThat(ran.get()).isEqualTo(here);
    }
  }

  @Test
  void aFailureOfEitherHalfReachesTheCaller() {
    java.util.concurrent.Executor thread = task -> new Thread(task).start();
    assertThatThrownBy(
            () ->
                LineEncoders.both(
                    thread,
                    () -> "ok",
                    () -> {
                      throw new IllegalArgumentException("second half");
                    }))
        .hasMessage("second half");
    assertThatThrownBy(
            () ->
                LineEncoders.both(
                    thread,
                    () -> {
                      throw new IllegalArgumentException("first half");
                    },
                    () -> "ok"))
        .hasMessage("first half");
  }

  @Test
  void aLargeChunkEncodesToTheSameLinesAsOneThreadWritingThemInOrder() {
    // URLs expire at different times: the earliest of each half must reach the context
    UrlSigner signer =
        location ->
            new UrlSigner.SignedUrl(
                "https://gw/files/" + location + "?sp=r", 1_000_000L + location.hashCode() % 997);
    List<DataFile> files = new ArrayList<>();
    for (int i = 0; i < 1_001; i++) {
      files.add(
          new DataFile(
              "part-" + i + ".parquet",
              "part-" + i + ".parquet",
              Map.of("p", "v" + (i % 7)),
              1_000 + i,
              5,
              true,
              "{\"numRecords\":" + i + "}",
              null));
    }
    for (ResponseFormat format : ResponseFormat.values()) {
      LineContext shared = new LineContext(format, FileIds.PARQUET, signer);
      LineContext single = new LineContext(format, FileIds.PARQUET, signer);
      byte[] halves = shared.encode(FileAction.FILE, files, 3L, null);
      ProtocolCodec.LineWriter out = new ProtocolCodec.LineWriter(1024);
      for (DataFile f : files) single.append(out, FileAction.FILE, f, 3L, null);
      assertThat(new String(halves, java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(new String(out.toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
      assertThat(shared.minExpirationOrNull()).isEqualTo(single.minExpirationOrNull());
      assertThat(shared.appended()).isEqualTo(single.appended()).isEqualTo(1_001);
    }
  }
}
