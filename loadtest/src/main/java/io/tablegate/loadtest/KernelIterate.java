package io.tablegate.loadtest;

import java.nio.file.Path;

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
      long n = io.tablegate.fixtures.KernelScanFiles.count(root);
      double secs = (System.nanoTime() - start) / 1e9;
      best = Math.max(best, n / secs);
      System.out.printf(
          "kernel alone #%d: %d files in %.2f s, %.0f files/s%n", r + 1, n, secs, n / secs);
    }
    System.out.printf("best %.0f files/s%n", best);
  }
}
