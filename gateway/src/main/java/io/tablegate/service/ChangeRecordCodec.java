package io.tablegate.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.TableMetadata;
import io.tablegate.spi.ChangeRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * A binary form of {@link ChangeRecord} for the shared cache tier: kind, version, timestamp,
 * payload.
 */
final class ChangeRecordCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ChangeRecordCodec() {}

  static byte[] encode(ChangeRecord r) {
    byte kind;
    byte[] payload;
    try {
      if (r instanceof ChangeRecord.FileChange f) {
        kind = (byte) f.kind().ordinal();
        payload = DataFileCodec.encode(f.file());
      } else if (r instanceof ChangeRecord.MetadataChange m) {
        kind = 10;
        payload = MAPPER.writeValueAsBytes(m.metadata());
      } else if (r instanceof ChangeRecord.ProtocolChange p) {
        kind = 11;
        payload = MAPPER.writeValueAsBytes(p.protocol());
      } else {
        ChangeRecord.CommitInfo c = (ChangeRecord.CommitInfo) r;
        kind = 12;
        payload =
            MAPPER.writeValueAsBytes(
                Map.of(
                    "operation",
                    c.operation() == null ? "" : c.operation(),
                    "metrics",
                    c.operationMetrics()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteBuffer.allocate(17 + payload.length)
        .put(kind)
        .putLong(r.version())
        .putLong(r.timestamp())
        .put(payload)
        .array();
  }

  @SuppressWarnings("unchecked")
  static ChangeRecord decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte kind = b.get();
    long version = b.getLong();
    long timestamp = b.getLong();
    byte[] payload = Arrays.copyOfRange(bytes, 17, bytes.length);
    try {
      return switch (kind) {
        case 10 ->
            new ChangeRecord.MetadataChange(
                version, timestamp, MAPPER.readValue(payload, TableMetadata.class));
        case 11 ->
            new ChangeRecord.ProtocolChange(
                version, timestamp, MAPPER.readValue(payload, DeltaProtocol.class));
        case 12 -> {
          Map<String, Object> m = MAPPER.readValue(payload, Map.class);
          String op = (String) m.get("operation");
          yield new ChangeRecord.CommitInfo(
              version,
              timestamp,
              op == null || op.isEmpty() ? null : op,
              (Map<String, String>) m.get("metrics"));
        }
        default ->
            new ChangeRecord.FileChange(
                version,
                timestamp,
                ChangeRecord.FileKind.values()[kind],
                DataFileCodec.decode(payload));
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
