package io.tablegate.http;

import io.netty.buffer.Unpooled;
import io.tablegate.protocol.EndStreamAction;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.ProtocolCodec;
import io.tablegate.protocol.ResponseFormat;
import io.tablegate.protocol.SharingException;
import io.tablegate.service.LineSource;
import io.tablegate.service.QueryStream;
import io.tablegate.service.SharingService;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an NDJSON response with back-pressure: headers and head lines first, then body chunks
 * pulled from the worker pool one at a time, only while the connection's write queue has room. The
 * body is released exactly once: at the end, on failure, and on client disconnect. A failure after
 * the first byte ends the stream with an {@code endStreamAction.errorMessage} when the client asked
 * for end-stream actions, otherwise resets the connection so the client sees a truncated body.
 */
final class NdjsonWriter {
  private static final Logger LOGGER = LoggerFactory.getLogger(NdjsonWriter.class);
  static final String CONTENT_TYPE = "application/x-ndjson; charset=utf-8";

  /**
   * Lines per pull: about 140 KB of NDJSON, so a chunk (and the arrays that build it) stays well
   * below G1's humongous-object threshold (half a region: 512 KB in a 1 GiB heap); with 1,024 lines
   * a hundred concurrent streams filled a 1 GiB heap with humongous regions.
   */
  private static final int LINES_PER_CHUNK = 256;

  private final RoutingContext ctx;
  private final HttpServerResponse resp;
  private final SharingService service;
  private final QueryStream stream;
  private final LineSource body;
  private boolean finished;

  private NdjsonWriter(RoutingContext ctx, SharingService service, QueryStream stream) {
    this.ctx = ctx;
    this.resp = ctx.response();
    this.service = service;
    this.stream = stream;
    this.body = stream.body();
  }

  static void write(RoutingContext ctx, SharingService service, QueryStream stream) {
    new NdjsonWriter(ctx, service, stream).start();
  }

  /**
   * Pulls the first chunk before the status line is sent, so that a failure found while opening the
   * scan (missing files, a snapshot that cannot be shared) is still a proper error response.
   */
  private void start() {
    resp.closeHandler(
        v -> {
          if (!finished) {
            LOGGER
                .atDebug()
                .addKeyValue("path", FailureHandler.loggable(ctx.normalizedPath()))
                .log("Client went away mid-stream; closing the table scan");
            body.cancel(); // a pull running now stops early instead of reading on for nobody
            release();
          }
        });
    if (body.inMemory()) {
      writeInMemory();
      return;
    }
    fetch()
        .onComplete(
            ar -> {
              if (finished) return;
              if (ar.failed()) {
                release();
                ctx.fail(ar.cause());
                return;
              }
              headers();
              resp.setChunked(true);
              resp.write(Buffer.buffer(stream.head()));
              byte[] chunk = ar.result();
              if (chunk == null) {
                end();
                return;
              }
              resp.write(Buffer.buffer(chunk));
              pull();
            });
  }

  /** Small in-memory responses are sent whole, with a Content-Length; larger ones are streamed. */
  static final int WHOLE_MAX_BYTES = 256 * 1024;

  /**
   * A body already in memory (a cached response): up to {@link #WHOLE_MAX_BYTES} it goes out as one
   * buffer with its length (one write, no chunked framing: most cached metadata and small queries);
   * beyond, what was gathered is the first chunk of a stream.
   */
  private void writeInMemory() {
    java.nio.ByteBuffer rest;
    try {
      rest = body.rest();
    } catch (RuntimeException e) {
      release();
      ctx.fail(e);
      return;
    }
    if (rest != null) {
      // three writes, one flush: the small head and trailer from the heap, the cached body as it is
      // (a direct buffer: the socket writes it without a copy; Vert.x never releases it, the
      // collector does)
      count();
      EndStreamAction trailer = stream.endStreamAction() ? body.trailer() : null;
      release();
      byte[] head = stream.head();
      byte[] tail = trailer == null ? null : ProtocolCodec.endStreamLine(trailer);
      headers();
      resp.putHeader(
          CONTENT_LENGTH_HEADER,
          Integer.toString(head.length + rest.remaining() + (tail == null ? 0 : tail.length)));
      resp.write(Buffer.buffer(head));
      Buffer cached = BufferInternal.buffer(Unpooled.wrappedBuffer(rest));
      if (tail == null) {
        resp.end(cached);
      } else {
        resp.write(cached);
        resp.end(Buffer.buffer(tail));
      }
      return;
    }
    Buffer whole = Buffer.buffer(stream.head());
    try {
      while (whole.length() < WHOLE_MAX_BYTES) {
        byte[] chunk = body.next(LINES_PER_CHUNK);
        if (chunk == null) {
          count();
          EndStreamAction trailer = stream.endStreamAction() ? body.trailer() : null;
          release();
          if (trailer != null) whole.appendBytes(ProtocolCodec.endStreamLine(trailer));
          headers();
          resp.end(whole);
          return;
        }
        whole.appendBytes(chunk);
      }
    } catch (RuntimeException e) {
      release();
      ctx.fail(e);
      return;
    }
    headers();
    resp.setChunked(true);
    resp.write(whole);
    pull();
  }

  private static final CharSequence CONTENT_LENGTH_HEADER =
      HttpHeaders.createOptimized("Content-Length");
  private static final CharSequence CONTENT_TYPE_HEADER =
      HttpHeaders.createOptimized("Content-Type");
  private static final CharSequence CONTENT_TYPE_VALUE = HttpHeaders.createOptimized(CONTENT_TYPE);
  private static final CharSequence VERSION_HEADER =
      HttpHeaders.createOptimized("Delta-Table-Version");
  private static final CharSequence CAPABILITIES_HEADER =
      HttpHeaders.createOptimized("delta-sharing-capabilities");

  /** The response's capabilities header, by format and end-stream flag, encoded once. */
  private static final CharSequence[] CAPABILITIES =
      new CharSequence[ResponseFormat.values().length * 2];

  static {
    for (ResponseFormat f : ResponseFormat.values()) {
      for (boolean endStream : new boolean[] {false, true}) {
        CAPABILITIES[f.ordinal() * 2 + (endStream ? 1 : 0)] =
            HttpHeaders.createOptimized(
                "responseformat="
                    + f.wireName()
                    + (endStream ? ";includeendstreamaction=true" : ""));
      }
    }
  }

  private static CharSequence capabilities(ResponseFormat format, boolean endStream) {
    return CAPABILITIES[format.ordinal() * 2 + (endStream ? 1 : 0)];
  }

  private void headers() {
    resp.setStatusCode(200).putHeader(CONTENT_TYPE_HEADER, CONTENT_TYPE_VALUE);
    if (stream.asyncStatus()) {
      // an async query's status: the version is known once the result is served
      resp.putHeader(
          CAPABILITIES_HEADER, "responseformat=" + stream.format().wireName() + ";asyncquery=true");
    } else {
      resp.putHeader(VERSION_HEADER, Long.toString(stream.tableVersion()))
          .putHeader(
              CAPABILITIES_HEADER, capabilities(stream.format(), stream.capabilityEndStream()));
    }
    if (stream.fileIdHash() != null) resp.putHeader("fileidhash", stream.fileIdHash());
  }

  /** The one pull running or done but not yet consumed: a body is read by one thread at a time. */
  private Future<byte[]> inflight;

  private Future<byte[]> prefetched;

  private Future<byte[]> fetch() {
    if (body.inMemory()) {
      // bytes already in memory (a cached response): copied here, without a trip to the worker pool
      try {
        return Future.succeededFuture(body.next(LINES_PER_CHUNK));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    Future<byte[]> f = service.pull(body, LINES_PER_CHUNK);
    inflight = f;
    return f;
  }

  private void pull() {
    if (finished) return;
    if (resp.writeQueueFull()) {
      resp.drainHandler(v -> pull());
      return;
    }
    Future<byte[]> f = prefetched != null ? prefetched : fetch();
    prefetched = null;
    f.onComplete(
        ar -> {
          if (finished) return;
          if (ar.failed()) {
            fail(ar.cause());
            return;
          }
          byte[] chunk = ar.result();
          if (chunk == null) {
            end();
            return;
          }
          // read ahead: the worker prepares the next chunk while the event loop writes this one
          prefetched = fetch();
          resp.write(Buffer.buffer(chunk));
          pull();
        });
  }

  private void count() {
    long n = body.emitted();
    if (n >= 0) ctx.put(AccessLogHandler.LINES, n);
  }

  private void end() {
    count();
    EndStreamAction trailer = stream.endStreamAction() ? body.trailer() : null;
    release();
    if (trailer != null) resp.write(Buffer.buffer(ProtocolCodec.endStreamLine(trailer)));
    resp.end();
  }

  private void fail(Throwable cause) {
    count();
    release();
    ErrorCode code = cause instanceof SharingException e ? e.errorCode() : ErrorCode.INTERNAL_ERROR;
    String message;
    if (cause instanceof SharingException e && code != ErrorCode.INTERNAL_ERROR) {
      message = e.getMessage();
      LOGGER
          .atDebug()
          .addKeyValue("path", FailureHandler.loggable(ctx.normalizedPath()))
          .addKeyValue("errorCode", code)
          .log("Stream ended by an error");
    } else {
      String errorId = UUID.randomUUID().toString();
      message = "Internal error while streaming (error id " + errorId + ")";
      LOGGER
          .atError()
          .setCause(cause)
          .addKeyValue("errorId", errorId)
          .addKeyValue("path", FailureHandler.loggable(ctx.normalizedPath()))
          .log("Stream failed after the response started");
    }
    if (stream.endStreamAction()) {
      resp.write(
          Buffer.buffer(
              ProtocolCodec.endStreamLine(
                  new EndStreamAction(null, null, null, message, code.httpStatus()))));
      resp.end();
    } else {
      resp.reset();
    }
  }

  /**
   * Closes the body once, after any pull still running on the worker pool (never concurrently with
   * it).
   */
  private void release() {
    if (finished) return;
    finished = true;
    Future<byte[]> running = inflight;
    if (running == null || running.isComplete()) service.release(body);
    else running.onComplete(ar -> service.release(body));
  }
}
