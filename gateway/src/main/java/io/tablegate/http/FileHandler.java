package io.tablegate.http;

import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.SharingException;
import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.StorageException;
import io.tablegate.storage.LocalUrlSigner;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the bytes behind the gateway's own signed file URLs, with single {@code Range} requests.
 * Needs no bearer token: the URL's signature is the credential, and it is never logged.
 */
final class FileHandler {
  private static final Logger LOGGER = LoggerFactory.getLogger(FileHandler.class);
  private static final int CHUNK = 256 * 1024;
  private final LocalUrlSigner signer;
  private final FileSystem fs;
  private final Function<String, ObjectStore> storeForLocation;
  private final WorkerExecutor workers;

  FileHandler(
      LocalUrlSigner signer,
      FileSystem fs,
      Function<String, ObjectStore> storeForLocation,
      WorkerExecutor workers,
      io.tablegate.config.NetworkConfig network) {
    this.network = network;
    this.signer = signer;
    this.fs = fs;
    this.storeForLocation = storeForLocation;
    this.workers = workers;
  }

  private final io.tablegate.config.NetworkConfig network;

  void serve(RoutingContext ctx) {
    var verdict = signer.verify(ctx.pathParam("object"));
    if (verdict instanceof LocalUrlSigner.Verdict.Refused refused) {
      throw SharingErrors.forbidden(
          "Access to this file URL is denied: "
              + refused.reason()
              + ". Re-run the query for fresh URLs.");
    }
    LocalUrlSigner.Verdict.Valid valid = (LocalUrlSigner.Verdict.Valid) verdict;
    // a restricted recipient's URLs carry its networks: a download from elsewhere is refused too
    if (!valid.networks().isEmpty()
        && !io.tablegate.config.Cidr.allows(
            valid.networks(), ClientAddress.of(ctx.request(), network))) {
      throw SharingErrors.forbidden(
          "Access to this file URL is denied from this network; ask your share provider to allow it.");
    }
    // the audit line names the recipient the URL was issued to (its signature is the credential)
    ctx.put(
        BearerAuthHandler.RECIPIENT,
        new io.tablegate.auth.Recipient(valid.recipient(), false, java.util.Set.of()));
    String location = valid.location();
    ObjectStore store = storeForLocation.apply(location);
    if (store != null) {
      serveObject(ctx, store, location);
      return;
    }
    String path;
    try {
      path = Path.of(URI.create(location)).toString();
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw SharingErrors.forbidden("Access to this file URL is denied: not a local file.");
    }
    fs.props(path)
        .onComplete(
            ar -> {
              if (ar.failed() || !ar.result().isRegularFile()) {
                LOGGER.atDebug().log("A signed file is missing");
                ctx.fail(
                    new io.tablegate.protocol.SharingException(
                        io.tablegate.protocol.ErrorCode.RESOURCE_DOES_NOT_EXIST,
                        "The file no longer exists; the table may have been vacuumed. Re-run the query."));
                return;
              }
              send(ctx, path, ar.result().size());
            });
  }

  private static void send(RoutingContext ctx, String path, long size) {
    long[] range = headers(ctx, size);
    if (range == null) return;
    ctx.response()
        .sendFile(path, range[0], range[1])
        .onFailure(e -> LOGGER.atDebug().setCause(e).log("Sending a file failed"));
  }

  /**
   * Writes status and headers for a (ranged) GET or HEAD of {@code size} bytes; returns {offset,
   * length} to send, or null when the response is already complete (HEAD, 416).
   */
  private static long[] headers(RoutingContext ctx, long size) {
    HttpServerResponse resp = ctx.response();
    resp.putHeader("Accept-Ranges", "bytes").putHeader("Content-Type", "application/octet-stream");
    String range = ctx.request().getHeader("Range");
    long start = 0;
    long end = size - 1;
    long[] r = range == null ? IGNORE : parseRange(range, size);
    if (r != IGNORE) {
      if (r == null) {
        resp.setStatusCode(416)
            .putHeader("Content-Range", "bytes */" + size)
            .putHeader("Content-Type", "application/json; charset=utf-8")
            .end(
                io.vertx.core.buffer.Buffer.buffer(
                    io.tablegate.protocol.ProtocolCodec.error(
                        io.tablegate.protocol.ErrorCode.INVALID_PARAMETER_VALUE,
                        "The requested range is outside the file (" + size + " bytes)")));
        return null;
      }
      start = r[0];
      end = r[1];
      resp.setStatusCode(206).putHeader("Content-Range", "bytes " + start + "-" + end + "/" + size);
    }
    long length = Math.max(0, end - start + 1);
    resp.putHeader("Content-Length", Long.toString(length));
    if (ctx.request().method() == HttpMethod.HEAD) {
      resp.end();
      return null;
    }
    return new long[] {start, length};
  }

  /**
   * Streams an object from its store: blocking reads on the worker pool, writes only while the
   * client keeps up.
   */
  private void serveObject(RoutingContext ctx, ObjectStore store, String location) {
    workers
        .executeBlocking(() -> store.stat(location), false)
        .onComplete(
            stat -> {
              if (stat.failed()) {
                ctx.fail(storageFailure(stat.cause()));
                return;
              }
              long[] range = headers(ctx, stat.result().size());
              if (range == null) return;
              if (range[1] == 0) {
                ctx.response().end();
                return;
              }
              workers
                  .executeBlocking(() -> store.open(location, range[0], range[1]), false)
                  .onComplete(
                      opened -> {
                        if (opened.failed()) {
                          ctx.fail(storageFailure(opened.cause()));
                          return;
                        }
                        new ObjectPump(
                                ctx.response(),
                                store,
                                location,
                                opened.result(),
                                range[0],
                                range[1])
                            .pull();
                      });
            });
  }

  private static Throwable storageFailure(Throwable cause) {
    StorageException s = StorageException.find(cause);
    if (s == null) return cause;
    return switch (s.kind()) {
      case NOT_FOUND ->
          new SharingException(
              ErrorCode.RESOURCE_DOES_NOT_EXIST,
              "The file no longer exists; the table may have been vacuumed. Re-run the query.",
              s);
      case ACCESS_DENIED ->
          new SharingException(
              ErrorCode.PERMISSION_DENIED,
              "The gateway is not allowed to read this file in its object store; please contact your share provider.",
              s);
      case UNAVAILABLE ->
          new SharingException(
              ErrorCode.TEMPORARILY_UNAVAILABLE,
              "The object store is unavailable; please retry later.",
              s);
      case FAILED ->
          new SharingException(ErrorCode.INTERNAL_ERROR, "The object store refused the read.", s);
    };
  }

  /**
   * Consecutive re-opens of an object without a byte read in between before the download is given
   * up.
   */
  static final int MAX_REOPENS = 3;

  /**
   * Copies an object's bytes to the response chunk by chunk, pausing on a full write queue. When
   * the store's stream breaks (a store closes a connection that a paused client left idle), the
   * object is opened again with a range from the next byte to send, so the client gets every byte
   * once.
   */
  private final class ObjectPump {
    private final HttpServerResponse resp;
    private final ObjectStore store;
    private final String location;
    private InputStream in;
    private long offset;
    private long remaining;
    private int reopens;
    private boolean closed;

    ObjectPump(
        HttpServerResponse resp,
        ObjectStore store,
        String location,
        InputStream in,
        long offset,
        long length) {
      this.resp = resp;
      this.store = store;
      this.location = location;
      this.in = in;
      this.offset = offset;
      this.remaining = length;
      resp.closeHandler(v -> release());
    }

    void pull() {
      if (closed) return;
      if (resp.writeQueueFull()) {
        resp.drainHandler(v -> pull());
        return;
      }
      InputStream source = in;
      workers
          .executeBlocking(() -> source.readNBytes((int) Math.min(CHUNK, remaining)), false)
          .onComplete(
              ar -> {
                if (closed) return;
                if (ar.failed() || ar.result().length == 0) {
                  reopen(ar.failed() ? ar.cause() : null);
                  return;
                }
                reopens = 0;
                byte[] bytes = ar.result();
                remaining -= bytes.length;
                offset += bytes.length;
                resp.write(Buffer.buffer(bytes));
                if (remaining <= 0) {
                  release();
                  resp.end();
                } else {
                  pull();
                }
              });
    }

    private void reopen(Throwable cause) {
      if (++reopens > MAX_REOPENS) {
        LOGGER
            .atDebug()
            .addKeyValue("cause", String.valueOf(cause))
            .log("An object stream kept failing mid-download; resetting the connection");
        release();
        resp.reset();
        return;
      }
      LOGGER
          .atDebug()
          .addKeyValue("cause", String.valueOf(cause))
          .addKeyValue("offset", offset)
          .log("An object stream broke mid-download; reading on from the next byte");
      InputStream broken = in;
      workers
          .executeBlocking(
              () -> {
                try {
                  broken.close();
                } catch (Exception e) {
                  // it is broken already
                }
                return store.open(location, offset, remaining);
              },
              false)
          .onComplete(
              opened -> {
                if (closed) {
                  if (opened.succeeded()) close(opened.result());
                  return;
                }
                if (opened.failed()) {
                  reopen(opened.cause());
                  return;
                }
                in = opened.result();
                pull();
              });
    }

    private void release() {
      if (closed) return;
      closed = true;
      close(in);
    }

    private void close(InputStream stream) {
      workers.executeBlocking(
          () -> {
            stream.close();
            return null;
          },
          false);
    }
  }

  /**
   * {@link #parseRange}'s answer for a Range header to ignore (RFC 9110 14.2): the whole file is
   * sent with 200.
   */
  static final long[] IGNORE = new long[0];

  /**
   * A single byte range {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}, with an end past
   * the file clamped to its last byte. Per RFC 9110: a header that is not valid syntax, names
   * another unit or asks for several ranges is ignored ({@link #IGNORE}); a valid range that no
   * byte of the file satisfies is null (416).
   */
  static long[] parseRange(String header, long size) {
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.contains(",")) return IGNORE;
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) return IGNORE;
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    if (!a.chars().allMatch(Character::isDigit)
        || !b.chars().allMatch(Character::isDigit)
        || (a.isEmpty() && b.isEmpty())) return IGNORE;
    try {
      long start;
      long end;
      if (a.isEmpty()) {
        long n = Long.parseLong(b);
        if (n <= 0 || size == 0) return null;
        start = Math.max(0, size - n);
        end = size - 1;
      } else {
        start = Long.parseLong(a);
        if (!b.isEmpty() && Long.parseLong(b) < start)
          return IGNORE; // last-pos before first-pos: invalid syntax
        end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
      }
      if (start >= size) return null;
      return new long[] {start, end};
    } catch (NumberFormatException e) {
      return IGNORE; // more digits than a long holds
    }
  }
}
