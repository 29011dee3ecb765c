package io.tablegate.testing;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads an Arrow IPC stream with Arrow's own reader and renders its rows in {@link KernelRows}'
 * canonical form ({@code name=value|...}; dates as epoch days, timestamps as epoch microseconds).
 */
public final class ArrowRows {
  private ArrowRows() {}

  /** The stream's schema and its rows. */
  public record Read(Schema schema, List<String> rows) {}

  public static Read read(byte[] ipc) throws Exception {
    List<String> rows = new ArrayList<>();
    try (RootAllocator allocator = new RootAllocator();
        ArrowStreamReader reader =
            new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Schema schema = root.getSchema();
      while (reader.loadNextBatch()) {
        List<FieldVector> vectors = root.getFieldVectors();
        for (int r = 0; r < root.getRowCount(); r++) {
          StringBuilder sb = new StringBuilder();
          for (int c = 0; c < vectors.size(); c++) {
            if (c > 0) sb.append('|');
            sb.append(vectors.get(c).getName()).append('=').append(value(vectors.get(c), r));
          }
          rows.add(sb.toString());
        }
      }
      return new Read(schema, rows);
    }
  }

  static String value(FieldVector v, int i) {
    if (v.isNull(i)) return "null";
    if (v instanceof StructVector s) {
      StringBuilder sb = new StringBuilder("{");
      List<FieldVector> children = s.getChildrenFromFields();
      for (int k = 0; k < children.size(); k++) {
        if (k > 0) sb.append(',');
        sb.append(children.get(k).getName()).append(':').append(value(children.get(k), i));
      }
      return sb.append('}').toString();
    }
    if (v instanceof MapVector m) {
      StructVector entries = (StructVector) m.getDataVector();
      FieldVector keys = (FieldVector) entries.getChild(MapVector.KEY_NAME);
      FieldVector values = (FieldVector) entries.getChild(MapVector.VALUE_NAME);
      TreeMap<String, String> out = new TreeMap<>();
      for (int k = m.getElementStartIndex(i); k < m.getElementEndIndex(i); k++)
        out.put(value(keys, k), value(values, k));
      return out.toString();
    }
    if (v instanceof ListVector l) {
      List<String> out = new ArrayList<>();
      for (int k = l.getElementStartIndex(i); k < l.getElementEndIndex(i); k++)
        out.add(value(l.getDataVector(), k));
      return out.toString();
    }
    if (v instanceof BitVector b) return Boolean.toString(b.get(i) == 1);
    if (v instanceof TinyIntVector b) return Byte.toString(b.get(i));
    if (v instanceof SmallIntVector s) return Short.toString(s.get(i));
    if (v instanceof IntVector n) return Integer.toString(n.get(i));
    if (v instanceof DateDayVector d) return Integer.toString(d.get(i));
    if (v instanceof BigIntVector n) return Long.toString(n.get(i));
    if (v instanceof TimeStampVector t) return Long.toString(t.get(i));
    if (v instanceof Float4Vector f) return Float.toString(f.get(i));
    if (v instanceof Float8Vector f) return Double.toString(f.get(i));
    if (v instanceof DecimalVector d) return d.getObject(i).toPlainString();
    if (v instanceof VarCharVector s) return s.getObject(i).toString();
    if (v instanceof VarBinaryVector b) return HexFormat.of().formatHex(b.get(i));
    return "?" + v.getClass().getSimpleName();
  }
}
