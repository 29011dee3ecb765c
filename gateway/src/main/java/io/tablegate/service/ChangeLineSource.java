package io.tablegate.service;

import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.EndStreamAction;
import io.tablegate.protocol.FileAction;
import io.tablegate.protocol.ProtocolCodec;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.TableMetadata;
import io.tablegate.spi.ChangeRecord;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The body of a change query, one commit at a time (only one commit's actions are held). Two modes:
 * {@code STREAMING} ({@code /query} with {@code startingVersion}: data-changing add and remove
 * files plus later metaData) and {@code CDF} ({@code /changes}: a commit's cdc files when it has
 * any, else its data-changing adds as inserts and removes as deletes).
 *
 * <p>Pagination counts file lines only; a metaData line travels on the page of the file line that
 * follows it, or on the last page when no file follows.
 */
final class ChangeLineSource implements LineSource {
  enum Mode {
    STREAMING,
    CDF
  }

  /** Writes a metaData or protocol line for a version. */
  interface HeadLines {
    byte[] metadata(TableMetadata m, long version);

    byte[] protocol(DeltaProtocol p, long version);
  }

  private record Item(FileAction action, DataFile file, long version, long timestamp, byte[] line) {
    boolean isFile() {
      return file != null;
    }
  }

  private final CloseableIterator<ChangeRecord> changes;
  private final Mode mode;
  private final long startVersion;
  private final LineContext lines;
  private final HeadLines head;
  private final boolean historicalMetadata;
  private final boolean historicalProtocol;
  private final long skip;
  private final long pageSize;
  private final SnapshotLineSource.Trailer trailer;
  private final ArrayDeque<Item> items = new ArrayDeque<>();
  private final List<ChangeRecord> commit = new ArrayList<>();
  private ChangeRecord carried;
  private final ByteArrayBuilder deferred = new ByteArrayBuilder(256);
  private long fileIndex;
  private long emitted;
  private boolean done;
  private Long nextIndex;

  ChangeLineSource(
      CloseableIterator<ChangeRecord> changes,
      Mode mode,
      long startVersion,
      LineContext lines,
      HeadLines head,
      boolean historicalMetadata,
      boolean historicalProtocol,
      long skip,
      Integer pageSize,
      SnapshotLineSource.Trailer trailer) {
    this.changes = changes;
    this.mode = mode;
    this.startVersion = startVersion;
    this.lines = lines;
    this.head = head;
    this.historicalMetadata = historicalMetadata;
    this.historicalProtocol = historicalProtocol;
    this.skip = skip;
    this.pageSize = pageSize == null ? Long.MAX_VALUE : pageSize;
    this.trailer = trailer;
  }

  /** Fills {@link #items} with the next commit's items; false at the end of the range. */
  private boolean loadCommit() {
    commit.clear();
    if (carried != null) {
      commit.add(carried);
      carried = null;
    }
    while (changes.hasNext()) {
      ChangeRecord r = changes.next();
      if (!commit.isEmpty() && r.version() != commit.get(0).version()) {
        carried = r;
        break;
      }
      commit.add(r);
    }
    if (commit.isEmpty()) return false;
    toItems(commit);
    return true;
  }

  private void toItems(List<ChangeRecord> records) {
    boolean hasCdc = false;
    boolean noOpMerge = false;
    for (ChangeRecord r : records) {
      if (r instanceof ChangeRecord.FileChange f && f.kind() == ChangeRecord.FileKind.CDC)
        hasCdc = true;
      if (r instanceof ChangeRecord.CommitInfo ci
          && "MERGE".equals(ci.operation())
          && isNoOpMerge(ci.operationMetrics())) {
        noOpMerge = true;
      }
    }
    for (ChangeRecord r : records) {
      if (r instanceof ChangeRecord.FileChange f) {
        if (mode == Mode.CDF && noOpMerge) continue;
        boolean keep =
            switch (f.kind()) {
              case CDC -> mode == Mode.CDF;
              case ADD, REMOVE -> f.file().dataChange() && !(mode == Mode.CDF && hasCdc);
            };
        if (!keep) continue;
        FileAction action =
            switch (f.kind()) {
              case CDC -> FileAction.CDF;
              case ADD -> FileAction.ADD;
              case REMOVE -> FileAction.REMOVE;
            };
        items.add(new Item(action, f.file(), f.version(), f.timestamp(), null));
      } else if (r instanceof ChangeRecord.MetadataChange m) {
        if (mode == Mode.CDF
            && !"true"
                .equalsIgnoreCase(m.metadata().configuration().get("delta.enableChangeDataFeed"))) {
          throw SharingErrors.invalidParameter(
              "Error getting change data for range ["
                  + startVersion
                  + ", ...] as change data was not recorded for version ["
                  + m.version()
                  + "]");
        }
        boolean wanted = mode == Mode.STREAMING || historicalMetadata;
        if (wanted && m.version() > startVersion) {
          items.add(
              new Item(
                  null,
                  null,
                  m.version(),
                  m.timestamp(),
                  head.metadata(m.metadata(), m.version())));
        }
      } else if (r instanceof ChangeRecord.ProtocolChange p) {
        if (historicalProtocol && p.version() > startVersion) {
          byte[] line = head.protocol(p.protocol(), p.version());
          if (line != null) items.add(new Item(null, null, p.version(), p.timestamp(), line));
        }
      }
    }
  }

  private static boolean isNoOpMerge(Map<String, String> metrics) {
    if (metrics.isEmpty()) return false;
    for (String key :
        List.of("numTargetRowsInserted", "numTargetRowsUpdated", "numTargetRowsDeleted")) {
      if (!"0".equals(metrics.getOrDefault(key, "0"))) return false;
    }
    return metrics.containsKey("numTargetRowsInserted")
        || metrics.containsKey("numTargetRowsUpdated")
        || metrics.containsKey("numTargetRowsDeleted");
  }

  @Override
  public byte[] next(int maxLines) {
    if (done) return null;
    ProtocolCodec.LineWriter out = new ProtocolCodec.LineWriter(maxLines * 600);
    int n = 0;
    while (n < maxLines) {
      if (items.isEmpty() && !loadCommit()) {
        done = true;
        byte[] rest = deferred.toByteArray();
        if (rest.length > 0) out.raw(rest);
        break;
      }
      if (items.isEmpty()) continue;
      Item item = items.peek();
      if (item.isFile()) {
        if (fileIndex < skip) {
          items.poll();
          fileIndex++;
          continue;
        }
        if (emitted >= pageSize) {
          nextIndex = skip + emitted;
          done = true;
          break;
        }
        Long ts = item.timestamp();
        lines.append(out, item.action(), item.file(), item.version(), ts);
        items.poll();
        emitted++;
        fileIndex++;
        n++;
      } else {
        items.poll();
        if (fileIndex < skip) continue;
        if (emitted >= pageSize) deferred.write(item.line());
        else {
          out.raw(item.line());
          n++;
        }
      }
    }
    if (done) changes.close();
    byte[] bytes = out.toByteArray();
    return bytes.length == 0 && done ? null : bytes;
  }

  @Override
  public long emitted() {
    return lines.appended();
  }

  @Override
  public EndStreamAction trailer() {
    return trailer == null ? null : trailer.build(nextIndex, lines.minExpirationOrNull());
  }

  @Override
  public void close() {
    changes.close();
  }
}
