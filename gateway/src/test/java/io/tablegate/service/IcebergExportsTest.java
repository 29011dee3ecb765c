package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingException;
import io.tablegate.protocol.TableMetadata;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.IcebergExport;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import io.tablegate.testing.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg metadata generation for Delta tables: at most {@link
 * IcebergExports#MAX_CONCURRENT_GENERATIONS} at once (each holds a table-io worker while it lists a
 * version's files); a load that finds no turn in time is told to retry; one version is generated
 * once.
 */
class IcebergExportsTest {
  @TempDir Path dir;

  /** An exporter that holds every generation until released, counting how many run at once. */
  static final class HeldExporter implements IcebergExport {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public TableFormat.IcebergMetadata export(
        TableSnapshot snapshot,
        CloseableIterator<io.tablegate.spi.DataFile> files,
        String metadataDirectory,
        String tableUuid,
        Sink sink,
        Path work) {
      calls.incrementAndGet();
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        release.await(60, TimeUnit.SECONDS);
        Path local = Files.writeString(work.resolve("m-" + tableUuid), "{}");
        sink.put(metadataDirectory + "/" + METADATA_FILE, local);
        return new TableFormat.IcebergMetadata(metadataDirectory + "/" + METADATA_FILE, "{}");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        running.decrementAndGet();
      }
    }
  }

  static TableSnapshot snapshot(Path table, long version) {
    return new TableSnapshot(
        table.toUri().toString(),
        version,
        0,
        new DeltaProtocol(1, 2, null, null),
        new TableMetadata(
            "id",
            null,
            null,
            "parquet",
            Map.of(),
            "{\"type\":\"struct\",\"fields\":[]}",
            null,
            null,
            null),
        null,
        null);
  }

  @Test
  void atMostTwoGenerationsRunAtOnceAndALoadWithoutATurnIsToldToRetry() throws Exception {
    HeldExporter exporter = new HeldExporter();
    IcebergExports exports = new IcebergExports(exporter, dir.resolve("local"), null, null, 500);
    // Given: two tables' generations running (held)
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    List<CompletableFuture<TableFormat.IcebergMetadata>> running = new ArrayList<>();
    for (String t : List.of("a", "b"))
      running.add(
          CompletableFuture.supplyAsync(
              () -> exports.metadata(snapshot(dir.resolve(t), 1), false, CloseableIterator::empty),
              threads));
    assertThat(GatewayHarness.eventually(() -> exporter.running.get() == 2)).isTrue();
    // When: a third table's load finds no turn within its wait
    assertThatThrownBy(
            () -> exports.metadata(snapshot(dir.resolve("c"), 1), false, CloseableIterator::empty))
        .isInstanceOfSatisfying(
            SharingException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE));
    // Then: the two finish once released, never more than two ran, and a version is generated once
    exporter.release.countDown();
    for (CompletableFuture<TableFormat.IcebergMetadata> f : running)
      assertThat(f.get(60, TimeUnit.SECONDS).json()).isEqualTo("{}");
    assertThat(exporter.most.get()).isEqualTo(IcebergExports.MAX_CONCURRENT_GENERATIONS);
    int calls = exporter.calls.get();
    exports.metadata(snapshot(dir.resolve("a"), 1), false, CloseableIterator::empty);
    assertThat(exporter.calls.get()).isEqualTo(calls);
    // the third table gets its turn now
    assertThat(
            exports.metadata(snapshot(dir.resolve("c"), 1), false, CloseableIterator::empty).json())
        .isEqualTo("{}");
    threads.shutdown();
  }
}
