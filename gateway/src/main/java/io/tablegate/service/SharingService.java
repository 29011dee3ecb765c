package io.tablegate.service;

import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tablegate.auth.Recipient;
import io.tablegate.cache.MetadataCache;
import io.tablegate.catalog.ShareCatalog;
import io.tablegate.catalog.SharedTable;
import io.tablegate.crypto.Sealer;
import io.tablegate.protocol.Capabilities;
import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.EndStreamAction;
import io.tablegate.protocol.Page;
import io.tablegate.protocol.ProtocolCodec;
import io.tablegate.protocol.QueryRequest;
import io.tablegate.protocol.ResponseFormat;
import io.tablegate.protocol.Schema;
import io.tablegate.protocol.Share;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.SharingException;
import io.tablegate.protocol.Table;
import io.tablegate.protocol.TableMetadata;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.StorageException;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import io.tablegate.spi.UrlSigner;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * The protocol's operations over the catalog and the table formats. Listing runs inline (it is in
 * memory); everything that touches a table runs on the {@code table-io} worker pool and comes back
 * as a {@link Future}.
 */
public final class SharingService {
  private final java.util.function.Supplier<ShareCatalog> catalogs;
  private final Map<String, TableFormat> formats;
  private final BiFunction<SharedTable, Recipient, UrlSigner> signers;
  private final WorkerExecutor workers;
  private final QueryTokens tokens;
  private final int pageSizeLimit;
  private final ResponseCache responses;
  private final SharedLines sharedLines;
  private final AsyncQueries async;
  private final java.util.function.Function<String, io.tablegate.spi.ObjectStore> stores;
  private final RequestLimits limits;
  private final Rewrites rewrites;

  /** Delta tables as Iceberg metadata for the Iceberg REST face; null when off. */
  private final IcebergExports icebergExports;

  private final java.util.function.Function<Recipient, UrlSigner> gatewaySigners;
  private final ScanGate scans;

  /**
   * @param catalogs the catalog as it is now (it changes when shares are changed at run time)
   * @param responseCacheTtl how long complete, unpaginated query bodies are kept ({@link
   *     Duration#ZERO}: not at all)
   * @param responseCacheBytes the bound on their total size
   * @param signers the URL signer of a table for a recipient (by id): presigned by its object
   *     store, or the gateway's own file URLs
   * @param sealer seals page and refresh tokens with the key all instances share
   * @param limits bounds on predicate hints
   * @param scans the slots of the table scans this instance runs at once
   * @param sharedLinesCache where complete queries' encoded lines are shared for a URL signing
   *     window (null: nowhere)
   * @param sharedLinesWindow that window ({@link Duration#ZERO}: lines are not shared)
   * @param stores the object store of a table location (temporary credentials)
   * @param rewrites where files with deletion vectors are rewritten for parquet readers (null: such
   *     tables are refused to them)
   * @param gatewaySigners the gateway's own file URLs for a recipient (rewritten files are served
   *     by the gateway even for tables shared with presigned URLs)
   */
  public SharingService(
      java.util.function.Supplier<ShareCatalog> catalogs,
      Map<String, TableFormat> formats,
      BiFunction<SharedTable, Recipient, UrlSigner> signers,
      WorkerExecutor workers,
      Clock clock,
      int pageSizeLimit,
      long pageTokenTtlMs,
      long refreshTokenTtlMs,
      Duration responseCacheTtl,
      long responseCacheBytes,
      Sealer sealer,
      RequestLimits limits,
      ScanGate scans,
      MetadataCache sharedLinesCache,
      Duration sharedLinesWindow,
      java.util.function.Function<String, io.tablegate.spi.ObjectStore> stores,
      Rewrites rewrites,
      java.util.function.Function<Recipient, UrlSigner> gatewaySigners,
      IcebergExports icebergExports) {
    this.icebergExports = icebergExports;
    this.rewrites = rewrites;
    this.gatewaySigners = gatewaySigners;
    this.stores = stores;
    this.limits = limits;
    this.sharedLines =
        sharedLinesCache == null || sharedLinesWindow.isZero()
            ? null
            : new SharedLines(sharedLinesCache, sharedLinesWindow);
    this.async =
        new AsyncQueries(
            sealer,
            clock,
            ASYNC_QUERY_TTL,
            sharedLinesCache == null ? MetadataCache.disabled() : sharedLinesCache,
            10_000);
    this.scans = scans;
    this.responses = new ResponseCache(responseCacheTtl, responseCacheBytes, clock);
    this.catalogs = catalogs;
    this.formats = Map.copyOf(formats);
    this.signers = signers;
    this.workers = workers;
    this.tokens = new QueryTokens(clock, pageTokenTtlMs, refreshTokenTtlMs, sealer);
    this.pageSizeLimit = pageSizeLimit;
  }

  /**
   * Queries served from lines shared through Redis, lists written there, and lists Redis lost while
   * they were served; zeros when lines are not shared.
   */
  public long[] sharedLinesStats() {
    return sharedLines == null
        ? new long[3]
        : new long[] {sharedLines.hits(), sharedLines.recorded(), sharedLines.lost()};
  }

  /** How long an async query's id lives (Spark gives up polling after 10 minutes). */
  static final Duration ASYNC_QUERY_TTL = Duration.ofHours(1);

  // ---- listings (in memory) -------------------------------------------------------------------

  public Page<Share> listShares(Recipient who, Integer maxResults, String pageToken) {
    return catalogs.get().listShares(who, maxResults, pageToken);
  }

  public Share share(Recipient who, String share) {
    return catalogs.get().share(who, share);
  }

  public Page<Schema> listSchemas(
      Recipient who, String share, Integer maxResults, String pageToken) {
    return catalogs.get().listSchemas(who, share, maxResults, pageToken);
  }

  public Page<Table> listTables(
      Recipient who, String share, String schema, Integer maxResults, String pageToken) {
    return catalogs.get().listTables(who, share, schema, maxResults, pageToken);
  }

  public Page<Table> listAllTables(
      Recipient who, String share, Integer maxResults, String pageToken) {
    return catalogs.get().listAllTables(who, share, maxResults, pageToken);
  }

  /** Reads the next chunk of a stream's body on the worker pool. */
  public Future<byte[]> pull(LineSource source, int maxLines) {
    return blocking(() -> source.next(maxLines));
  }

  /** Closes a stream's body on the worker pool (closing may touch files). */
  public void release(LineSource source) {
    if (source.closesInline()) {
      source.close(); // nothing to release: no hand-off to a worker (a cached response's path)
      return;
    }
    try {
      workers
          .executeBlocking(
              () -> {
                source.close();
                return null;
              },
              false)
          .onFailure(e -> source.close()); // the pool is closing (shutdown): close here
    } catch (RuntimeException e) {
      source.close();
    }
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  /**
   * Table work on the worker pool; storage failures get the table's name (never its credentials).
   */
  private static final Object MISSED = new Object();

  /**
   * Runs table work inline when everything it needs is in this process's memory (see {@link
   * Inline}), else on the worker pool.
   */
  @SuppressWarnings("unchecked")
  private <T> Future<T> blocking(SharedTable table, Callable<T> work) {
    try {
      Object inline = Inline.tryRun((Callable<Object>) work, MISSED);
      if (inline != MISSED) return Future.succeededFuture((T) inline);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    return workers.executeBlocking(
        () -> {
          try {
            return work.call();
          } catch (SharingException e) {
            if (StorageException.find(e) == null) throw e;
            throw new SharingException(
                e.errorCode(),
                "Table " + table.qualifiedName() + ": " + e.getMessage(),
                e.getCause());
          }
        },
        false);
  }

  // ---- /version --------------------------------------------------------------------------------

  public Future<Long> tableVersion(Recipient who, TableRef ref, String startingTimestamp) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    return blocking(
        table,
        () -> {
          TableFormat format = format(table);
          if (startingTimestamp == null) return format.latestVersion(table.location());
          if (!table.historyShared()) throw SharingErrors.historyNotShared(table.qualifiedName());
          long ts = parseTimestamp(startingTimestamp, "startingTimestamp");
          long v = format.versionAtOrAfter(table.location(), ts);
          if (v < table.startVersion()) throw SharingErrors.belowStartVersion(table.startVersion());
          return v;
        });
  }

  // ---- /metadata -------------------------------------------------------------------------------

  public Future<QueryStream> metadata(
      Recipient who,
      TableRef ref,
      Capabilities caps,
      String fileIdHash,
      Long version,
      String timestamp) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    checkTimeTravel(table, version, timestamp);
    FileIds ids = fileIds(fileIdHash);
    return blocking(
        table,
        () -> {
          TableFormat format = format(table);
          long v = resolveVersion(table, format, version, timestamp);
          TableSnapshot full = format.snapshot(table.location(), v);
          io.tablegate.protocol.TablePolicy policy = policy(who, table, format, full);
          TableSnapshot snap = restricted(full, policy);
          ResponseFormat rf =
              FeatureGate.choose(
                  caps,
                  snap.protocol(),
                  snap.metadata(),
                  policy != null || rewritesDeletes(format));
          byte[] head =
              snapshotHead(rf, table, snap, version != null || timestamp != null ? v : null);
          return new QueryStream(
              v, rf, false, false, echo(fileIdHash, ids), head, LineSource.EMPTY);
        });
  }

  // ---- /sample ---------------------------------------------------------------------------------

  /** The most rows a sample returns, and the most bytes of values it holds. */
  public static final int MAX_SAMPLE_ROWS = 10_000;

  static final long MAX_SAMPLE_BYTES = 16L << 20;
  public static final int DEFAULT_SAMPLE_ROWS = 10;

  /** A sample, encoded: its version, media type and bytes. */
  public record EncodedSample(long version, int rows, String contentType, byte[] body) {}

  /**
   * The first {@code limit} rows of a table version, deletes and column mapping applied, read only
   * as far as needed (files in scan order, batches lazily), as an Arrow IPC stream or as JSON.
   * Stops early (and says {@code truncated}) past {@link #MAX_SAMPLE_BYTES} of values.
   */
  public Future<EncodedSample> sample(
      Recipient who, TableRef ref, Integer limit, Long version, boolean arrow) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    int rows = limit == null ? DEFAULT_SAMPLE_ROWS : limit;
    if (rows < 1 || rows > MAX_SAMPLE_ROWS)
      throw SharingErrors.invalidParameter(
          "limit must be between 1 and " + MAX_SAMPLE_ROWS + ", got " + rows + ".");
    checkTimeTravel(table, version, null);
    return blocking(
        table,
        () -> {
          TableFormat format = format(table);
          long v = resolveVersion(table, format, version, null);
          if (version != null && v < table.startVersion())
            throw SharingErrors.belowStartVersion(table.startVersion());
          TableSnapshot snap = format.snapshot(table.location(), v);
          // under a policy: its rows and columns only, applied here to the values read
          io.tablegate.protocol.TablePolicy policy = table.policyFor(who);
          List<String> names = SampleCodec.columnNames(snap.metadata().schemaString());
          int[] keep = null;
          if (policy != null) {
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) if (policy.allows(names.get(i))) kept.add(i);
            keep = kept.stream().mapToInt(Integer::intValue).toArray();
          }
          List<Object[]> out = new ArrayList<>();
          boolean truncated = false;
          long bytes = 0;
          try (CloseableIterator<Object[]> it = format.rows(snap)) {
            while (out.size() < rows && it.hasNext()) {
              Object[] row = it.next();
              if (policy != null) {
                if (policy.filter() != null) {
                  Object[] r = row;
                  if (!policy.filter().test(c -> SampleCodec.valueOf(names, r, c))) continue;
                }
                Object[] projected = new Object[keep.length];
                for (int i = 0; i < keep.length; i++) projected[i] = row[keep[i]];
                row = projected;
              }
              bytes += SampleCodec.estimateBytes(row);
              if (bytes > MAX_SAMPLE_BYTES && !out.isEmpty()) {
                truncated = true;
                break;
              }
              out.add(row);
            }
          }
          String schemaString =
              policy == null
                  ? snap.metadata().schemaString()
                  : Policies.restrict(snap.metadata(), policy).schemaString();
          SampleCodec.Sample sample = new SampleCodec.Sample(v, schemaString, out, truncated);
          return arrow
              ? new EncodedSample(
                  v, out.size(), SampleCodec.ARROW_STREAM, SampleCodec.arrow(sample))
              : new EncodedSample(v, out.size(), "application/json", SampleCodec.json(sample));
        });
  }

  // ---- /query ----------------------------------------------------------------------------------

  public Future<QueryStream> query(
      Recipient who, TableRef ref, Capabilities caps, String fileIdHash, QueryRequest q) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    TableQuery query = TableQuery.of(q, caps);
    query.check(table);
    if (caps.asyncQuery()
        && table.policyFor(who) == null
        && query instanceof TableQuery.Snapshot
        && q.pageToken() == null
        && q.refreshToken() == null
        && !q.includeRefreshToken()
        && hintChars(q) <= MAX_ASYNC_HINT_CHARS) {
      return submitAsync(who, table, caps, fileIdHash, q);
    }
    // a change query, a page, a refresh, or hints too long to hold in a query id: answered at once,
    // as the protocol lets a server do with any async request
    return run(who, table, caps, fileIdHash, query);
  }

  // ---- /changes --------------------------------------------------------------------------------

  public Future<QueryStream> changes(
      Recipient who, TableRef ref, Capabilities caps, String fileIdHash, ChangesRequest c) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    TableQuery.ChangeRange range = TableQuery.of(c);
    range.check(table);
    if (table.policyFor(who) != null)
      throw SharingErrors.unsupported(
          "Table "
              + table.qualifiedName()
              + " is shared with you under a column and row policy; its change data is not"
              + " available under one.");
    return run(who, table, caps, fileIdHash, range);
  }

  /** Predicate hint characters an async query id may hold (ids stay well under 2 KB). */
  private static final int MAX_ASYNC_HINT_CHARS = 1_000;

  private static int hintChars(QueryRequest q) {
    int n = q.jsonPredicateHints() == null ? 0 : q.jsonPredicateHints().length();
    if (q.predicateHints() != null) for (String h : q.predicateHints()) n += h.length() + 4;
    return n;
  }

  // ---- async queries ---------------------------------------------------------------------------

  /**
   * Submits an async query: pins the version now (with the same checks as a direct query), starts
   * the version's file list in the background and answers with the query's id.
   */
  private Future<QueryStream> submitAsync(
      Recipient who, SharedTable table, Capabilities caps, String fileIdHash, QueryRequest q) {
    FileIds requestedIds = fileIdHash == null ? null : fileIds(fileIdHash);
    return blocking(
        table,
        () -> {
          if (Inline.active()) throw Inline.MISS; // ids are shared through the cache's Redis tier
          TableFormat format = format(table);
          boolean timeTravel = q.version() != null || q.timestamp() != null;
          long version =
              q.version() != null
                  ? checkVersion(table, format, q.version())
                  : q.timestamp() != null
                      ? atOrBefore(table, format, q.timestamp())
                      : format.latestVersion(table.location());
          TableSnapshot snap = format.snapshot(table.location(), version);
          ResponseFormat rf =
              FeatureGate.choose(caps, snap.protocol(), snap.metadata(), rewritesDeletes(format));
          FileIds ids = requestedIds != null ? requestedIds : FileIds.valueOf(rf.name());
          String id =
              async.submit(
                  new AsyncQueries.Query(
                      who.id(),
                      table.id(),
                      version,
                      timeTravel,
                      q.predicateHints(),
                      q.jsonPredicateHints(),
                      q.limitHint()),
                  table.location(),
                  q.idempotencyKey());
          AsyncQueries.Status status = async.status(id, k -> build(table, format, snap));
          return QueryStream.status(rf, echo(fileIdHash, ids), statusLine(id, status));
        });
  }

  /**
   * A poll of an async query ({@code POST .../queries/{queryId}}): its status while its file list
   * is being built or if that failed, then its result, page by page, as a direct query would give
   * it at the version pinned when it was submitted. Unknown, altered, expired or foreign ids: 404.
   */
  public Future<QueryStream> queryStatus(
      Recipient who,
      TableRef ref,
      Capabilities caps,
      String fileIdHash,
      String queryId,
      Integer maxFiles,
      String pageToken) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    AsyncQueries.Query aq = async.open(queryId, who.id(), table.id());
    if (aq.timeTravel() && !table.historyShared())
      throw SharingErrors.historyNotShared(table.qualifiedName());
    if (maxFiles != null && maxFiles <= 0)
      throw SharingErrors.invalidParameter("maxFiles must be positive.");
    FileIds requestedIds = fileIdHash == null ? null : fileIds(fileIdHash);
    Capabilities sync =
        new Capabilities(
            caps.responseFormats(), caps.readerFeatures(), caps.includeEndStreamAction(), false);
    return blocking(
            table,
            () -> {
              if (Inline.active()) throw Inline.MISS;
              TableFormat format = format(table);
              long version = tokenVersion(table, format, aq.version());
              AsyncQueries.Status status =
                  async.status(
                      queryId,
                      k -> build(table, format, format.snapshot(table.location(), version)));
              if (status instanceof AsyncQueries.Status.Done) return null;
              TableSnapshot snap = format.snapshot(table.location(), version);
              ResponseFormat rf =
                  FeatureGate.choose(
                      sync, snap.protocol(), snap.metadata(), rewritesDeletes(format));
              FileIds ids = requestedIds != null ? requestedIds : FileIds.valueOf(rf.name());
              return QueryStream.status(rf, echo(fileIdHash, ids), statusLine(queryId, status));
            })
        .compose(
            pending ->
                pending != null
                    ? Future.succeededFuture(pending)
                    : run(who, table, sync, fileIdHash, aq.page(maxFiles, pageToken)));
  }

  /** Reads the version's whole file list once, in the background (into the spill and Redis). */
  private java.util.concurrent.CompletableFuture<Void> build(
      SharedTable table, TableFormat format, TableSnapshot snap) {
    return this.<Void>blocking(
            table,
            () -> {
              try (io.tablegate.spi.CloseableIterator<io.tablegate.spi.DataFile> files =
                  format.scan(snap, true)) {
                while (files.hasNext()) files.next();
              }
              return null;
            })
        .toCompletionStage()
        .toCompletableFuture();
  }

  private static byte[] statusLine(String queryId, AsyncQueries.Status status) {
    Map<String, Object> s = new java.util.LinkedHashMap<>();
    s.put("queryId", queryId);
    if (status instanceof AsyncQueries.Status.Failed failed) {
      s.put("status", "failed");
      s.put("errorMessage", failed.message());
    } else {
      s.put("status", "pending");
    }
    byte[] json = io.tablegate.protocol.Tokens.bytes(Map.of("queryStatus", s));
    byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
    line[json.length] = '\n';
    return line;
  }

  // ---- one pipeline for every table read -----------------------------------------------------

  /**
   * Streams a validated table query: a change range reads the log per request and holds a scan
   * slot; a snapshot's files come from its version's one shared scan (see {@link SharedScans}).
   */
  private Future<QueryStream> run(
      Recipient who, SharedTable table, Capabilities caps, String fileIdHash, TableQuery query) {
    FileIds requestedIds = fileIdHash == null ? null : fileIds(fileIdHash);
    Future<ScanGate.Slot> slotted =
        query instanceof TableQuery.ChangeRange ? scans.acquire() : Future.succeededFuture();
    return slotted.compose(
        slot ->
            blocking(
                    table,
                    () -> {
                      TableFormat format = format(table);
                      QueryTokens.PageState page =
                          query.paging().pageToken() == null
                              ? null
                              : tokens.readPage(
                                  query.paging().pageToken(),
                                  who.id(),
                                  table.id(),
                                  pageFingerprint(who, table, query));
                      if (query instanceof TableQuery.Snapshot q)
                        return snapshot(
                            who, table, format, caps, fileIdHash, requestedIds, q, page);
                      return changeRange(
                          who,
                          table,
                          format,
                          caps,
                          fileIdHash,
                          requestedIds,
                          (TableQuery.ChangeRange) query,
                          page,
                          slot);
                    })
                .andThen(
                    ar -> {
                      if (slot != null) slot.releaseUnlessHeld();
                    }));
  }

  /** What a resolved read streams: everything but the body's lines. */
  private record Resolved(
      long versionHeader,
      ResponseFormat format,
      FileIds ids,
      byte[] head,
      boolean endStream,
      String refreshToken,
      java.util.function.LongFunction<QueryTokens.PageState> pageAt,
      String cacheKey) {}

  /**
   * The one stream assembly: the trailer (refresh token, next page, earliest URL expiry), the
   * response cache (a complete body is replayed or recorded), and the body.
   */
  private QueryStream stream(
      Recipient who,
      SharedTable table,
      Capabilities caps,
      String fileIdHash,
      TableQuery query,
      Resolved r,
      java.util.function.Function<SnapshotLineSource.Trailer, LineSource> body,
      java.util.function.Function<LineSource, LineContext> linesOf) {
    SnapshotLineSource.Trailer trailer =
        r.endStream()
            ? (next, minExp) ->
                new EndStreamAction(
                    r.refreshToken(),
                    next == null
                        ? null
                        : tokens.page(
                            who.id(),
                            table.id(),
                            pageFingerprint(who, table, query),
                            r.pageAt().apply(next)),
                    minExp,
                    null,
                    null)
            : null;
    LineSource cached = r.cacheKey() == null ? null : responses.replay(r.cacheKey(), trailer);
    LineSource lines = cached != null ? cached : body.apply(trailer);
    if (cached == null && r.cacheKey() != null)
      lines = responses.recording(r.cacheKey(), lines, linesOf.apply(lines));
    return new QueryStream(
        r.versionHeader(),
        r.format(),
        r.endStream(),
        caps.includeEndStreamAction(),
        echo(fileIdHash, r.ids()),
        r.head(),
        lines);
  }

  private QueryStream snapshot(
      Recipient who,
      SharedTable table,
      TableFormat format,
      Capabilities caps,
      String fileIdHash,
      FileIds requestedIds,
      TableQuery.Snapshot q,
      QueryTokens.PageState page) {
    long version;
    boolean timeTravel = q.timeTravel();
    if (page != null) version = tokenVersion(table, format, page.version());
    else if (q.pinned() != null) version = tokenVersion(table, format, q.pinned());
    else if (q.refreshToken() != null)
      version =
          tokenVersion(table, format, tokens.readRefresh(q.refreshToken(), who.id(), table.id()));
    else if (q.version() != null) version = checkVersion(table, format, q.version());
    else if (q.timestamp() != null) version = atOrBefore(table, format, q.timestamp());
    else version = format.latestVersion(table.location());

    TableSnapshot full = format.snapshot(table.location(), version);
    io.tablegate.protocol.TablePolicy policy = policy(who, table, format, full);
    // what the recipient sees: under a policy, its columns only (the files are rewritten to them)
    TableSnapshot snap = restricted(full, policy);
    ResponseFormat rf =
        FeatureGate.choose(
            caps, snap.protocol(), snap.metadata(), policy != null || rewritesDeletes(format));
    FileIds ids = requestedIds != null ? requestedIds : FileIds.valueOf(rf.name());
    Integer maxFiles = q.paging().maxFiles();
    Integer pageSize = maxFiles == null ? null : Math.min(maxFiles, pageSizeLimit);
    Long stamped = timeTravel ? version : null;
    byte[] head = snapshotHead(rf, table, snap, stamped);
    // a refresh wants new URLs: never from the cache
    boolean cacheable = page == null && pageSize == null && q.refreshToken() == null;
    String cacheKey =
        cacheable
            ? String.join(
                "|",
                "q",
                who.id(),
                table.id(),
                table.location(),
                Long.toString(version),
                rf.name(),
                ids.name(),
                Boolean.toString(timeTravel),
                String.valueOf(q.limitHint()),
                String.valueOf(q.jsonPredicateHints()),
                String.valueOf(q.predicateHints()),
                policy == null ? "" : policy.fingerprint())
            : null;
    Resolved r =
        new Resolved(
            version,
            rf,
            ids,
            head,
            caps.includeEndStreamAction() || maxFiles != null || q.includeRefreshToken(),
            q.includeRefreshToken() ? tokens.refresh(who.id(), table.id(), version) : null,
            next -> new QueryTokens.PageState(version, -1, next),
            cacheKey);
    UrlSigner signer = signers.apply(table, who);
    // parquet readers of a table with deletion vectors: those files rewritten, served by the
    // gateway (per recipient: such lines are not shared)
    // only a table that may hold deletion vectors has files to rewrite for parquet readers
    // parquet readers of a column-mapped table get every file rewritten under logical names
    boolean renaming =
        rf == ResponseFormat.PARQUET
            && rewritesDeletes(format)
            && FeatureGate.columnMapped(full.metadata());
    boolean rewriting =
        policy != null
            || renaming
            || (rf == ResponseFormat.PARQUET
                && rewritesDeletes(format)
                && FeatureGate.mayHaveDeletionVectors(snap.protocol()));
    String fingerprint = policy == null ? null : policy.fingerprint();
    java.util.Map<String, String> logicalNames =
        renaming ? FeatureGate.logicalNames(full.metadata().schemaString()) : java.util.Map.of();
    java.util.function.UnaryOperator<io.tablegate.spi.DataFile> rewrite =
        policy != null
            // every file, rewritten to the allowed columns and rows; never the raw object
            ? f ->
                logical(
                    rewrites.apply(
                        format,
                        full,
                        f,
                        Policies.restriction(full.metadata(), policy, f, renaming),
                        fingerprint + (renaming ? "|logical" : "")),
                    logicalNames)
            : renaming
                ? f ->
                    logical(
                        rewrites.apply(
                            format, full, f, TableFormat.Restriction.LOGICAL_NAMES, "logical"),
                        logicalNames)
                : f -> rewrites.apply(format, full, f);
    LineContext lines =
        rewriting
            ? new LineContext(
                rf, ids, signer, rewrite, gatewaySigners.apply(who), policy != null || renaming)
            : new LineContext(rf, ids, signer);
    return stream(
        who,
        table,
        caps,
        fileIdHash,
        q,
        r,
        trailer -> {
          // SQL predicateHints (partition filters of the parquet-format Spark connector) and
          // jsonPredicateHints prune together: a file is left out only when neither can match
          String hint =
              SqlPredicateHints.and(
                  q.jsonPredicateHints(),
                  SqlPredicateHints.toJson(
                      q.predicateHints(),
                      SqlPredicateHints.partitionTypes(
                          snap.metadata().schemaString(), snap.metadata().partitionColumns())));
          JsonPredicate parsed =
              JsonPredicate.parse(
                  hint,
                  new HashSet<>(snap.metadata().partitionColumns()),
                  limits.maxPredicateLeaves(),
                  limits.maxPredicateDepth());
          // under a policy hints are not used (the protocol lets a server ignore them): pruning by
          // the raw files' stats would tell which files hold what the recipient may not see
          JsonPredicate predicate = policy == null ? parsed : null;
          Long ts = timeTravel ? snap.timestamp() : null;
          long skip = page == null ? 0 : page.index();
          // the table's lines after `after` files: the body, or what a lost shared list
          // continues with
          java.util.function.LongFunction<LineSource> fromTable =
              after ->
                  new SnapshotLineSource(
                      policy == null
                          ? format.scan(full, true)
                          : Policies.prune(format.scan(full, true), policy, full.metadata()),
                      lines,
                      predicate,
                      q.limitHint(),
                      skip + after,
                      pageSize,
                      stamped,
                      ts,
                      trailer);
          // complete queries whose URLs are reusable in this signing window: their lines are
          // shared through Redis (a limit hint counts records, not files, so such a query could
          // not continue a lost list at a file count)
          if (cacheable
              && !rewriting
              && sharedLines != null
              && q.limitHint() == null
              && signer.reuseKey() != null) {
            String linesKey =
                SharedLines.key(
                    version,
                    signer.reuseKey(),
                    table.id(),
                    rf.name(),
                    ids.name(),
                    String.valueOf(timeTravel),
                    q.jsonPredicateHints(),
                    String.valueOf(q.predicateHints()));
            LineSource shared = sharedLines.replay(table.location(), linesKey, trailer, fromTable);
            return shared != null
                ? shared
                : sharedLines.recording(table.location(), linesKey, fromTable.apply(0), lines);
          }
          return fromTable.apply(0);
        },
        body -> lines);
  }

  /**
   * A change range, streaming ({@code /query} with {@code startingVersion}) or the change data feed
   * ({@code /changes}): the range resolved against the table, with each endpoint's messages.
   */
  private QueryStream changeRange(
      Recipient who,
      SharedTable table,
      TableFormat format,
      Capabilities caps,
      String fileIdHash,
      FileIds requestedIds,
      TableQuery.ChangeRange q,
      QueryTokens.PageState page,
      ScanGate.Slot slot) {
    requireChanges(table, format);
    boolean cdf = q.mode() == ChangeLineSource.Mode.CDF;
    long latest =
        page != null
            ? tokenVersion(table, format, page.endVersion())
            : format.latestVersion(table.location());
    long start =
        q.startingVersion() != null
            ? q.startingVersion()
            : format.versionAtOrAfter(
                table.location(), parseTimestamp(q.startingTimestamp(), "startingTimestamp"));
    if (page != null && page.version() != start)
      throw SharingErrors.invalidParameter("Invalid pageToken: it belongs to another query.");
    long end =
        q.endingVersion() != null
            ? q.endingVersion()
            : q.endingTimestamp() != null
                ? format.versionAtOrBefore(
                    table.location(), parseTimestamp(q.endingTimestamp(), "endingTimestamp"))
                : latest;
    if (cdf && start < table.startVersion()) {
      throw SharingErrors.invalidParameter(
          "You can only query table changes since version " + table.startVersion() + ".");
    }
    if (start > latest) {
      throw SharingErrors.invalidParameter(
          "Provided Start version("
              + start
              + ") for reading change data is invalid. Start version cannot be greater than the latest version of the table("
              + latest
              + ").");
    }
    if (end > latest) {
      throw SharingErrors.invalidParameter(
          "Provided end version("
              + end
              + ") is invalid. End version cannot be greater than the latest version of the table("
              + latest
              + ").");
    }
    if (start > end) {
      throw SharingErrors.invalidParameter(
          "CDF range from start "
              + start
              + " to end "
              + end
              + " was invalid. End cannot be before start.");
    }
    TableSnapshot startSnap = format.snapshot(table.location(), start);
    if (cdf
        && !"true"
            .equalsIgnoreCase(
                startSnap.metadata().configuration().get("delta.enableChangeDataFeed"))) {
      throw SharingErrors.invalidParameter(
          "Error getting change data for range ["
              + start
              + ", "
              + end
              + "] as change data was not recorded for version ["
              + start
              + "]");
    }
    // the head: the snapshot at the start (streaming, or the feed with historical metadata),
    // else the latest
    TableSnapshot headSnap =
        !cdf || q.historicalMetadata() ? startSnap : format.snapshot(table.location(), latest);
    ResponseFormat rf = FeatureGate.choose(caps, headSnap.protocol(), headSnap.metadata());
    FileIds ids = requestedIds != null ? requestedIds : FileIds.valueOf(rf.name());
    // delta format only: the protocol of every version after the start, each with its version
    // (and the head's protocol stamped too)
    boolean historicalProtocol = q.historicalProtocol() && rf == ResponseFormat.DELTA;
    byte[] head =
        head(
            rf,
            table,
            headSnap.protocol(),
            headSnap.metadata(),
            historicalProtocol ? headSnap.version() : null,
            headSnap.version(),
            null,
            null);
    Integer maxFiles = q.paging().maxFiles();
    Integer pageSize = maxFiles == null ? null : Math.min(maxFiles, pageSizeLimit);
    boolean cacheable = page == null && pageSize == null;
    Resolved r =
        new Resolved(
            start,
            rf,
            ids,
            head,
            caps.includeEndStreamAction() || maxFiles != null,
            null,
            next -> new QueryTokens.PageState(start, latest, next),
            cacheable
                ? String.join(
                    "|",
                    cdf ? "c" : "s",
                    who.id(),
                    table.id(),
                    table.location(),
                    Long.toString(start),
                    Long.toString(end),
                    rf.name(),
                    ids.name(),
                    Boolean.toString(q.historicalMetadata()),
                    Boolean.toString(historicalProtocol))
                : null);
    LineContext lines = new LineContext(rf, ids, signers.apply(table, who));
    long last = end;
    return stream(
        who,
        table,
        caps,
        fileIdHash,
        q,
        r,
        trailer ->
            slot.hold(
                () ->
                    new ChangeLineSource(
                        format.changes(table.location(), start, last),
                        q.mode(),
                        start,
                        lines,
                        headLines(rf, table),
                        q.historicalMetadata(),
                        historicalProtocol,
                        page == null ? 0 : page.index(),
                        pageSize,
                        trailer)),
        body -> lines);
  }

  // ---- the Iceberg REST face -------------------------------------------------------------------

  /**
   * A table as the Iceberg REST face loads it: its metadata file's location and JSON, and the
   * client configuration (store endpoint and, for shares with directory access, credentials vended
   * for the table's directory only).
   */
  public record IcebergTable(
      String metadataLocation, String metadataJson, Map<String, String> config) {}

  /** An Iceberg table of a share, for {@code loadTable}; Delta tables are refused clearly. */
  public Future<IcebergTable> icebergTable(Recipient who, TableRef ref) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    refuseRawAccess(who, table);
    return blocking(
        table,
        () -> {
          if (Inline.active()) throw Inline.MISS;
          TableFormat format = format(table);
          // the snapshots the share allows: all from its start version, or the current only
          long fromVersion = !table.historyShared() ? Long.MAX_VALUE : table.startVersion();
          TableFormat.IcebergMetadata own =
              format.icebergMetadata(table.location(), fromVersion).orElse(null);
          TableFormat.IcebergMetadata m = own != null ? own : generatedIceberg(table, format);
          // credentials vended for the table's directory, and for generated metadata its
          // directory too when the same store keeps it (otherwise the client signs each read)
          java.util.List<String> vendFor = null;
          // (as the protocol's directory access, only for tables shared with their history: the
          // directory holds every version)
          if (table.directoryAccess() && table.historyShared() && table.store() != null) {
            String root = normalizeLocation(table.location());
            String meta =
                own != null
                    ? null
                    : normalizeLocation(
                        m.metadataLocation().substring(0, m.metadataLocation().lastIndexOf('/')));
            if (own != null) vendFor = java.util.List.of(root);
            else if (meta != null && stores.apply(meta) == stores.apply(table.location()))
              vendFor = java.util.List.of(root, meta);
          }
          boolean vend = vendFor != null;
          Map<String, String> config = new java.util.LinkedHashMap<>();
          if (!vend && table.store() != null) {
            // no credentials handed out: the client asks the face to sign each read of the
            // table's objects (Iceberg's S3 remote signing), checked like a direct request
            config.putAll(stores.apply(table.location()).clientProperties());
            String signing =
                "v1/"
                    + encode(ref.share())
                    + "/namespaces/"
                    + encode(ref.schema())
                    + "/tables/"
                    + encode(ref.table())
                    + "/sign";
            config.put("s3.remote-signing-enabled", "true");
            config.put("rest.remote-signing.endpoint", signing);
            // pyiceberg signs remotely with its fsspec file I/O, through the same endpoint
            config.put("s3.signer", "S3V4RestSigner");
            config.put("s3.signer.endpoint", signing);
            config.put("py-io-impl", "pyiceberg.io.fsspec.FsspecFileIO");
          }
          if (vend) {
            io.tablegate.spi.ObjectStore store = stores.apply(table.location());
            var c = store.temporaryCredentials(vendFor, TEMPORARY_CREDENTIALS_SECONDS);
            config.putAll(store.clientProperties());
            config.put("s3.access-key-id", c.accessKeyId());
            config.put("s3.secret-access-key", c.secretAccessKey());
            config.put("s3.session-token", c.sessionToken());
            config.put("s3.session-token-expires-at-ms", Long.toString(c.expirationMillis()));
          }
          return new IcebergTable(m.metadataLocation(), m.json(), config);
        });
  }

  /**
   * Iceberg metadata generated for a table of another format (a Delta table) at its latest version,
   * or UNSUPPORTED_OPERATION when the gateway has nowhere to keep it.
   */
  private TableFormat.IcebergMetadata generatedIceberg(SharedTable table, TableFormat format) {
    if (icebergExports == null)
      throw SharingErrors.unsupported(
          "Table "
              + table.qualifiedName()
              + " is a "
              + table.format()
              + " table: this gateway serves Iceberg tables only to Iceberg clients (rewrites are"
              + " off); read it with a Delta Sharing client.");
    TableSnapshot snap = format.snapshot(table.location(), format.latestVersion(table.location()));
    return icebergExports.metadata(snap, table.store() != null, () -> format.scan(snap, true));
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  /**
   * Signs an Iceberg client's read of one of a shared table's objects with the store's own
   * credentials (S3 remote signing): only GET or HEAD, only objects under the table's root, only
   * the table's store; anything else is refused (403).
   */
  public Future<Map<String, java.util.List<String>>> signIcebergRead(
      Recipient who,
      TableRef ref,
      String method,
      java.net.URI uri,
      Map<String, java.util.List<String>> headers,
      String region) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    refuseRawAccess(who, table);
    if (!"GET".equals(method) && !"HEAD".equals(method))
      throw SharingErrors.forbidden("Only reads of the table's objects are signed");
    if (table.store() == null)
      throw SharingErrors.forbidden("Table " + table.qualifiedName() + " is not in a store");
    io.tablegate.spi.ObjectStore store = stores.apply(table.location());
    String location = store.locationOf(uri);
    String root = normalizeLocation(table.location());
    String wanted = location == null ? null : normalizeLocation(location);
    String query = uri.getRawQuery();
    // the table's own objects, or the Iceberg metadata the gateway generated for it
    String generated =
        icebergExports != null && icebergExports.serves(true) && !"iceberg".equals(table.format())
            ? normalizeLocation(icebergExports.root(table.location(), true))
            : null;
    if (wanted == null
        || root == null
        || (io.tablegate.spi.Locations.relativeTo(root, wanted) == null
            && (generated == null
                || io.tablegate.spi.Locations.relativeTo(generated, wanted) == null))
        || (query != null && !query.matches("x-id=(GetObject|HeadObject)"))) {
      throw SharingErrors.forbidden(
          "Only reads of objects of table " + table.qualifiedName() + " are signed");
    }
    io.tablegate.spi.ObjectStore signer = stores.apply(wanted);
    if (signer == null) signer = store;
    io.tablegate.spi.ObjectStore chosen = signer;
    return blocking(table, () -> chosen.signRead(method, uri, headers, region));
  }

  // ---- directory access ------------------------------------------------------------------------

  /** How long temporary table credentials are valid (STS allows 900 s to the role's maximum). */
  static final long TEMPORARY_CREDENTIALS_SECONDS = 3600;

  /** Temporary credentials for a table's directory, and the location they read. */
  public record TableCredentials(
      String location, io.tablegate.spi.ObjectStore.TemporaryCredentials credentials) {}

  /**
   * Temporary read-only credentials for the table's directory in its store (the protocol's {@code
   * dir} access mode): only for shares that opted in, history-shared tables, and a location that is
   * the table's root or under it.
   */
  public Future<TableCredentials> temporaryCredentials(
      Recipient who, TableRef ref, String location) {
    SharedTable table = catalogs.get().table(who, ref.share(), ref.schema(), ref.table());
    refuseRawAccess(who, table);
    if (!table.directoryAccess()) {
      throw SharingErrors.forbidden(
          "Directory access is not offered for table "
              + table.qualifiedName()
              + "; read it through the query endpoint.");
    }
    if (!table.historyShared()) throw SharingErrors.historyNotShared(table.qualifiedName());
    String root = normalizeLocation(table.location());
    String wanted = location == null ? root : normalizeLocation(location);
    if (wanted == null
        || !(wanted.equals(root) || io.tablegate.spi.Locations.relativeTo(root, wanted) != null)) {
      throw SharingErrors.invalidParameter(
          "The location must be the same as or under this table's configured storage location.");
    }
    return blocking(
        table,
        () ->
            new TableCredentials(
                wanted,
                stores
                    .apply(table.location())
                    .temporaryCredentials(wanted, TEMPORARY_CREDENTIALS_SECONDS)));
  }

  /**
   * {@code s3a://}/{@code s3n://} as {@code s3://}, the bucket lower-cased, without trailing
   * slashes; null for anything that is not an S3 location. (Whether one is inside another is {@link
   * io.tablegate.spi.Locations#relativeTo}'s answer, as for every other location.)
   */
  static String normalizeLocation(String location) {
    int sep = location.indexOf("://");
    if (sep < 0) return null;
    String scheme = location.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("s3") && !scheme.equals("s3a") && !scheme.equals("s3n")) return null;
    String rest = location.substring(sep + 3);
    int slash = rest.indexOf('/');
    String bucket =
        (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(java.util.Locale.ROOT);
    String path = slash < 0 ? "" : rest.substring(slash);
    while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
    if (bucket.isEmpty()) return null;
    return "s3://" + bucket + path;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /**
   * The policy restricting what {@code who} reads of {@code table}, checked as enforceable; null
   * when it reads the whole table.
   */
  private io.tablegate.protocol.TablePolicy policy(
      Recipient who, SharedTable table, TableFormat format, TableSnapshot snap) {
    io.tablegate.protocol.TablePolicy p = table.policyFor(who);
    if (p != null) {
      Policies.checkEnforceable(table, format, snap.metadata(), rewrites != null);
      Policies.checkLeavesData(table, snap.metadata(), p);
    }
    return p;
  }

  /** The snapshot as a restricted recipient sees it: its columns only, no totals. */
  private static TableSnapshot restricted(TableSnapshot snap, io.tablegate.protocol.TablePolicy p) {
    if (p == null) return snap;
    return new TableSnapshot(
        snap.location(),
        snap.version(),
        snap.timestamp(),
        snap.protocol(),
        Policies.restrict(snap.metadata(), p),
        null,
        null);
  }

  /**
   * What a page token is bound to: the query's parameters, and the recipient's policy on the table
   * (a changed policy makes earlier pages' tokens invalid rather than mixing two policies' files).
   */
  private static String pageFingerprint(Recipient who, SharedTable table, TableQuery query) {
    io.tablegate.protocol.TablePolicy p = table.policyFor(who);
    return p == null
        ? query.paging().fingerprint()
        : query.paging().fingerprint() + "|policy=" + p.fingerprint();
  }

  /** A rewritten file with its partition values keyed by logical column names. */
  private static io.tablegate.spi.DataFile logical(
      io.tablegate.spi.DataFile f, java.util.Map<String, String> logicalNames) {
    if (logicalNames.isEmpty()) return f;
    return new io.tablegate.spi.DataFile(
        f.location(),
        f.relativePath(),
        Policies.logicalPartitionValues(logicalNames, f.partitionValues()),
        f.size(),
        f.modificationTime(),
        f.dataChange(),
        f.stats(),
        f.deletionVector());
  }

  /** Refuses raw access (directory credentials, Iceberg metadata, signing) under a policy. */
  private static void refuseRawAccess(Recipient who, SharedTable table) {
    if (table.policyFor(who) != null)
      throw SharingErrors.forbidden(
          "Table "
              + table.qualifiedName()
              + " is shared with you under a column and row policy: read it through the query"
              + " endpoint.");
  }

  private boolean rewritesDeletes(TableFormat format) {
    return rewrites != null && format.rewritesFiles();
  }

  /** The rewrite cache's hits, rewrites and bytes written (zeros when rewrites are off). */
  public long[] rewriteStats() {
    return rewrites == null ? new long[3] : rewrites.stats();
  }

  private TableFormat format(SharedTable table) {
    TableFormat f = formats.get(table.format());
    if (f == null)
      throw SharingErrors.unsupported(
          "Table format '" + table.format() + "' is not supported by this gateway");
    return f;
  }

  private static void requireChanges(SharedTable table, TableFormat format) {
    if (!format.supportsChanges()) {
      throw SharingErrors.unsupported(
          "Change data feed and startingVersion queries are not available for "
              + table.format()
              + " table "
              + table.qualifiedName()
              + " yet; query snapshots by version or timestamp instead.");
    }
  }

  /**
   * A version read back from a page or refresh token, checked as a direct request's would be: the
   * token is authenticated, but the table may have changed (or been replaced) since it was issued.
   */
  private static long tokenVersion(SharedTable table, TableFormat format, long version) {
    if (version < table.startVersion()) throw SharingErrors.belowStartVersion(table.startVersion());
    long latest = format.latestVersion(table.location());
    if (version > latest) {
      throw SharingErrors.invalidParameter(
          "The token names version "
              + version
              + " but the latest version of the table is "
              + latest
              + ". Please restart the query.");
    }
    return version;
  }

  /** The rules of a {@code version} or {@code timestamp} parameter that need no table read. */
  private static void checkTimeTravel(SharedTable table, Long version, String timestamp) {
    if (version != null && timestamp != null)
      throw SharingErrors.invalidParameter("Please only provide one of: version,timestamp");
    if (version != null && version < 0)
      throw SharingErrors.invalidParameter("version cannot be negative.");
    if ((version != null || timestamp != null) && !table.historyShared())
      throw SharingErrors.historyNotShared(table.qualifiedName());
  }

  /** The version asked for (by number or time), else the latest. */
  private static long resolveVersion(
      SharedTable table, TableFormat format, Long version, String timestamp) {
    if (version != null) return checkVersion(table, format, version);
    if (timestamp != null) return atOrBefore(table, format, timestamp);
    return format.latestVersion(table.location());
  }

  private static long checkVersion(SharedTable table, TableFormat format, long version) {
    long latest = format.latestVersion(table.location());
    if (version > latest) {
      throw SharingErrors.invalidParameter(
          "Cannot load table version "
              + version
              + ": the latest version of the table is "
              + latest
              + ".");
    }
    return version;
  }

  private static long atOrBefore(SharedTable table, TableFormat format, String timestamp) {
    long v = format.versionAtOrBefore(table.location(), parseTimestamp(timestamp, "timestamp"));
    if (v < table.startVersion()) throw SharingErrors.belowStartVersion(table.startVersion());
    return v;
  }

  private static final DateTimeFormatter LEGACY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS]");

  /**
   * ISO-8601 with offset (UTC recommended); the legacy {@code yyyy-MM-dd HH:mm:ss[.f]} is read as
   * UTC.
   */
  static long parseTimestamp(String text, String name) {
    try {
      return OffsetDateTime.parse(text.trim()).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(text.trim()).toEpochMilli();
      } catch (DateTimeParseException e2) {
        try {
          return LocalDateTime.parse(text.trim(), LEGACY).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e3) {
          throw SharingErrors.invalidParameter(
              "Invalid "
                  + name
                  + ": '"
                  + text
                  + "'. Use an ISO-8601 timestamp with a time zone, such as 2022-01-01T00:00:00Z.");
        }
      }
    }
  }

  private static FileIds fileIds(String header) {
    if (header == null) return null;
    String v = header.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "parquet" -> FileIds.PARQUET;
      case "delta" -> FileIds.DELTA;
      default ->
          throw SharingErrors.invalidParameter(
              "Unsupported fileidhash: '" + header + "'. Supported values: parquet, delta.");
    };
  }

  private static String echo(String requested, FileIds used) {
    return requested == null ? null : used.wireName();
  }

  private record HeadKey(
      ResponseFormat rf,
      boolean historyShared,
      String directoryLocation,
      DeltaProtocol protocol,
      TableMetadata metadata,
      Long protocolVersion,
      Long metadataVersion,
      Long size,
      Long numFiles) {}

  /**
   * Encoded protocol + metaData lines: the same snapshot is asked for again and again (a fifth of a
   * cached /metadata's CPU).
   */
  private static final com.github.benmanes.caffeine.cache.Cache<HeadKey, byte[]> HEADS =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(4096).build();

  /**
   * The protocol and metaData lines of a snapshot, with its size and file count; {@code stamped}:
   * the version the metaData names (time travel), else null.
   */
  private static byte[] snapshotHead(
      ResponseFormat rf, SharedTable table, TableSnapshot snap, Long stamped) {
    return head(
        rf, table, snap.protocol(), snap.metadata(), null, stamped, snap.size(), snap.numFiles());
  }

  private static byte[] head(
      ResponseFormat rf,
      SharedTable table,
      DeltaProtocol protocol,
      TableMetadata metadata,
      Long protocolVersion,
      Long metadataVersion,
      Long size,
      Long numFiles) {
    HeadKey key =
        new HeadKey(
            rf,
            table.historyShared(),
            table.directoryAccess() ? table.location() : null,
            protocol,
            metadata,
            protocolVersion,
            metadataVersion,
            size,
            numFiles);
    return HEADS.get(
        key,
        k ->
            encodeHead(
                rf, table, protocol, metadata, protocolVersion, metadataVersion, size, numFiles));
  }

  private static byte[] encodeHead(
      ResponseFormat rf,
      SharedTable table,
      DeltaProtocol protocol,
      TableMetadata metadata,
      Long protocolVersion,
      Long metadataVersion,
      Long size,
      Long numFiles) {
    TableMetadata shown =
        rf == ResponseFormat.PARQUET
            ? FeatureGate.forParquet(metadata, table.historyShared())
            : metadata;
    ByteArrayBuilder out = new ByteArrayBuilder(1024);
    out.write(ProtocolCodec.protocolLine(rf, protocol, protocolVersion));
    out.write(
        ProtocolCodec.metadataLine(
            rf,
            shown,
            metadataVersion,
            size,
            numFiles,
            table.directoryAccess() ? table.location() : null));
    return out.toByteArray();
  }

  private static ChangeLineSource.HeadLines headLines(ResponseFormat rf, SharedTable table) {
    return new ChangeLineSource.HeadLines() {
      @Override
      public byte[] metadata(TableMetadata m, long version) {
        TableMetadata shown =
            rf == ResponseFormat.PARQUET ? FeatureGate.forParquet(m, table.historyShared()) : m;
        return ProtocolCodec.metadataLine(rf, shown, version, null, null);
      }

      @Override
      public byte[] protocol(DeltaProtocol p, long version) {
        return rf == ResponseFormat.DELTA ? ProtocolCodec.protocolLine(rf, p, version) : null;
      }
    };
  }
}
