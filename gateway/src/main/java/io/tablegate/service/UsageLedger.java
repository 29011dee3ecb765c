package io.tablegate.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What each recipient read on this instance since it started: per recipient id (a token id, or
 * {@code oidc:<subject>}) and table, the requests answered, the files (actions) listed and the
 * bytes sent, file downloads through the gateway included (as table {@code "(file downloads)"}).
 * Bounded: the least recently used of more than {@link #MAX_ENTRIES} pairs are dropped. The audit
 * log holds every request for a complete, cross-instance account.
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
  }

  private final Cache<Key, Counts> entries = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();

  /** One answered request of {@code recipient} on {@code table} ({@code share.schema.table}). */
  public void record(String recipient, String table, long files, long bytes) {
    Counts c = entries.get(new Key(recipient, table), k -> new Counts());
    c.requests.increment();
    c.files.add(files);
    c.bytes.add(bytes);
  }

  /** The usage of these recipient ids, summed per table, in table order. */
  public Map<String, Usage> usage(Collection<String> recipients) {
    Map<String, long[]> sums = new TreeMap<>();
    entries
        .asMap()
        .forEach(
            (k, c) -> {
              if (!recipients.contains(k.recipient())) return;
              long[] s = sums.computeIfAbsent(k.table(), t -> new long[3]);
              s[0] += c.requests.sum();
              s[1] += c.files.sum();
              s[2] += c.bytes.sum();
            });
    Map<String, Usage> out = new TreeMap<>();
    sums.forEach((t, s) -> out.put(t, new Usage(s[0], s[1], s[2])));
    return out;
  }
}
