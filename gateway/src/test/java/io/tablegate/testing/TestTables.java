package io.tablegate.testing;

import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.fixtures.DeltaTableWriter.ColumnSpec;
import io.tablegate.fixtures.DeltaTableWriter.FileRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test tables: the DAT corpus from shared/testdata, and tables we write with known history. */
public final class TestTables {
  private static Path datRoot;

  private TestTables() {}

  /** {@code out/reader_tests/generated} of the DAT corpus, unpacked once per JVM under target/. */
  public static synchronized Path dat() {
    if (datRoot != null) return datRoot;
    String testdata = System.getProperty("tablegate.testdata", "../../shared/testdata");
    Path tarball = Path.of(testdata, "deltalake-dat-v0.0.3.tar.gz").toAbsolutePath().normalize();
    if (!Files.exists(tarball))
      throw new IllegalStateException("DAT corpus not found at " + tarball);
    Path target = Path.of("target", "dat").toAbsolutePath();
    Path generated = target.resolve("out/reader_tests/generated");
    try {
      if (!Files.isDirectory(generated)) {
        Files.createDirectories(target);
        Process p =
            new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", target.toString())
                .inheritIO()
                .start();
        if (p.waitFor() != 0) throw new IllegalStateException("tar failed on " + tarball);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    datRoot = generated;
    return datRoot;
  }

  /**
   * A writer of more commits to the table of {@link #writeHistoryTable}: (id long, name string, day
   * date) by day.
   */
  public static DeltaTableWriter historyTableWriter(Path root) {
    return new DeltaTableWriter(
        root,
        List.of(
            new ColumnSpec("id", "long"),
            new ColumnSpec("name", "string"),
            new ColumnSpec("day", "date")),
        List.of("day"));
  }

  /** Commit times of {@link #writeHistoryTable}: version v committed at {@code BASE + v days}. */
  public static final Instant BASE = Instant.parse("2024-05-01T10:00:00Z");

  /**
   * A partitioned, CDF-enabled table: v0 create + 2 files (day 1, day 2), v1 add day 3, v2 remove
   * day 1 with a cdc file, v3 metadata change (comment on a column) + add day 4, checkpoint at 3,
   * v4 OPTIMIZE-like rewrite (dataChange=false) of day 2. Returns the files per day.
   */
  public static List<FileRef> writeHistoryTable(Path root) {
    DeltaTableWriter w = historyTableWriter(root);
    List<FileRef> files = new ArrayList<>();
    for (int d = 1; d <= 4; d++) {
      List<Object[]> rows = new ArrayList<>();
      for (long i = 0; i < 3; i++)
        rows.add(new Object[] {d * 10L + i, "n" + (d * 10 + i), LocalDate.of(2024, 5, d)});
      files.add(w.writeFile(rows));
    }
    Map<String, String> cdf = Map.of("delta.enableChangeDataFeed", "true");
    List<String> v0 = new ArrayList<>(w.createActions(cdf, 1, 4, null, null));
    v0.add(DeltaTableWriter.commitInfo("WRITE", at(0)));
    v0.add(DeltaTableWriter.add(files.get(0), at(0), null));
    v0.add(DeltaTableWriter.add(files.get(1), at(0), null));
    w.commit(0, v0, Instant.ofEpochMilli(at(0)));
    w.commit(
        1,
        List.of(
            DeltaTableWriter.commitInfo("WRITE", at(1)),
            DeltaTableWriter.add(files.get(2), at(1), null)),
        Instant.ofEpochMilli(at(1)));
    List<Object[]> deleted = new ArrayList<>();
    for (long i = 0; i < 3; i++)
      deleted.add(new Object[] {10L + i, "n" + (10 + i), LocalDate.of(2024, 5, 1)});
    FileRef cdc = w.writeFile(deleted);
    w.commit(
        2,
        List.of(
            DeltaTableWriter.commitInfo("DELETE", at(2)),
            DeltaTableWriter.remove(files.get(0), at(2), true),
            DeltaTableWriter.cdc(cdc)),
        Instant.ofEpochMilli(at(2)));
    String commented =
        w.schemaString()
            .replace(
                "\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}",
                "\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{\"comment\":\"display name\"}");
    w.commit(
        3,
        List.of(
            DeltaTableWriter.commitInfo("WRITE", at(3)),
            w.metadataAction(cdf, commented),
            DeltaTableWriter.add(files.get(3), at(3), null)),
        Instant.ofEpochMilli(at(3)));
    w.checkpoint(3);
    FileRef rewritten =
        w.writeFile(
            List.of(
                new Object[] {20L, "n20", LocalDate.of(2024, 5, 2)},
                new Object[] {21L, "n21", LocalDate.of(2024, 5, 2)},
                new Object[] {22L, "n22", LocalDate.of(2024, 5, 2)}));
    w.commit(
        4,
        List.of(
            DeltaTableWriter.commitInfo("OPTIMIZE", at(4)),
            DeltaTableWriter.remove(files.get(1), at(4), false),
            DeltaTableWriter.add(rewritten, at(4), null)
                .replace("\"dataChange\":true", "\"dataChange\":false")),
        Instant.ofEpochMilli(at(4)));
    return files;
  }

  public static long at(int version) {
    return BASE.plusSeconds(version * 86_400L).toEpochMilli();
  }
}
