package io.tablegate.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The one codec for every JSON and NDJSON shape the gateway writes. Optional fields are written
 * only when present; {@code partitionValues} and {@code partitionColumns} are always written.
 * Thread-safe; each call writes into its own buffer.
 */
public final class ProtocolCodec {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private ProtocolCodec() {}

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Body body, boolean newline) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (newline) out.write('\n');
    return out.toByteArray();
  }

  /** Writes root values back to back; we put the newlines in ourselves. */
  private static final JsonFactory LINES = new JsonFactory().setRootValueSeparator(null);

  /**
   * Writes many NDJSON lines into one buffer with one generator, for the body of a stream: much
   * cheaper than a generator per line. Not thread-safe; one per chunk.
   */
  public static final class LineWriter {
    private final ByteArrayBuilder out;
    private final JsonGenerator g;
    private int lines;

    public LineWriter(int capacityBytes) {
      out = new ByteArrayBuilder(capacityBytes);
      try {
        g = LINES.createGenerator(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public void file(ResponseFormat format, FileEntry f) {
      try {
        writeFile(g, format, f);
        g.writeRaw('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      lines++;
    }

    /** Appends an already encoded line (ending in a newline). */
    public void raw(byte[] line) {
      try {
        g.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.write(line);
      lines++;
    }

    public int lines() {
      return lines;
    }

    public byte[] toByteArray() {
      try {
        g.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }
  }

  // ---- JSON documents ------------------------------------------------------------------------

  public static byte[] error(ErrorCode code, String message) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("errorCode", code.name());
          g.writeStringField("message", message == null ? "" : message);
          g.writeEndObject();
        },
        false);
  }

  public static byte[] share(Share share) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeFieldName("share");
          writeShare(g, share);
          g.writeEndObject();
        },
        false);
  }

  public static byte[] sharePage(Page<Share> page) {
    return writePage(page, ProtocolCodec::writeShare);
  }

  public static byte[] schemaPage(Page<Schema> page) {
    return writePage(
        page,
        (g, s) -> {
          g.writeStartObject();
          g.writeStringField("name", s.name());
          g.writeStringField("share", s.share());
          g.writeEndObject();
        });
  }

  public static byte[] tablePage(Page<Table> page) {
    return writePage(
        page,
        (g, t) -> {
          g.writeStartObject();
          g.writeStringField("name", t.name());
          g.writeStringField("schema", t.schema());
          g.writeStringField("share", t.share());
          optional(g, "shareId", t.shareId());
          optional(g, "id", t.id());
          if (t.location() != null) {
            g.writeStringField("location", t.location());
            g.writeArrayFieldStart("accessModes");
            g.writeString("url");
            g.writeString("dir");
            g.writeEndArray();
          }
          g.writeEndObject();
        });
  }

  @FunctionalInterface
  private interface ItemWriter<T> {
    void write(JsonGenerator g, T item) throws IOException;
  }

  private static <T> byte[] writePage(Page<T> page, ItemWriter<T> itemWriter) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("items");
          for (T item : page.items()) itemWriter.write(g, item);
          g.writeEndArray();
          optional(g, "nextPageToken", page.nextPageToken());
          g.writeEndObject();
        },
        false);
  }

  private static void writeShare(JsonGenerator g, Share s) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", s.name());
    optional(g, "id", s.id());
    optional(g, "displayName", s.displayName());
    optional(g, "comment", s.comment());
    if (!s.properties().isEmpty()) stringMap(g, "properties", s.properties());
    g.writeEndObject();
  }

  // ---- NDJSON lines --------------------------------------------------------------------------

  /** {@code version} is written (delta format only) when historical protocols were requested. */
  public static byte[] protocolLine(ResponseFormat format, DeltaProtocol p, Long version) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeObjectFieldStart("protocol");
          switch (format) {
            case PARQUET -> g.writeNumberField("minReaderVersion", 1);
            case DELTA -> {
              g.writeObjectFieldStart("deltaProtocol");
              g.writeNumberField("minReaderVersion", p.minReaderVersion());
              g.writeNumberField("minWriterVersion", p.minWriterVersion());
              stringList(g, "readerFeatures", p.readerFeatures());
              stringList(g, "writerFeatures", p.writerFeatures());
              g.writeEndObject();
              optional(g, "version", version);
            }
          }
          g.writeEndObject();
          g.writeEndObject();
        },
        true);
  }

  public static byte[] metadataLine(
      ResponseFormat format, TableMetadata m, Long version, Long size, Long numFiles) {
    return metadataLine(format, m, version, size, numFiles, null);
  }

  /**
   * With {@code location} (a table offered in directory mode): its root and {@code accessModes:
   * ["url", "dir"]}.
   */
  public static byte[] metadataLine(
      ResponseFormat format,
      TableMetadata m,
      Long version,
      Long size,
      Long numFiles,
      String location) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeObjectFieldStart("metaData");
          switch (format) {
            case PARQUET -> {
              writeMetadataFields(g, m, false);
              optional(g, "version", version);
            }
            case DELTA -> {
              g.writeObjectFieldStart("deltaMetadata");
              writeMetadataFields(g, m, true);
              g.writeEndObject();
              optional(g, "version", version);
            }
          }
          optional(g, "size", size);
          optional(g, "numFiles", numFiles);
          if (location != null) {
            g.writeStringField("location", location);
            g.writeArrayFieldStart("accessModes");
            g.writeString("url");
            g.writeString("dir");
            g.writeEndArray();
          }
          g.writeEndObject();
          g.writeEndObject();
        },
        true);
  }

  private static void writeMetadataFields(JsonGenerator g, TableMetadata m, boolean delta)
      throws IOException {
    g.writeStringField("id", m.id());
    optional(g, "name", m.name());
    optional(g, "description", m.description());
    g.writeObjectFieldStart("format");
    g.writeStringField("provider", m.formatProvider());
    if (delta) stringMap(g, "options", m.formatOptions());
    g.writeEndObject();
    g.writeStringField("schemaString", m.schemaString());
    g.writeArrayFieldStart("partitionColumns");
    for (String c : m.partitionColumns()) g.writeString(c);
    g.writeEndArray();
    stringMap(g, "configuration", m.configuration());
    if (delta) optional(g, "createdTime", m.createdTime());
  }

  private static void writeFile(JsonGenerator g, ResponseFormat format, FileEntry f)
      throws IOException {
    g.writeStartObject();
    switch (format) {
      case PARQUET -> {
        g.writeObjectFieldStart(
            switch (f.action()) {
              case FILE -> "file";
              case ADD -> "add";
              case REMOVE -> "remove";
              case CDF -> "cdf";
            });
        escapedString(g, "url", f.url());
        g.writeStringField("id", f.id());
        stringMap(g, "partitionValues", f.partitionValues());
        g.writeNumberField("size", f.size());
        if (f.action() != FileAction.REMOVE && f.action() != FileAction.CDF)
          escapedString(g, "stats", f.stats());
        optional(g, "version", f.version());
        optional(g, "timestamp", f.timestamp());
        g.writeNumberField("expirationTimestamp", f.expirationTimestamp());
        g.writeEndObject();
      }
      case DELTA -> {
        g.writeObjectFieldStart("file");
        g.writeStringField("id", f.id());
        if (f.deletionVector() != null && "p".equals(f.deletionVector().storageType())) {
          g.writeStringField("deletionVectorFileId", f.id() + "-dv");
        }
        optional(g, "version", f.version());
        optional(g, "timestamp", f.timestamp());
        g.writeNumberField("expirationTimestamp", f.expirationTimestamp());
        g.writeObjectFieldStart("deltaSingleAction");
        switch (f.action()) {
          case FILE, ADD -> {
            g.writeObjectFieldStart("add");
            escapedString(g, "path", f.url());
            stringMap(g, "partitionValues", f.partitionValues());
            g.writeNumberField("size", f.size());
            g.writeNumberField("modificationTime", f.modificationTime());
            g.writeBooleanField("dataChange", f.dataChange());
            escapedString(g, "stats", f.stats());
            writeDeletionVector(g, f.deletionVector());
            g.writeEndObject();
          }
          case REMOVE -> {
            g.writeObjectFieldStart("remove");
            escapedString(g, "path", f.url());
            g.writeNumberField(
                "deletionTimestamp", f.timestamp() == null ? f.modificationTime() : f.timestamp());
            g.writeBooleanField("dataChange", f.dataChange());
            g.writeBooleanField("extendedFileMetadata", true);
            stringMap(g, "partitionValues", f.partitionValues());
            g.writeNumberField("size", f.size());
            writeDeletionVector(g, f.deletionVector());
            g.writeEndObject();
          }
          case CDF -> {
            g.writeObjectFieldStart("cdc");
            escapedString(g, "path", f.url());
            stringMap(g, "partitionValues", f.partitionValues());
            g.writeNumberField("size", f.size());
            g.writeBooleanField("dataChange", false);
            g.writeEndObject();
          }
        }
        g.writeEndObject();
        g.writeEndObject();
      }
    }
    g.writeEndObject();
  }

  private static void writeDeletionVector(JsonGenerator g, DeletionVector dv) throws IOException {
    if (dv == null) return;
    g.writeObjectFieldStart("deletionVector");
    g.writeStringField("storageType", dv.storageType());
    g.writeStringField("pathOrInlineDv", dv.pathOrInlineDv());
    optional(g, "offset", dv.offset() == null ? null : dv.offset().longValue());
    g.writeNumberField("sizeInBytes", dv.sizeInBytes());
    g.writeNumberField("cardinality", dv.cardinality());
    g.writeEndObject();
  }

  public static byte[] endStreamLine(EndStreamAction e) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeObjectFieldStart("endStreamAction");
          optional(g, "refreshToken", e.refreshToken());
          optional(g, "nextPageToken", e.nextPageToken());
          optional(g, "minUrlExpirationTimestamp", e.minUrlExpirationTimestamp());
          optional(g, "errorMessage", e.errorMessage());
          if (e.httpStatusErrorCode() != null)
            g.writeNumberField("httpStatusErrorCode", e.httpStatusErrorCode());
          g.writeEndObject();
          g.writeEndObject();
        },
        true);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static void optional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) g.writeStringField(field, value);
  }

  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[8192]);

  /**
   * A long string value of a file line (the embedded stats JSON, the file URL): escaped here in one
   * pass into a reused buffer and handed to the generator as already-escaped UTF-8. Stats are full
   * of quotes, which send Jackson's own writer down its slow per-character escape path (a fifth of
   * a large /query's CPU); a gateway file URL is ~500 characters (its escape checks were 8% of an
   * uncached /query's CPU). Output is byte for byte what {@code writeStringField} writes; non-ASCII
   * falls back to it.
   */
  private static void escapedString(JsonGenerator g, String field, String value)
      throws IOException {
    if (value == null) return;
    if (value.length() >= 64 && value.indexOf('"') < 0) {
      // a URL: its UTF-8 (an intrinsic copy for ASCII) needs no escaping when no byte is a control
      // character, a backslash or non-ASCII (a negative byte); then it is written as it is
      byte[] raw = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      boolean plain = true;
      for (byte b : raw) {
        if (b < 0x20 || b == '\\') {
          plain = false;
          break;
        }
      }
      if (plain) {
        g.writeFieldName(field);
        g.writeRawUTF8String(raw, 0, raw.length);
        return;
      }
    }
    int len = value.length();
    byte[] buf = SCRATCH.get();
    if (buf.length < len * 6) {
      buf = new byte[Math.max(len * 6, buf.length * 2)];
      SCRATCH.set(buf);
    }
    int n = 0;
    for (int i = 0; i < len; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        g.writeStringField(field, value);
        return;
      }
      if (c == '"' || c == '\\') {
        buf[n++] = '\\';
        buf[n++] = (byte) c;
      } else if (c < 0x20) {
        switch (c) {
          case '\n' -> {
            buf[n++] = '\\';
            buf[n++] = 'n';
          }
          case '\r' -> {
            buf[n++] = '\\';
            buf[n++] = 'r';
          }
          case '\t' -> {
            buf[n++] = '\\';
            buf[n++] = 't';
          }
          case '\b' -> {
            buf[n++] = '\\';
            buf[n++] = 'b';
          }
          case '\f' -> {
            buf[n++] = '\\';
            buf[n++] = 'f';
          }
          default -> {
            buf[n++] = '\\';
            buf[n++] = 'u';
            buf[n++] = '0';
            buf[n++] = '0';
            buf[n++] = (byte) HEX[c >> 4];
            buf[n++] = (byte) HEX[c & 0xF];
          }
        }
      } else {
        buf[n++] = (byte) c;
      }
    }
    g.writeFieldName(field);
    g.writeRawUTF8String(buf, 0, n);
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static void optional(JsonGenerator g, String field, Long value) throws IOException {
    if (value != null) g.writeNumberField(field, value);
  }

  private static void stringList(JsonGenerator g, String field, List<String> values)
      throws IOException {
    if (values == null) return;
    g.writeArrayFieldStart(field);
    for (String v : values) g.writeString(v);
    g.writeEndArray();
  }

  private static void stringMap(JsonGenerator g, String field, Map<String, String> values)
      throws IOException {
    g.writeObjectFieldStart(field);
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getValue() == null) g.writeNullField(e.getKey());
      else g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
