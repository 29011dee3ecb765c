package io.tablegate.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tablegate.cache.Codec;
import io.tablegate.cache.MetadataCache;
import io.tablegate.crypto.Sealer;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.QueryRequest;
import io.tablegate.protocol.SharingException;
import io.tablegate.protocol.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Async queries (protocol 2.4, {@code asyncquery=true}): a submitted snapshot query gets a query id
 * at once, its version's file list is built in the background, and polls of {@code
 * .../queries/{queryId}} answer {@code pending}, {@code failed} with a message, or, once the list
 * is complete, the query's result page by page.
 *
 * <p>The query id is the query itself, sealed with the key all instances share (recipient, table,
 * pinned version, the parameters that select files, expiry): any instance can answer a poll, and a
 * changed, foreign or expired id is unknown (404). The same idempotency key with the same
 * parameters gets the same id while it lives (the mapping is shared through the metadata cache's
 * Redis tier when there is one). The build is the version's one shared scan: its list lands in the
 * local spill and in Redis, so an instance that did not start it finds it there (or builds it once
 * itself). Builds are bounded in number (the oldest forgotten first: a poll then rebuilds) and by
 * the scan limits; ids expire after {@code ttl}.
 */
final class AsyncQueries {
  private static final String PURPOSE = "async-query";

  /** No id of ours is longer (callers keep predicate hints of async queries short). */
  static final int MAX_ID_LENGTH = 2_000;

  private static final Codec<String> STRING =
      new Codec<>() {
        @Override
        public byte[] encode(String value) {
          return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
          return new String(bytes, StandardCharsets.UTF_8);
        }
      };

  /** What a query id holds. */
  record Query(
      String recipient,
      String tableId,
      long version,
      boolean timeTravel,
      List<String> predicateHints,
      String jsonPredicateHints,
      Long limitHint) {

    /** One page of the query's result, at the version pinned when it was submitted. */
    TableQuery.Snapshot page(Integer maxFiles, String pageToken) {
      QueryRequest request =
          new QueryRequest(
              predicateHints,
              jsonPredicateHints,
              limitHint,
              null,
              null,
              null,
              null,
              maxFiles,
              pageToken,
              false,
              null,
              false,
              null);
      return new TableQuery.Snapshot(
          null,
          null,
          predicateHints,
          jsonPredicateHints,
          limitHint,
          false,
          null,
          new TableQuery.Paging(maxFiles, pageToken, request.pagingFingerprint()),
          version,
          timeTravel);
    }
  }

  /** Where a build stands. */
  sealed interface Status {
    record Pending() implements Status {}

    record Done() implements Status {}

    record Failed(String message) implements Status {}
  }

  private final Sealer sealer;
  private final Clock clock;
  private final Duration ttl;
  private final MetadataCache cache;
  private final Cache<String, CompletableFuture<Void>> builds;

  AsyncQueries(Sealer sealer, Clock clock, Duration ttl, MetadataCache cache, int maxBuilds) {
    this.sealer = sealer;
    this.clock = clock;
    this.ttl = ttl;
    this.cache = cache;
    this.builds =
        Caffeine.newBuilder()
            .maximumSize(maxBuilds)
            .ticker(() -> clock.millis() * 1_000_000L)
            .expireAfterWrite(ttl)
            .build();
  }

  /**
   * The id of {@code q}: the same one for the same idempotency key and parameters while it lives.
   */
  String submit(Query q, String location, String idempotencyKey) {
    String dedup =
        "async:"
            + digest(
                q.recipient(),
                q.tableId(),
                idempotencyKey,
                String.valueOf(q.timeTravel() ? q.version() : -1),
                String.valueOf(q.predicateHints()),
                String.valueOf(q.jsonPredicateHints()),
                String.valueOf(q.limitHint()));
    String key = digest(idempotencyKey);
    String id = cache.get(location, dedup, ttl, STRING, () -> seal(q, key));
    // an id from the cache may be one this instance cannot open (another signing key): a new one
    if (open(id) == null) id = seal(q, key);
    return id;
  }

  /** With {@code key} (the idempotency key's digest): two keys are two queries. */
  private String seal(Query q, String key) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("k", key);
    t.put("w", q.recipient());
    t.put("t", q.tableId());
    t.put("v", q.version());
    t.put("tt", q.timeTravel());
    if (q.predicateHints() != null) t.put("p", new ArrayList<Object>(q.predicateHints()));
    if (q.jsonPredicateHints() != null) t.put("j", q.jsonPredicateHints());
    if (q.limitHint() != null) t.put("l", q.limitHint());
    t.put("x", clock.millis() + ttl.toMillis());
    return sealer.seal(PURPOSE, Tokens.bytes(t));
  }

  /** The query {@code id} names, or null when it is not one of ours, altered or expired. */
  private Query open(String id) {
    Map<String, Object> t;
    try {
      t = Tokens.parse(sealer.open(PURPOSE, id));
    } catch (Sealer.InvalidTokenException | IllegalArgumentException e) {
      return null;
    }
    if (!(t.get("w") instanceof String who)
        || !(t.get("t") instanceof String table)
        || !(t.get("v") instanceof Number version)
        || !(t.get("tt") instanceof Boolean timeTravel)
        || !(t.get("x") instanceof Number expiry)
        || expiry.longValue() <= clock.millis()
        || version.longValue() < 0) return null;
    List<String> hints = null;
    if (t.get("p") instanceof List<?> list) {
      hints = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) return null;
        hints.add(s);
      }
    } else if (t.get("p") != null) return null;
    if (t.get("j") != null && !(t.get("j") instanceof String)) return null;
    if (t.get("l") != null && !(t.get("l") instanceof Number)) return null;
    return new Query(
        who,
        table,
        version.longValue(),
        timeTravel,
        hints,
        (String) t.get("j"),
        t.get("l") == null ? null : ((Number) t.get("l")).longValue());
  }

  /**
   * The query {@code id} names for this recipient and table; otherwise, like an id that never
   * existed, 404.
   */
  Query open(String id, String recipient, String tableId) {
    Query q = id == null || id.length() > MAX_ID_LENGTH ? null : open(id);
    if (q == null || !q.recipient().equals(recipient) || !q.tableId().equals(tableId)) {
      throw new SharingException(
          ErrorCode.RESOURCE_DOES_NOT_EXIST,
          "Query '"
              + (id == null ? "" : id.length() > 64 ? id.substring(0, 64) + "..." : id)
              + "' does not exist or has expired; please submit the query again.");
    }
    return q;
  }

  /**
   * Where the build of {@code id} stands; starts it (with {@code build}, which runs it and
   * completes the returned future) when this instance has none.
   */
  Status status(String id, Function<String, CompletableFuture<Void>> build) {
    CompletableFuture<Void> f = builds.get(id, build);
    if (!f.isDone()) return new Status.Pending();
    try {
      f.getNow(null); // done: never waits, throws the build's failure
      return new Status.Done();
    } catch (java.util.concurrent.CompletionException
        | java.util.concurrent.CancellationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new Status.Failed(
          cause instanceof SharingException s
              ? s.getMessage()
              : "The file list could not be built; please submit the query again.");
    }
  }

  /** Builds held now (running or finished), for tests. */
  long held() {
    builds.cleanUp();
    return builds.estimatedSize();
  }

  private static String digest(String... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        d.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
      }
      return HexFormat.of().formatHex(d.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
