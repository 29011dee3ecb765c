package io.tablegate.format.delta;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes Delta logs of any size whose data files do not exist: for streaming tests and benchmarks
 * of the file listing (the gateway never opens data files to answer a query). Partitioned by a
 * {@code part} string over 100 values, with realistic per-file stats.
 */
public final class SyntheticTables {
  private SyntheticTables() {}

  /** Writes {@code files} add actions spread over {@code commits} commits, then a checkpoint if asked. */
  public static void generate(Path root, int files, int commits, boolean checkpoint) {
    generate(root, files, commits, checkpoint ? commits - 1 : -1);
  }

  /**
   * Writes {@code files} add actions spread over {@code commits} commits, with a checkpoint at
   * version {@code checkpointAt} (-1: none), so that readers replay a checkpoint plus the commits after it.
   */
  public static void generate(Path root, int files, int commits, int checkpointAt) {
    DeltaTableWriter w = new DeltaTableWriter(root, List.of(new DeltaTableWriter.ColumnSpec("id", "long"),
        new DeltaTableWriter.ColumnSpec("value", "double"), new DeltaTableWriter.ColumnSpec("part", "string")), List.of("part"));
    Path log = root.resolve("_delta_log");
    long t0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    int perCommit = (files + commits - 1) / commits;
    int written = 0;
    try {
      Files.createDirectories(log);
      for (int c = 0; c < commits; c++) {
        Path file = log.resolve(String.format("%020d.json", c));
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
          if (c == 0) {
            for (String a : w.createActions(Map.of(), 1, 2, null, null)) out.write(a + "\n");
          }
          out.write("{\"commitInfo\":{\"timestamp\":" + (t0 + c * 60_000L) + ",\"operation\":\"WRITE\"}}\n");
          for (int i = 0; i < perCommit && written < files; i++, written++) {
            long id = (long) written * 1000;
            out.write("{\"add\":{\"path\":\"part=p" + (written % 100) + "/file-" + written
                + ".parquet\",\"partitionValues\":{\"part\":\"p" + (written % 100) + "\"},\"size\":" + (4096 + written % 1024)
                + ",\"modificationTime\":" + (t0 + c * 60_000L) + ",\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":1000,"
                + "\\\"minValues\\\":{\\\"id\\\":" + id + ",\\\"value\\\":0.5},\\\"maxValues\\\":{\\\"id\\\":" + (id + 999)
                + ",\\\"value\\\":99.5},\\\"nullCount\\\":{\\\"id\\\":0,\\\"value\\\":0}}\"}}\n");
          }
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(t0 + c * 60_000L));
        if (c == checkpointAt) w.checkpoint(c);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
