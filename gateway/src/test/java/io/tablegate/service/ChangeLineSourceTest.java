package io.tablegate.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.ResponseFormat;
import io.tablegate.protocol.TableMetadata;
import io.tablegate.spi.ChangeRecord;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.UrlSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Change queries hold a bounded part of a commit in memory whatever its size: a commit larger than
 * {@link ChangeLineSource#HELD_IN_MEMORY} actions is spilled to disk, and its lines still depend on
 * the whole commit (cdc files replace adds and removes; a no-op MERGE has no change rows), page by
 * page, with the spill files gone afterwards.
 */
class ChangeLineSourceTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final int BIG = 25_000;

  static DataFile file(String name) {
    return new DataFile("file:/t/" + name, name, Map.of(), 10, 1, true, null, null);
  }

  /** v1: BIG adds; v2: 12,000 adds then one cdc file; v3: a no-op MERGE with 11,000 adds. */
  static List<ChangeRecord> records() {
    List<ChangeRecord> r = new ArrayList<>();
    for (int i = 0; i < BIG; i++)
      r.add(new ChangeRecord.FileChange(1, 1000, ChangeRecord.FileKind.ADD, file("v1-" + i)));
    for (int i = 0; i < 12_000; i++)
      r.add(new ChangeRecord.FileChange(2, 2000, ChangeRecord.FileKind.ADD, file("v2-" + i)));
    r.add(new ChangeRecord.FileChange(2, 2000, ChangeRecord.FileKind.CDC, file("v2-cdc")));
    for (int i = 0; i < 11_000; i++)
      r.add(new ChangeRecord.FileChange(3, 3000, ChangeRecord.FileKind.ADD, file("v3-" + i)));
    r.add(
        new ChangeRecord.CommitInfo(
            3,
            3000,
            "MERGE",
            Map.of(
                "numTargetRowsInserted", "0",
                "numTargetRowsUpdated", "0",
                "numTargetRowsDeleted", "0")));
    return r;
  }

  static CloseableIterator<ChangeRecord> iterator(List<ChangeRecord> records) {
    Iterator<ChangeRecord> it = records.iterator();
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public ChangeRecord next() {
        return it.next();
      }

      @Override
      public void close() {}
    };
  }

  static ChangeLineSource source(ChangeLineSource.Mode mode, long skip, Integer pageSize) {
    UrlSigner signer = location -> new UrlSigner.SignedUrl("https://x/" + location, 9);
    ChangeLineSource.HeadLines head =
        new ChangeLineSource.HeadLines() {
          @Override
          public byte[] metadata(TableMetadata m, long version) {
            return null;
          }

          @Override
          public byte[] protocol(DeltaProtocol p, long version) {
            return null;
          }
        };
    return new ChangeLineSource(
        iterator(records()),
        mode,
        0,
        new LineContext(ResponseFormat.PARQUET, FileIds.PARQUET, signer),
        head,
        false,
        false,
        skip,
        pageSize,
        null);
  }

  static List<String> drain(ChangeLineSource s) throws IOException {
    List<String> out = new ArrayList<>();
    byte[] chunk;
    while ((chunk = s.next(1024)) != null) {
      for (String line : new String(chunk).split("\n")) {
        if (line.isEmpty()) continue;
        JsonNode n = MAPPER.readTree(line);
        String kind = n.fieldNames().next();
        out.add(
            kind + ":" + n.get(kind).get("url").asText().substring("https://x/file:/t/".length()));
      }
    }
    return out;
  }

  static long spillFiles() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("tablegate-commit-")).count();
    }
  }

  @Test
  void aCommitLargerThanTheBoundIsSpilledAndServedByTheWholeCommitsRules() throws Exception {
    long before = spillFiles();
    // When: the change data feed of the three commits
    ChangeLineSource cdf = source(ChangeLineSource.Mode.CDF, 0, null);
    List<String> lines = drain(cdf);
    // Then: v1's adds, v2's cdc file only (its 12,000 adds are replaced), nothing of the no-op
    // MERGE
    assertThat(lines).hasSize(BIG + 1);
    assertThat(lines.get(0)).isEqualTo("add:v1-0");
    assertThat(lines.get(BIG - 1)).isEqualTo("add:v1-" + (BIG - 1));
    assertThat(lines.get(BIG)).isEqualTo("cdf:v2-cdc");
    assertThat(cdf.maxHeld()).isEqualTo(ChangeLineSource.HELD_IN_MEMORY);
    cdf.close();
    // streaming mode keeps every data change, in log order
    ChangeLineSource streaming = source(ChangeLineSource.Mode.STREAMING, 0, null);
    assertThat(drain(streaming)).hasSize(BIG + 12_000 + 11_000);
    streaming.close();
    assertThat(spillFiles()).isEqualTo(before);
  }

  @Test
  void pagesCutThroughASpilledCommitWithoutGapsOrRepeats() throws Exception {
    List<String> all = new ArrayList<>();
    for (long skip = 0; ; skip += 7_000) {
      ChangeLineSource page = source(ChangeLineSource.Mode.CDF, skip, 7_000);
      List<String> lines = drain(page);
      page.close();
      all.addAll(lines);
      if (lines.size() < 7_000) break;
    }
    assertThat(all).hasSize(BIG + 1);
    assertThat(all).doesNotHaveDuplicates();
    assertThat(all.get(BIG)).isEqualTo("cdf:v2-cdc");
  }
}
