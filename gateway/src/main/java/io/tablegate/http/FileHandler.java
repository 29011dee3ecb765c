package io.tablegate.http;

import io.tablegate.protocol.SharingErrors;
import io.tablegate.storage.LocalUrlSigner;
import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the bytes behind the gateway's own signed file URLs, with single {@code Range} requests.
 * Needs no bearer token: the URL's signature is the credential, and it is never logged.
 */
final class FileHandler {
  private static final Logger LOGGER = LoggerFactory.getLogger(FileHandler.class);
  private final LocalUrlSigner signer;
  private final FileSystem fs;

  FileHandler(LocalUrlSigner signer, FileSystem fs) {
    this.signer = signer;
    this.fs = fs;
  }

  void serve(RoutingContext ctx) {
    var verdict = signer.verify(ctx.pathParam("object"), ctx.request().getParam("expires"), ctx.request().getParam("signature"));
    if (verdict instanceof LocalUrlSigner.Verdict.Refused refused) {
      throw SharingErrors.forbidden("Access to this file URL is denied: " + refused.reason() + ". Re-run the query for fresh URLs.");
    }
    String location = ((LocalUrlSigner.Verdict.Valid) verdict).location();
    String path;
    try {
      path = Path.of(URI.create(location)).toString();
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw SharingErrors.forbidden("Access to this file URL is denied: not a local file.");
    }
    fs.props(path).onComplete(ar -> {
      if (ar.failed() || !ar.result().isRegularFile()) {
        LOGGER.atDebug().log("A signed file is missing");
        ctx.fail(new io.tablegate.protocol.SharingException(io.tablegate.protocol.ErrorCode.RESOURCE_DOES_NOT_EXIST,
            "The file no longer exists; the table may have been vacuumed. Re-run the query."));
        return;
      }
      send(ctx, path, ar.result().size());
    });
  }

  private static void send(RoutingContext ctx, String path, long size) {
    HttpServerResponse resp = ctx.response();
    resp.putHeader("Accept-Ranges", "bytes").putHeader("Content-Type", "application/octet-stream");
    String range = ctx.request().getHeader("Range");
    long start = 0;
    long end = size - 1;
    if (range != null) {
      long[] r = parseRange(range, size);
      if (r == null) {
        resp.setStatusCode(416).putHeader("Content-Range", "bytes */" + size).end();
        return;
      }
      start = r[0];
      end = r[1];
      resp.setStatusCode(206).putHeader("Content-Range", "bytes " + start + "-" + end + "/" + size);
    }
    long length = Math.max(0, end - start + 1);
    if (ctx.request().method() == HttpMethod.HEAD) {
      resp.putHeader("Content-Length", Long.toString(length)).end();
      return;
    }
    resp.sendFile(path, start, length).onFailure(e -> LOGGER.atDebug().setCause(e).log("Sending a file failed"));
  }

  /** A single byte range {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}; null if unsatisfiable. */
  static long[] parseRange(String header, long size) {
    String h = header.trim();
    if (!h.startsWith("bytes=") || h.contains(",")) return null;
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) return null;
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      long start;
      long end;
      if (a.isEmpty()) {
        long n = Long.parseLong(b);
        if (n <= 0) return null;
        start = Math.max(0, size - n);
        end = size - 1;
      } else {
        start = Long.parseLong(a);
        end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
      }
      if (start < 0 || start >= size || end < start) return null;
      return new long[] {start, end};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
