package io.tablegate.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis tier through the Vert.x Redis client. Calls come from worker threads and wait for the
 * client's future with a timeout (the SPI above is synchronous by design; event loops never call
 * this). Lists are stored as chunks {@code key:0..n-1} of length-prefixed items plus a {@code
 * key:n} count written last, so readers see whole lists or nothing, and a million-item list is
 * never held in memory at once on either side.
 */
public final class RedisSharedTier implements SharedTier {
  private static final Logger LOGGER = LoggerFactory.getLogger(RedisSharedTier.class);
  private static final int CHUNK_ITEMS = 2_000;

  /** A chunk is also written once it holds this many bytes (lists of large items: line blocks). */
  private static final int CHUNK_BYTES = 1 << 20;

  /** Chunks a list writer or reader has in flight beyond the one it works on. */
  private static final int IN_FLIGHT = 3;

  private final Redis client;
  private final RedisAPI api;
  private final String prefix;
  private final long timeoutMs;
  private final AtomicBoolean down = new AtomicBoolean();

  public RedisSharedTier(Vertx vertx, RedisOptions options, String prefix, Duration timeout) {
    this.client = Redis.createClient(vertx, new RedisOptions(options));
    this.api = RedisAPI.api(client);
    this.prefix = prefix;
    this.timeoutMs = timeout.toMillis();
  }

  private <T> Optional<T> call(Future<T> f) {
    try {
      T value = f.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
      if (down.compareAndSet(true, false))
        LOGGER.atInfo().log("Redis cache tier is reachable again");
      return Optional.ofNullable(value);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      if (down.compareAndSet(false, true)) {
        LOGGER
            .atWarn()
            .addKeyValue("cause", e.toString())
            .log(
                "Redis cache tier is unavailable; serving from the in-process tier and the store (logged once per outage)");
      }
      return Optional.empty();
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    return call(api.get(prefix + key)).map(r -> r.toBuffer().getBytes());
  }

  /** SET key value PX ttl with a binary-safe value. */
  private Optional<Response> setBytes(String fullKey, Buffer value, String px) {
    return call(client.send(Request.cmd(Command.SET).arg(fullKey).arg(value).arg("PX").arg(px)));
  }

  @Override
  public void set(String key, byte[] value, Duration ttl) {
    setBytes(prefix + key, Buffer.buffer(value), Long.toString(Math.max(1, ttl.toMillis())));
  }

  @Override
  public void delete(String key) {
    call(api.del(List.of(prefix + key)));
  }

  @Override
  public boolean available() {
    return !down.get();
  }

  @Override
  public ListWriter writeList(String key, Duration ttl) {
    String base = prefix + key;
    String px = Long.toString(Math.max(1, ttl.toMillis()));
    return new ListWriter() {
      private Buffer chunk = Buffer.buffer();
      private int inChunk;
      private int chunks;
      private boolean failed;
      private boolean done;

      /** Chunks sent and not yet acknowledged: the writer goes on while Redis stores them. */
      private final java.util.ArrayDeque<Future<Response>> inFlight = new java.util.ArrayDeque<>();

      @Override
      public void add(byte[] item) {
        if (failed || done) return;
        chunk.appendInt(item.length).appendBytes(item);
        if (++inChunk == CHUNK_ITEMS || chunk.length() >= CHUNK_BYTES) flush();
      }

      private void flush() {
        if (inChunk == 0) return;
        inFlight.add(
            client.send(
                Request.cmd(Command.SET).arg(base + ":" + chunks).arg(chunk).arg("PX").arg(px)));
        while (!failed && inFlight.size() > IN_FLIGHT) settleOldest();
        chunks++;
        chunk = Buffer.buffer();
        inChunk = 0;
      }

      private void settleOldest() {
        if (call(inFlight.poll()).isEmpty()) failed = true;
      }

      @Override
      public void commit() {
        if (failed || done) return;
        flush();
        while (!failed && !inFlight.isEmpty()) settleOldest();
        if (!failed) call(api.set(List.of(base, Integer.toString(chunks), "PX", px)));
        done = true;
      }

      @Override
      public void close() {
        done = true;
      }
    };
  }

  @Override
  public Optional<Iterator<byte[]>> readList(String key) {
    String base = prefix + key;
    Optional<Response> count = call(api.get(base));
    if (count.isEmpty()) return Optional.empty();
    int chunks = count.get().toInteger();
    return Optional.of(
        new Iterator<>() {
          private int next;
          private Buffer chunk;
          private int pos;

          /** The next chunks, asked for while this one is consumed (round trips hidden). */
          private final java.util.ArrayDeque<Future<Response>> ahead = new java.util.ArrayDeque<>();

          private int asked;

          @Override
          public boolean hasNext() {
            while (chunk == null || pos >= chunk.length()) {
              if (next >= chunks) return false;
              while (asked < chunks && asked <= next + IN_FLIGHT)
                ahead.add(api.get(base + ":" + asked++));
              next++;
              Optional<Response> r = call(ahead.poll());
              if (r.isEmpty())
                throw new IllegalStateException(
                    "Redis lost chunk " + (next - 1) + " of a cached list");
              chunk = r.get().toBuffer();
              pos = 0;
            }
            return true;
          }

          @Override
          public byte[] next() {
            if (!hasNext()) throw new NoSuchElementException();
            int len = chunk.getInt(pos);
            byte[] item = chunk.getBytes(pos + 4, pos + 4 + len);
            pos += 4 + len;
            return item;
          }
        });
  }

  @Override
  public boolean addCounters(String key, java.util.Map<String, Long> deltas, Duration ttl) {
    if (deltas.isEmpty()) return true;
    String full = prefix + key;
    List<Request> batch = new java.util.ArrayList<>();
    batch.add(Request.cmd(Command.MULTI));
    for (var e : deltas.entrySet())
      batch.add(Request.cmd(Command.HINCRBY).arg(full).arg(e.getKey()).arg(e.getValue()));
    batch.add(Request.cmd(Command.PEXPIRE).arg(full).arg(Math.max(1, ttl.toMillis())));
    batch.add(Request.cmd(Command.EXEC));
    // one connection, one transaction: the counters move together or not at all
    return call(client.batch(batch)).isPresent();
  }

  @Override
  public java.util.Map<String, Long> counters(String key) {
    Optional<Response> r = call(api.hgetall(prefix + key));
    if (r.isEmpty()) return java.util.Map.of();
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    Response h = r.get();
    try {
      if (!h.getKeys().isEmpty()) {
        for (String k : h.getKeys()) out.put(k, h.get(k).toLong());
      } else {
        for (int i = 0; i + 1 < h.size(); i += 2)
          out.put(h.get(i).toString(), h.get(i + 1).toLong());
      }
    } catch (RuntimeException e) {
      return java.util.Map.of(); // not a hash of counters: nothing to report
    }
    return out;
  }

  @Override
  public void close() {
    client.close();
  }
}
