package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.ResponseFormat;
import io.tablegate.protocol.SharingException;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.UrlSigner;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The work of one request is bounded: predicate hints beyond the leaf and depth bounds are ignored
 * (hints are optional), one pull examines a bounded number of files however selective the hint, a
 * cancelled scan stops, and the scans open at once are capped.
 */
class BoundedWorkTest {
  static final Set<String> PARTITIONS = Set.of("p");

  /**
   * An endless table: every file has partition p=0. Counts what was read and whether it was closed.
   */
  static final class EndlessFiles implements CloseableIterator<DataFile> {
    final AtomicLong read = new AtomicLong();
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public boolean hasNext() {
      return !closed.get();
    }

    @Override
    public DataFile next() {
      long n = read.incrementAndGet();
      return new DataFile(
          "file:/t/" + n + ".parquet", n + ".parquet", Map.of("p", "0"), 1, 0, true, null, null);
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  static String eq(String value) {
    return "{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"p\",\"valueType\":\"int\"},"
        + "{\"op\":\"literal\",\"value\":\""
        + value
        + "\",\"valueType\":\"int\"}]}";
  }

  static String or(int leaves) {
    StringJoiner j = new StringJoiner(",", "{\"op\":\"or\",\"children\":[", "]}");
    for (int i = 0; i < leaves; i++) j.add(eq(Integer.toString(i + 1)));
    return j.toString();
  }

  static String nested(int depth) {
    String p = eq("1");
    for (int i = 0; i < depth; i++) p = "{\"op\":\"not\",\"children\":[" + p + "]}";
    return p;
  }

  static LineContext lines() {
    UrlSigner signer =
        location -> new UrlSigner.SignedUrl("https://x/" + location.hashCode(), Long.MAX_VALUE);
    return new LineContext(ResponseFormat.PARQUET, FileIds.PARQUET, signer);
  }

  @Test
  void hintsBeyondTheBoundsAreIgnored() {
    // Then: a 6,000-leaf or and a 40-deep tree are not evaluated at all; hints within the bounds
    // are
    assertThat(JsonPredicate.parse(or(6_000), PARTITIONS, 1_000, 32)).isNull();
    assertThat(JsonPredicate.parse(nested(40), PARTITIONS, 1_000, 32)).isNull();
    assertThat(JsonPredicate.parse(or(1_000), PARTITIONS, 1_000, 32)).isNotNull();
    assertThat(JsonPredicate.parse(nested(30), PARTITIONS, 1_000, 32)).isNotNull();
  }

  @Test
  void onePullExaminesABoundedNumberOfFilesAndACancelledScanStops() {
    // Given: a hint that matches no file of an endless table
    EndlessFiles files = new EndlessFiles();
    JsonPredicate none = JsonPredicate.parse(or(10), PARTITIONS, 1_000, 32);
    SnapshotLineSource source =
        new SnapshotLineSource(files, lines(), none, null, 0, null, null, null, null);
    // When
    byte[] first = source.next(1024);
    // Then: it came back, empty, after a bounded number of files
    assertThat(first).isEmpty();
    assertThat(files.read.get()).isEqualTo(SnapshotLineSource.EXAMINE_PER_CALL);
    // When: the client goes away
    source.cancel();
    // Then: the next pull ends the stream at once and closes the scan
    assertThat(source.next(1024)).isNull();
    assertThat(files.closed.get()).isTrue();
    assertThat(files.read.get()).isEqualTo(SnapshotLineSource.EXAMINE_PER_CALL);
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage()
        .toCompletableFuture()
        .get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void scansBeyondTheLimitWaitForASlotAndGet503WhenNoneFreesInTime() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      // Given: two slots, both taken (one by a body that streams, one by table work not yet done)
      ScanGate gate = new ScanGate(vertx, 2, 300);
      ScanGate.Slot a = await(gate.acquire());
      ScanGate.Slot b = await(gate.acquire());
      LineSource body = a.hold(() -> LineSource.EMPTY);
      assertThat(gate.open()).isEqualTo(2);
      // When: a third request comes, and the body closes (twice: idempotent)
      io.vertx.core.Future<ScanGate.Slot> third = gate.acquire();
      assertThat(third.isComplete()).isFalse();
      body.close();
      body.close();
      // Then: the third gets the freed slot
      ScanGate.Slot c = await(third);
      assertThat(gate.open()).isEqualTo(2);
      assertThat(gate.queued()).isZero();
      // When: a fourth waits and nothing frees in time
      // Then: 503
      assertThatThrownBy(() -> await(gate.acquire()))
          .hasCauseInstanceOf(SharingException.class)
          .cause()
          .satisfies(
              e ->
                  assertThat(((SharingException) e).errorCode())
                      .isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE));
      assertThat(gate.queued()).isZero();
      // and table work that ends without a body gives its slot back; a body that fails to open too
      b.releaseUnlessHeld();
      assertThat(gate.open()).isEqualTo(1);
      ScanGate.Slot d = await(gate.acquire());
      assertThatThrownBy(
              () ->
                  d.hold(
                      () -> {
                        throw new IllegalStateException("cannot read the log");
                      }))
          .isInstanceOf(IllegalStateException.class);
      d.releaseUnlessHeld();
      c.releaseUnlessHeld();
      assertThat(gate.open()).isZero();
    } finally {
      vertx.close();
    }
  }
}
