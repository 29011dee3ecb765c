package io.tablegate.service;

import io.tablegate.protocol.EndStreamAction;
import io.tablegate.protocol.FileAction;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;

/**
 * The file lines of a snapshot query, read lazily from the table's scan: predicate pruning, {@code
 * limitHint}, and one page of {@code maxFiles} starting after {@code skip} matching files.
 */
final class SnapshotLineSource implements LineSource {
  /**
   * Builds the trailer from the next page's start index (null on the last page) and the minimum URL
   * expiry.
   */
  interface Trailer {
    EndStreamAction build(Long nextIndex, Long minUrlExpiration);
  }

  private final CloseableIterator<DataFile> files;
  private final LineContext lines;
  private final JsonPredicate predicate;
  private final Long limitHint;
  private final long skip;
  private final long pageSize;
  private final Long version;
  private final Long timestamp;
  private final Trailer trailer;
  private long matched;
  private long emitted;
  private long records;
  private boolean done;
  private Long nextIndex;
  private DataFile lookahead;
  private volatile boolean cancelled;

  /**
   * Set when one call examined {@link #EXAMINE_PER_CALL} files without a match: the call returns
   * early.
   */
  private boolean yielded;

  /**
   * Files one call may examine without emitting a line, so a worker is never held for a whole
   * table.
   */
  static final int EXAMINE_PER_CALL = 50_000;

  SnapshotLineSource(
      CloseableIterator<DataFile> files,
      LineContext lines,
      JsonPredicate predicate,
      Long limitHint,
      long skip,
      Integer pageSize,
      Long version,
      Long timestamp,
      Trailer trailer) {
    this.files = files;
    this.lines = lines;
    this.predicate = predicate;
    this.limitHint =
        predicate == null ? limitHint : null; // like the reference: limit only without predicates
    this.skip = skip;
    this.pageSize = pageSize == null ? Long.MAX_VALUE : pageSize;
    this.version = version;
    this.timestamp = timestamp;
    this.trailer = trailer;
  }

  private DataFile nextMatching() {
    if (lookahead != null) {
      DataFile f = lookahead;
      lookahead = null;
      return f;
    }
    int examined = 0;
    while (!cancelled && files.hasNext()) {
      DataFile f = files.next();
      if (predicate == null || predicate.mightMatch(f)) {
        matched++;
        if (matched <= skip) {
          if (++examined >= EXAMINE_PER_CALL) return pause();
          continue;
        }
        return f;
      }
      if (++examined >= EXAMINE_PER_CALL) return pause();
    }
    return null;
  }

  private DataFile pause() {
    yielded = true;
    return null;
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  @Override
  public byte[] next(int maxLines) {
    if (done) return null;
    java.util.List<DataFile> chunk = new java.util.ArrayList<>(Math.min(maxLines, 1024));
    int n = 0;
    while (n < maxLines) {
      if (emitted >= pageSize) {
        DataFile more = nextMatching();
        if (more == null && yielded) {
          yielded = false;
          break;
        }
        if (more != null) {
          lookahead = more;
          nextIndex = skip + emitted;
        }
        done = true;
        break;
      }
      if (limitHint != null && records >= limitHint) {
        done = true;
        break;
      }
      DataFile f = nextMatching();
      if (f == null) {
        if (yielded) {
          yielded = false;
          break; // more to examine: the next call goes on
        }
        done = true;
        break;
      }
      chunk.add(f);
      emitted++;
      n++;
      if (limitHint != null)
        records +=
            Stats.numRecords(f.stats())
                - (f.deletionVector() == null ? 0 : f.deletionVector().cardinality());
    }
    if (done) files.close();
    return n == 0 && done ? null : lines.encode(FileAction.FILE, chunk, version, timestamp);
  }

  @Override
  public long emitted() {
    return emitted;
  }

  @Override
  public EndStreamAction trailer() {
    return trailer == null ? null : trailer.build(nextIndex, lines.minExpirationOrNull());
  }

  @Override
  public void close() {
    files.close();
  }
}
