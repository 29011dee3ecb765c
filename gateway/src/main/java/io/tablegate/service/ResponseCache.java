package io.tablegate.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tablegate.protocol.EndStreamAction;
import java.io.ByteArrayOutputStream;
import java.time.Duration;

/**
 * Encoded response bodies of complete, unpaginated queries, kept for a short time (by default one
 * minute, at most 1/60 of the URL lifetime) so that a burst of identical queries (Spark executors,
 * dashboards, a load balancer's instances) skips listing, signing and encoding. The lines keep
 * their true {@code expirationTimestamp}; a URL is never handed out past its expiry, and with the
 * default lifetimes it always has at least 59 of its 60 minutes left. Keys contain the table
 * version, so a commit never serves a stale body. Bounded by total bytes; large bodies are not
 * kept.
 */
final class ResponseCache {
  /**
   * An encoded body, kept off the heap (a direct buffer: the socket writes it without a copy; the
   * collector frees it once evicted and no response holds it), and the earliest URL expiry in it.
   */
  record Body(java.nio.ByteBuffer bytes, Long minExpiration, long files) {
    static Body of(byte[] encoded, Long minExpiration, long files) {
      java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(encoded.length);
      direct.put(encoded).flip();
      return new Body(direct.asReadOnlyBuffer(), minExpiration, files);
    }

    int length() {
      return bytes.capacity();
    }
  }

  private static final int REPLAY_CHUNK = 1 << 20;
  private final Cache<String, Body> cache;
  private final long maxBodyBytes;

  /**
   * @param clock the gateway's clock: entries age with it, as the URLs in them do
   */
  ResponseCache(Duration ttl, long maxTotalBytes, java.time.Clock clock) {
    this.maxBodyBytes = Math.max(0, maxTotalBytes / 8);
    this.cache =
        ttl.isZero() || maxTotalBytes <= 0
            ? null
            : Caffeine.newBuilder()
                .ticker(() -> clock.millis() * 1_000_000L)
                .expireAfterWrite(ttl)
                .maximumWeight(maxTotalBytes)
                .weigher((String k, Body b) -> b.length() + k.length())
                .build();
  }

  /** A cached body's lines, with a trailer built from its URL expiry; null on a miss. */
  LineSource replay(String key, SnapshotLineSource.Trailer trailer) {
    if (cache == null) return null;
    Body body = cache.getIfPresent(key);
    if (body == null) return null;
    return new LineSource() {
      private int pos;

      @Override
      public byte[] next(int maxLines) {
        java.nio.ByteBuffer all = body.bytes();
        if (pos >= body.length()) return null;
        int end = Math.min(body.length(), pos + REPLAY_CHUNK);
        while (end < body.length() && all.get(end - 1) != '\n') end++; // whole lines only
        byte[] chunk = new byte[end - pos];
        all.get(pos, chunk);
        pos = end;
        return chunk;
      }

      @Override
      public boolean inMemory() {
        return true;
      }

      @Override
      public boolean closesInline() {
        return true;
      }

      @Override
      public java.nio.ByteBuffer rest() {
        if (pos != 0) return null;
        pos = body.length();
        return body.bytes().duplicate(); // read-only, its own position
      }

      @Override
      public long emitted() {
        return body.files(); // a replay serves every file of the body (audit and usage)
      }

      @Override
      public EndStreamAction trailer() {
        return trailer == null ? null : trailer.build(null, body.minExpiration());
      }

      @Override
      public void close() {}
    };
  }

  /** Passes {@code inner} through and keeps its body if it completes and is small enough. */
  LineSource recording(String key, LineSource inner, LineContext lines) {
    if (cache == null) return inner;
    return new ForwardingLineSource(inner) {
      private ByteArrayOutputStream recorded = new ByteArrayOutputStream();

      /** A cancelled body ends early: it must never be kept as the whole response. */
      private volatile boolean cancelled;

      @Override
      public void cancel() {
        cancelled = true;
        inner.cancel();
      }

      @Override
      public byte[] next(int maxLines) {
        byte[] chunk = inner.next(maxLines);
        if (recorded != null) {
          if (cancelled) {
            recorded = null;
          } else if (chunk == null) {
            cache.put(
                key, Body.of(recorded.toByteArray(), lines.minExpirationOrNull(), inner.emitted()));
            recorded = null;
          } else if (recorded.size() + chunk.length > maxBodyBytes) {
            recorded = null; // too large to keep
          } else {
            recorded.writeBytes(chunk);
          }
        }
        return chunk;
      }

      @Override
      public void close() {
        recorded = null;
        inner.close();
      }
    };
  }
}
