package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tablegate.protocol.DeletionVector;
import io.tablegate.spi.DataFile;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shared tier's and the spill's binary file records: what is written reads back; damage is
 * refused.
 */
class DataFileCodecTest {
  static final DataFile WITH_EVERYTHING =
      new DataFile(
          "s3://b/t/day=2024-01-01/part-0.parquet",
          "day=2024-01-01/part-0.parquet",
          Map.of("day", "2024-01-01"),
          1234,
          1_700_000_000_000L,
          true,
          "{\"numRecords\":10,\"minValues\":{\"s\":\"é漢\"}}",
          new DeletionVector("u", "ab^-aqEH.-t@S}K{vb[*k^", 1, 36, 3));

  @Test
  void recordsReadBackAsWritten() {
    assertThat(DataFileCodec.decode(DataFileCodec.encode(WITH_EVERYTHING)))
        .isEqualTo(WITH_EVERYTHING);
    DataFile bare = new DataFile("s3://b/t/x.parquet", null, Map.of(), 1, 2, false, null, null);
    assertThat(DataFileCodec.decode(DataFileCodec.encode(bare))).isEqualTo(bare);
    // a record inside a larger block (the spill) is read in place
    byte[] one = DataFileCodec.encode(WITH_EVERYTHING);
    byte[] block = new byte[one.length + 10];
    System.arraycopy(one, 0, block, 7, one.length);
    assertThat(DataFileCodec.decode(block, 7, one.length)).isEqualTo(WITH_EVERYTHING);
  }

  @Test
  void recordsAreByteForByteWhatEarlierVersionsWroteWithDataOutputStream() throws Exception {
    // the Redis tier keeps records that instances of an earlier release wrote (and read)
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      out.writeByte(1);
      for (String s : new String[] {WITH_EVERYTHING.location(), WITH_EVERYTHING.relativePath()})
        utf8(out, s);
      out.writeInt(1);
      utf8(out, "day");
      utf8(out, "2024-01-01");
      out.writeLong(1234);
      out.writeLong(1_700_000_000_000L);
      out.writeBoolean(true);
      utf8(out, WITH_EVERYTHING.stats());
      out.writeBoolean(true);
      utf8(out, "u");
      utf8(out, "ab^-aqEH.-t@S}K{vb[*k^");
      out.writeInt(1);
      out.writeInt(36);
      out.writeLong(3);
    }
    assertThat(DataFileCodec.encode(WITH_EVERYTHING)).isEqualTo(bytes.toByteArray());
    // and a spill block of several records, each after its length
    DataFileCodec.Record block = new DataFileCodec.Record(16);
    for (int i = 0; i < 3; i++) {
      int at = block.size();
      block.writeInt(0);
      DataFileCodec.encodeTo(WITH_EVERYTHING, block);
      block.setInt(at, block.size() - at - 4);
    }
    byte[] one = bytes.toByteArray();
    assertThat(block.size()).isEqualTo(3 * (4 + one.length));
    for (int i = 0; i < 3; i++)
      assertThat(DataFileCodec.decode(block.array(), i * (4 + one.length) + 4, one.length))
          .isEqualTo(WITH_EVERYTHING);
  }

  private static void utf8(java.io.DataOutputStream out, String s) throws java.io.IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  @Test
  void truncatedOrDamagedRecordsAreRefusedNotMisread() {
    byte[] one = DataFileCodec.encode(WITH_EVERYTHING);
    for (int cut = 1; cut < one.length; cut += 7) {
      byte[] truncated = Arrays.copyOf(one, cut);
      assertThatThrownBy(() -> DataFileCodec.decode(truncated))
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] wrongVersion = one.clone();
    wrongVersion[0] = 9;
    assertThatThrownBy(() -> DataFileCodec.decode(wrongVersion))
        .hasMessageContaining("Unknown cached file format");
    byte[] hugeLength = one.clone();
    hugeLength[1] = 0x7f; // the location's length far beyond the record
    assertThatThrownBy(() -> DataFileCodec.decode(hugeLength))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
