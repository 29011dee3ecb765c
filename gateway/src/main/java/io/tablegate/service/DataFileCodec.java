package io.tablegate.service;

import io.tablegate.protocol.DeletionVector;
import io.tablegate.spi.DataFile;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A compact binary form of {@link DataFile} for the shared cache tier (length-prefixed UTF-8, -1
 * for null).
 */
final class DataFileCodec {
  private static final byte VERSION = 1;

  private DataFileCodec() {}

  static byte[] encode(DataFile f) {
    ByteArrayOutputStream bytes =
        new ByteArrayOutputStream(256 + (f.stats() == null ? 0 : f.stats().length()));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      string(out, f.location());
      string(out, f.relativePath());
      out.writeInt(f.partitionValues().size());
      for (Map.Entry<String, String> e : f.partitionValues().entrySet()) {
        string(out, e.getKey());
        string(out, e.getValue());
      }
      out.writeLong(f.size());
      out.writeLong(f.modificationTime());
      out.writeBoolean(f.dataChange());
      string(out, f.stats());
      DeletionVector dv = f.deletionVector();
      out.writeBoolean(dv != null);
      if (dv != null) {
        string(out, dv.storageType());
        string(out, dv.pathOrInlineDv());
        out.writeInt(dv.offset() == null ? -1 : dv.offset());
        out.writeInt(dv.sizeInBytes());
        out.writeLong(dv.cardinality());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static DataFile decode(byte[] data) {
    return decode(data, 0, data.length);
  }

  /**
   * Decodes the record in {@code data[from, from + length)} (a spill block holds many), reading the
   * array in place (strings straight from it, no stream per record); a record that does not fit its
   * bounds is refused.
   */
  static DataFile decode(byte[] data, int from, int length) {
    ByteBuffer in = ByteBuffer.wrap(data, from, length);
    try {
      if (in.get() != VERSION) throw new IllegalArgumentException("Unknown cached file format");
      String location = string(in);
      String relative = string(in);
      int n = in.getInt();
      if (n < 0 || n > in.remaining())
        throw new IllegalArgumentException("Damaged cached file record");
      Map<String, String> pv = n == 0 ? Collections.emptyMap() : new LinkedHashMap<>(n * 2);
      for (int i = 0; i < n; i++) pv.put(string(in), string(in));
      long size = in.getLong();
      long mtime = in.getLong();
      boolean dataChange = in.get() != 0;
      String stats = string(in);
      DeletionVector dv = null;
      if (in.get() != 0) {
        String type = string(in);
        String path = string(in);
        int offset = in.getInt();
        dv = new DeletionVector(type, path, offset < 0 ? null : offset, in.getInt(), in.getLong());
      }
      return new DataFile(location, relative, pv, size, mtime, dataChange, stats, dv);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("Truncated cached file record", e);
    }
  }

  private static String string(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0) return null;
    if (n > in.remaining()) throw new IllegalArgumentException("Truncated cached file record");
    String s = new String(in.array(), in.arrayOffset() + in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
