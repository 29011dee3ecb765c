package io.tablegate.service;

import io.tablegate.cache.MetadataCache;
import io.tablegate.cache.SharedTier;
import io.tablegate.protocol.EndStreamAction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * The encoded file lines of complete snapshot queries, kept in the shared tier (Redis) for one URL
 * signing window, so that the same query in the same window, on any instance and for any recipient
 * whose URLs are the same (presigned URLs: every recipient; the gateway's own URLs: one recipient),
 * is served by copying bytes: no table listing, no signing, no encoding.
 *
 * <p>Only signers that say their URLs can be reused ({@link io.tablegate.spi.UrlSigner#reuseKey},
 * which includes the window) take part, so a line is never handed out past its window, and its URL
 * then still has at least the configured lifetime left. Keys contain the table version and every
 * request parameter that changes the lines; a list is visible only once complete (an interrupted or
 * failed stream keeps nothing). If the shared tier loses part of a list while it is being replayed,
 * the rest comes from the table itself, after the files already sent.
 *
 * <p>A list is a sequence of items: a 4-byte line count followed by one item of that many lines,
 * repeated, then a 9-byte end item ({@code 'E'}, the earliest URL expiry or {@link
 * Long#MIN_VALUE}).
 */
final class SharedLines {
  private static final byte END = 'E';

  /** Lines are kept in items of about this size (a replay writes one per pull). */
  static final int ITEM_BYTES = 512 * 1024;

  private final MetadataCache cache;
  private final Duration ttl;
  private final LongAdder hits = new LongAdder();
  private final LongAdder recorded = new LongAdder();
  private final LongAdder lost = new LongAdder();

  /**
   * @param ttl how long a list is kept: the signing window (no request of a later window asks for
   *     it)
   */
  SharedLines(MetadataCache cache, Duration ttl) {
    this.cache = cache;
    this.ttl = ttl;
  }

  /** Queries served from the shared tier so far. */
  long hits() {
    return hits.sum();
  }

  /** Lists the shared tier lost (or returned damaged) while they were served. */
  long lost() {
    return lost.sum();
  }

  /** Lists written to the shared tier so far. */
  long recorded() {
    return recorded.sum();
  }

  /**
   * The key of a query's lines: its version and a digest of everything else its lines depend on
   * (the signer's reuse key, which holds the window, and the request's parameters).
   */
  static String key(long version, String... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        d.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
      }
      return "s:lines@" + version + ":" + HexFormat.of().formatHex(d.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The lines kept under {@code key}, or null when there are none. {@code fallback} gives the
   * table's own lines after a number of files, for a list the shared tier loses while it is read.
   */
  LineSource replay(
      String location,
      String key,
      SnapshotLineSource.Trailer trailer,
      LongFunction<LineSource> fallback) {
    if (Inline.active()) throw Inline.MISS; // the shared tier is never read on an event loop
    Optional<Iterator<byte[]>> list = cache.readList(location, key);
    if (list.isEmpty()) return null;
    hits.increment();
    Iterator<byte[]> items = list.get();
    return new LineSource() {
      private long emitted;
      private Long minExpiration;
      private LineSource rest;
      private boolean done;

      @Override
      public byte[] next(int maxLines) {
        if (rest != null) return rest.next(maxLines);
        if (done) return null;
        try {
          if (!items.hasNext()) return lost(maxLines);
          byte[] head = items.next();
          if (head.length == 9 && head[0] == END) {
            long exp = ByteBuffer.wrap(head, 1, 8).getLong();
            minExpiration = exp == Long.MIN_VALUE ? null : exp;
            done = true;
            return null;
          }
          if (head.length != 4 || !items.hasNext()) return lost(maxLines);
          int lines = ByteBuffer.wrap(head).getInt();
          byte[] body = items.next();
          emitted += lines;
          return body;
        } catch (RuntimeException e) {
          return lost(maxLines);
        }
      }

      /** The shared tier lost the rest (or it is damaged): the table serves it. */
      private byte[] lost(int maxLines) {
        lost.increment();
        cache.invalidateShared(location, key); // the next request of the window records it anew
        rest = fallback.apply(emitted);
        return rest.next(maxLines);
      }

      @Override
      public long emitted() {
        return rest == null ? emitted : emitted + rest.emitted();
      }

      @Override
      public void cancel() {
        LineSource r = rest;
        if (r != null) r.cancel();
      }

      @Override
      public EndStreamAction trailer() {
        if (rest != null) return rest.trailer();
        return trailer == null ? null : trailer.build(null, minExpiration);
      }

      @Override
      public void close() {
        if (rest != null) rest.close();
      }
    };
  }

  /**
   * Passes {@code inner} through and keeps its lines under {@code key} once it completes; a
   * cancelled or failed stream keeps nothing.
   */
  LineSource recording(String location, String key, LineSource inner, LineContext lines) {
    SharedTier.ListWriter writer = cache.writeList(location, key, ttl);
    if (!writer.active()) return inner;
    return new ForwardingLineSource(inner) {
      private volatile boolean cancelled;
      private long counted;

      /** Lines gathered into one item of about {@link #ITEM_BYTES}: fewer, larger replays. */
      private final java.io.ByteArrayOutputStream item = new java.io.ByteArrayOutputStream();

      @Override
      public void cancel() {
        cancelled = true;
        inner.cancel();
      }

      private void writeItem() {
        if (item.size() == 0) return;
        long now = inner.emitted();
        writer.add(ByteBuffer.allocate(4).putInt((int) (now - counted)).array());
        writer.add(item.toByteArray());
        item.reset();
        counted = now;
      }

      @Override
      public byte[] next(int maxLines) {
        byte[] chunk = inner.next(maxLines);
        if (cancelled) {
          writer.close();
        } else if (chunk == null) {
          writeItem();
          Long min = lines.minExpirationOrNull();
          writer.add(
              ByteBuffer.allocate(9).put(END).putLong(min == null ? Long.MIN_VALUE : min).array());
          writer.commit();
          recorded.increment();
        } else {
          item.writeBytes(chunk);
          if (item.size() >= ITEM_BYTES) writeItem();
        }
        return chunk;
      }

      @Override
      public void close() {
        writer.close();
        inner.close();
      }
    };
  }
}
