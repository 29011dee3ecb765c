package io.tablegate.service;

import io.tablegate.protocol.DeletionVector;
import io.tablegate.spi.DataFile;
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
    Record out = new Record(256 + (f.stats() == null ? 0 : f.stats().length()));
    encodeTo(f, out);
    return out.toByteArray();
  }

  /**
   * Appends {@code f}'s record to {@code out} (a spill writes many records into one reused buffer:
   * no stream and no array per record).
   */
  static void encodeTo(DataFile f, Record out) {
    out.writeByte(VERSION);
    out.writeString(f.location());
    out.writeString(f.relativePath());
    out.writeInt(f.partitionValues().size());
    for (Map.Entry<String, String> e : f.partitionValues().entrySet()) {
      out.writeString(e.getKey());
      out.writeString(e.getValue());
    }
    out.writeLong(f.size());
    out.writeLong(f.modificationTime());
    out.writeByte(f.dataChange() ? 1 : 0);
    out.writeString(f.stats());
    DeletionVector dv = f.deletionVector();
    out.writeByte(dv != null ? 1 : 0);
    if (dv != null) {
      out.writeString(dv.storageType());
      out.writeString(dv.pathOrInlineDv());
      out.writeInt(dv.offset() == null ? -1 : dv.offset());
      out.writeInt(dv.sizeInBytes());
      out.writeLong(dv.cardinality());
    }
  }

  /**
   * A growing byte array written big-endian, as {@code DataOutputStream} writes (the format's
   * definition): ints, longs, bytes and length-prefixed UTF-8 strings (-1 for null).
   */
  static final class Record {
    private byte[] buf;
    private int size;

    Record(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    int size() {
      return size;
    }

    void reset() {
      size = 0;
    }

    byte[] array() {
      return buf;
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, size);
    }

    private void room(int n) {
      if (size + n > buf.length)
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }

    void writeByte(int b) {
      room(1);
      buf[size++] = (byte) b;
    }

    void writeInt(int v) {
      room(4);
      buf[size] = (byte) (v >>> 24);
      buf[size + 1] = (byte) (v >>> 16);
      buf[size + 2] = (byte) (v >>> 8);
      buf[size + 3] = (byte) v;
      size += 4;
    }

    /** Writes {@code v} at {@code at} (a length known once its record is written). */
    void setInt(int at, int v) {
      buf[at] = (byte) (v >>> 24);
      buf[at + 1] = (byte) (v >>> 16);
      buf[at + 2] = (byte) (v >>> 8);
      buf[at + 3] = (byte) v;
    }

    void writeLong(long v) {
      writeInt((int) (v >>> 32));
      writeInt((int) v);
    }

    void writeString(String s) {
      if (s == null) {
        writeInt(-1);
        return;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      writeInt(b.length);
      room(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }
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
}
