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
 * The body of a change query, one commit at a time. A commit's lines depend on the whole commit
 * (whether it has cdc files, whether it is a no-op MERGE), so a commit is read once to learn that
 * and then served: up to {@link #HELD_IN_MEMORY} of its actions are held in memory, a larger commit
 * goes to a spill file on local disk (deleted when the commit is served), so memory stays bounded
 * whatever the size of a commit. Two modes: {@code STREAMING} ({@code /query} with {@code
 * startingVersion}: data-changing add and remove files plus later metaData) and {@code CDF} ({@code
 * /changes}: a commit's cdc files when it has any, else its data-changing adds as inserts and
 * removes as deletes).
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

  /** Actions of one commit held in memory; beyond this the commit is spilled to disk. */
  static final int HELD_IN_MEMORY = 10_000;

  private final List<ChangeRecord> commit = new ArrayList<>();
  private java.nio.file.Path spill;
  private java.io.DataOutputStream spillOut;
  private java.io.DataInputStream spillIn;
  private long spilled;
  private int served;
  private long maxHeld;
  private boolean hasCdc;
  private boolean noOpMerge;
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

  /**
   * Reads the next commit (into memory, or past {@link #HELD_IN_MEMORY} actions into a spill file)
   * and what its lines depend on; false at the end of the range.
   */
  private boolean loadCommit() {
    dropCommit();
    hasCdc = false;
    noOpMerge = false;
    long version = -1;
    boolean any = false;
    while (carried != null || changes.hasNext()) {
      ChangeRecord r = carried != null ? carried : changes.next();
      carried = null;
      if (any && r.version() != version) {
        carried = r;
        break;
      }
      any = true;
      version = r.version();
      if (r instanceof ChangeRecord.FileChange f && f.kind() == ChangeRecord.FileKind.CDC)
        hasCdc = true;
      if (r instanceof ChangeRecord.CommitInfo ci
          && "MERGE".equals(ci.operation())
          && isNoOpMerge(ci.operationMetrics())) {
        noOpMerge = true;
      }
      hold(r);
    }
    if (spillOut != null) {
      try {
        spillOut.close();
        spillOut = null;
        spillIn =
            new java.io.DataInputStream(
                new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(spill), 65_536));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot read back a spilled commit", e);
      }
    }
    return any;
  }

  private void hold(ChangeRecord r) {
    try {
      if (spillOut == null && commit.size() < HELD_IN_MEMORY) {
        commit.add(r);
        maxHeld = Math.max(maxHeld, commit.size());
        return;
      }
      if (spillOut == null) {
        spill = java.nio.file.Files.createTempFile("tablegate-commit-", ".spill");
        spillOut =
            new java.io.DataOutputStream(
                new java.io.BufferedOutputStream(
                    java.nio.file.Files.newOutputStream(spill), 65_536));
      }
      byte[] b = ChangeRecordCodec.encode(r);
      spillOut.writeInt(b.length);
      spillOut.write(b);
      spilled++;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot spill a large commit to disk", e);
    }
  }

  /** The commit's next action (memory first, then the spill), or null when it is served. */
  private ChangeRecord nextHeld() {
    if (served < commit.size()) return commit.get(served++);
    if (spillIn == null || spilled == 0) return null;
    try {
      spilled--;
      byte[] b = new byte[spillIn.readInt()];
      spillIn.readFully(b);
      return ChangeRecordCodec.decode(b);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read back a spilled commit", e);
    }
  }

  private void dropCommit() {
    commit.clear();
    served = 0;
    spilled = 0;
    try {
      if (spillOut != null) spillOut.close();
      if (spillIn != null) spillIn.close();
      if (spill != null) java.nio.file.Files.deleteIfExists(spill);
    } catch (java.io.IOException e) {
      // a temporary file left behind is removed with the temporary directory
    }
    spillOut = null;
    spillIn = null;
    spill = null;
  }

  /** The most actions held in memory at once so far (for tests of the bound). */
  long maxHeld() {
    return maxHeld;
  }

  /** Queues the next items of the current commit, or of the next; false at the end. */
  private boolean fill() {
    while (items.isEmpty()) {
      ChangeRecord r = nextHeld();
      if (r != null) toItems(r);
      else if (!loadCommit()) return false;
    }
    return true;
  }

  private void toItems(ChangeRecord r) {
    {
      if (r instanceof ChangeRecord.FileChange f) {
        if (mode == Mode.CDF && noOpMerge) return;
        boolean keep =
            switch (f.kind()) {
              case CDC -> mode == Mode.CDF;
              case ADD, REMOVE -> f.file().dataChange() && !(mode == Mode.CDF && hasCdc);
            };
        if (!keep) return;
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
      if (!fill()) {
        done = true;
        byte[] rest = deferred.toByteArray();
        if (rest.length > 0) out.raw(rest);
        break;
      }
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
    if (done) {
      changes.close();
      dropCommit();
    }
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
    dropCommit();
  }
}
