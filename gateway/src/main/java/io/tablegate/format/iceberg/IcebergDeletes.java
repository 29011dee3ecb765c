package io.tablegate.format.iceberg;

import io.tablegate.protocol.DeletionVector;
import io.tablegate.protocol.SharingErrors;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.BaseDeleteLoader;
import org.apache.iceberg.deletes.PositionDeleteIndex;

/**
 * Iceberg row deletes as Delta deletion vectors. A data file's position deletes (v2 position delete
 * files or v3 deletion vectors, loaded with Iceberg's own delete loader) become one inline Delta
 * DV: Iceberg serializes a position index as {@code length (4 bytes BE) | magic D1D339 64 | 64-bit
 * portable Roaring bitmap | CRC-32}, and the middle part is byte for byte the Delta DV payload
 * ({@code RoaringBitmapArray} with magic 1681511377, little-endian), which the delta response
 * format carries Z85-encoded with storage type {@code i}. Equality deletes have no Delta equivalent
 * and are refused.
 */
final class IcebergDeletes {
  private static final String Z85 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

  private IcebergDeletes() {}

  /** The deletion vector of the task's data file, or null when no row of it is deleted. */
  static DeletionVector deletionVector(Table t, FileScanTask task) {
    List<DeleteFile> deletes = task.deletes();
    if (deletes.isEmpty()) return null;
    for (DeleteFile d : deletes) {
      if (d.content() == FileContent.EQUALITY_DELETES) {
        throw SharingErrors.unsupported(
            "This Iceberg snapshot deletes rows with equality delete files, which Delta Sharing "
                + "cannot express; compact the table (rewrite_data_files / rewrite_position_delete_files) to share it.");
      }
    }
    PositionDeleteIndex index =
        new BaseDeleteLoader(d -> t.io().newInputFile(d))
            .loadPositionDeletes(deletes, task.file().location());
    if (index.isEmpty()) return null;
    ByteBuffer blob = index.serialize();
    int length = blob.getInt(blob.position()); // big-endian: magic + bitmap
    byte[] payload = new byte[length];
    blob.duplicate().position(blob.position() + 4).get(payload);
    if ((payload[0] & 0xff) != 0xD1
        || (payload[1] & 0xff) != 0xD3
        || payload[2] != 0x39
        || payload[3] != 0x64) {
      throw new IllegalStateException("Unexpected deletion vector framing from Iceberg");
    }
    return new DeletionVector("i", z85(payload), null, length, index.cardinality());
  }

  /** The first {@code size} bytes Z85 text {@code s} encodes. */
  static byte[] z85Decode(String s, int size) {
    byte[] out = new byte[s.length() / 5 * 4];
    for (int i = 0, o = 0; i + 5 <= s.length(); i += 5, o += 4) {
      long v = 0;
      for (int j = 0; j < 5; j++) v = v * 85 + Z85.indexOf(s.charAt(i + j));
      for (int j = 3; j >= 0; j--) {
        out[o + j] = (byte) (v & 0xff);
        v >>>= 8;
      }
    }
    return java.util.Arrays.copyOf(out, size);
  }

  /**
   * Z85 of {@code data}, zero-padded to a multiple of 4 bytes (Delta decodes the first sizeInBytes
   * bytes).
   */
  static String z85(byte[] data) {
    int padded = (data.length + 3) / 4 * 4;
    StringBuilder sb = new StringBuilder(padded / 4 * 5);
    char[] chunk = new char[5];
    for (int i = 0; i < padded; i += 4) {
      long v = 0;
      for (int j = 0; j < 4; j++) v = (v << 8) | (i + j < data.length ? data[i + j] & 0xff : 0);
      for (int j = 4; j >= 0; j--) {
        chunk[j] = Z85.charAt((int) (v % 85));
        v /= 85;
      }
      sb.append(chunk);
    }
    return sb.toString();
  }
}
