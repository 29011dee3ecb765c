package io.tablegate.loadtest;

import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.ScanImpl;
import io.delta.kernel.utils.CloseableIterator;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Delta Kernel alone iterating a table's scan files (with stats), the baseline of the 1M-file
 * benchmarks: {@code KernelIterate <table dir> [runs]} prints the best rate in files/s.
 */
public final class KernelIterate {
  private KernelIterate() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]).toAbsolutePath();
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    double best = 0;
    for (int r = 0; r < runs; r++) {
      long start = System.nanoTime();
      long n = iterate(root);
      double secs = (System.nanoTime() - start) / 1e9;
      best = Math.max(best, n / secs);
      System.out.printf(
          "kernel alone #%d: %d files in %.2f s, %.0f files/s%n", r + 1, n, secs, n / secs);
    }
    System.out.printf("best %.0f files/s%n", best);
  }

  static long iterate(Path root) throws Exception {
    Engine engine = DefaultEngine.create(new Configuration());
    var snapshot = Table.forPath(engine, root.toUri().toString()).getLatestSnapshot(engine);
    ScanImpl scan = (ScanImpl) snapshot.getScanBuilder().build();
    long n = 0;
    try (CloseableIterator<FilteredColumnarBatch> it = scan.getScanFiles(engine, true)) {
      while (it.hasNext()) {
        FilteredColumnarBatch b = it.next();
        ColumnVector add = b.getData().getColumnVector(InternalScanFileUtils.ADD_FILE_ORDINAL);
        ColumnVector path = add.getChild(0);
        Optional<ColumnVector> sel = b.getSelectionVector();
        for (int i = 0; i < b.getData().getSize(); i++) {
          if (sel.isPresent() && (sel.get().isNullAt(i) || !sel.get().getBoolean(i))) continue;
          if (add.isNullAt(i)) continue;
          if (path.getString(i) != null) n++;
        }
      }
    }
    return n;
  }
}
