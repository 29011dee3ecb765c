package io.tablegate.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What each recipient read: per recipient id (a token id, or {@code oidc:<subject>}) and table, the
 * requests answered, the files (actions) listed and the bytes sent, file downloads through the
 * gateway included (as table {@code "(file downloads)"}). Counted here per instance (bounded: the
 * least recently used of more than {@link #MAX_ENTRIES} pairs are dropped); with Redis every
 * instance adds what it counted to one hash per recipient every few seconds ({@link #flush}, a
 * transaction per recipient, kept {@link #SHARED_TTL} after its last use), so any instance reports
 * the use on all of them. The audit log holds every request.
 */
public final class UsageLedger {
  static final int MAX_ENTRIES = 100_000;
  public static final String DOWNLOADS = "(file downloads)";

  /** Counts of one recipient on one table. */
  public record Usage(long requests, long files, long bytes) {}

  private record Key(String recipient, String table) {}

  private static final class Counts {
    final LongAdder requests = new LongAdder();
    final LongAdder files = new LongAdder();
    final LongAdder bytes = new LongAdder();

    /** What was already added to the shared counters (written by the one flushing thread). */
    volatile long flushedRequests;

    volatile long flushedFiles;
    volatile long flushedBytes;
  }

  /** How long a recipient's shared counters live after their last addition. */
  static final java.time.Duration SHARED_TTL = java.time.Duration.ofDays(90);

  private static final String FIELD = "\u0001";

  private final Cache<Key, Counts> entries = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();
  private final io.tablegate.cache.MetadataCache shared;

  /** Counts on this instance only. */
  public UsageLedger() {
    this(io.tablegate.cache.MetadataCache.disabled());
  }

  /**
   * @param shared where every instance's counts meet (its Redis tier); without one, per instance
   */
  public UsageLedger(io.tablegate.cache.MetadataCache shared) {
    this.shared = shared;
  }

  /** What a usage report covers. */
  public String scope() {
    return shared.shared()
        ? "all instances (counted in Redis; this instance's last few seconds included)"
        : "this instance, since it started";
  }

  /**
   * Adds what this instance counted since the last flush to the shared counters; what Redis does
   * not take is added next time. One thread at a time (the gateway's periodic flush).
   */
  public synchronized void flush() {
    if (!shared.shared()) return;
    Map<String, Map<String, Long>> byRecipient = new java.util.HashMap<>();
    Map<String, List<Runnable>> marks = new java.util.HashMap<>();
    entries
        .asMap()
        .forEach(
            (k, c) -> {
              long r = c.requests.sum();
              long f = c.files.sum();
              long b = c.bytes.sum();
              if (r == c.flushedRequests && f == c.flushedFiles && b == c.flushedBytes) return;
              Map<String, Long> d =
                  byRecipient.computeIfAbsent(k.recipient(), x -> new TreeMap<>());
              d.merge(k.table() + FIELD + "requests", r - c.flushedRequests, Long::sum);
              d.merge(k.table() + FIELD + "files", f - c.flushedFiles, Long::sum);
              d.merge(k.table() + FIELD + "bytes", b - c.flushedBytes, Long::sum);
              marks
                  .computeIfAbsent(k.recipient(), x -> new java.util.ArrayList<>())
                  .add(
                      () -> {
                        c.flushedRequests = r;
                        c.flushedFiles = f;
                        c.flushedBytes = b;
                      });
            });
    byRecipient.forEach(
        (recipient, deltas) -> {
          if (shared.addCounters("usage:" + recipient, deltas, SHARED_TTL))
            marks.get(recipient).forEach(Runnable::run);
        });
  }

  /** One answered request of {@code recipient} on {@code table} ({@code share.schema.table}). */
  public void record(String recipient, String table, long files, long bytes) {
    Counts c = entries.get(new Key(recipient, table), k -> new Counts());
    c.requests.increment();
    c.files.add(files);
    c.bytes.add(bytes);
  }

  /**
   * The usage of these recipient ids, summed per table, in table order: with Redis, every
   * instance's flushed counts plus what this instance has not flushed yet. Blocking with Redis (a
   * worker thread).
   */
  public synchronized Map<String, Usage> usage(Collection<String> recipients) {
    Map<String, long[]> sums = new TreeMap<>();
    boolean fromShared = shared.shared();
    if (fromShared) {
      for (String recipient : recipients) {
        shared
            .counters("usage:" + recipient)
            .forEach(
                (field, value) -> {
                  int cut = field.lastIndexOf(FIELD);
                  if (cut < 0) return;
                  long[] s = sums.computeIfAbsent(field.substring(0, cut), t -> new long[3]);
                  switch (field.substring(cut + 1)) {
                    case "requests" -> s[0] += value;
                    case "files" -> s[1] += value;
                    case "bytes" -> s[2] += value;
                    default -> {}
                  }
                });
      }
    }
    entries
        .asMap()
        .forEach(
            (k, c) -> {
              if (!recipients.contains(k.recipient())) return;
              long[] s = sums.computeIfAbsent(k.table(), t -> new long[3]);
              s[0] += c.requests.sum() - (fromShared ? c.flushedRequests : 0);
              s[1] += c.files.sum() - (fromShared ? c.flushedFiles : 0);
              s[2] += c.bytes.sum() - (fromShared ? c.flushedBytes : 0);
            });
    Map<String, Usage> out = new TreeMap<>();
    sums.forEach((t, s) -> out.put(t, new Usage(s[0], s[1], s[2])));
    return out;
  }
}
