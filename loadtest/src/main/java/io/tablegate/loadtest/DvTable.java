package io.tablegate.loadtest;

import io.tablegate.fixtures.DeltaTableWriter;
import io.tablegate.fixtures.DeltaTableWriter.ColumnSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Delta table of one large data file with a deletion vector, for the rewrite benchmark: {@code
 * DvTable <dir> <rows> <deleteEveryNth>} writes {@code rows} rows (id long, name string, amount
 * double, day date) and deletes every n-th row.
 */
public final class DvTable {
  private DvTable() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]).toAbsolutePath();
    int rows = Integer.parseInt(args[1]);
    int nth = Integer.parseInt(args[2]);
    DeltaTableWriter w =
        new DeltaTableWriter(
            dir,
            List.of(
                new ColumnSpec("id", "long"),
                new ColumnSpec("name", "string"),
                new ColumnSpec("amount", "double"),
                new ColumnSpec("day", "date")),
            List.of());
    List<Object[]> data = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++)
      data.add(
          new Object[] {
            (long) i, "customer-" + (i * 7919L % 100_000), i * 0.25, (int) (19_000 + i % 365)
          });
    var file = w.writeFile(data);
    long[] deleted = new long[rows / nth];
    for (int i = 0; i < deleted.length; i++) deleted[i] = (long) i * nth;
    List<String> v0 =
        new ArrayList<>(
            w.createActions(
                Map.of("delta.enableDeletionVectors", "true"),
                3,
                7,
                List.of("deletionVectors"),
                List.of("deletionVectors")));
    v0.add(DeltaTableWriter.add(file, 0, w.writeDeletionVector(deleted)));
    w.commit(0, v0, Instant.now());
    System.out.println(dir + ": " + rows + " rows, " + deleted.length + " deleted");
  }
}
