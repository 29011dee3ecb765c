package io.tablegate.http;

import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.ProtocolCodec;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Runs in front of a router: a path or query string that is not valid percent-encoding is answered
 * with protocol JSON 400 at once. (Left to the router, it fails while routes are matched, outside
 * any failure handler, and Vert.x logs the whole URL, file-URL tokens included, at ERROR.) This is
 * the one place that checks it: past it, decoding a request's path and parameters cannot fail.
 */
public final class RequestGuard implements Handler<HttpServerRequest> {
  private final Handler<HttpServerRequest> next;

  private RequestGuard(Handler<HttpServerRequest> next) {
    this.next = next;
  }

  public static Handler<HttpServerRequest> around(Handler<HttpServerRequest> next) {
    return new RequestGuard(next);
  }

  @Override
  public void handle(HttpServerRequest request) {
    boolean valid;
    try {
      request.params(); // decoded once and kept by the request
      valid = validEscapes(request.path());
    } catch (IllegalArgumentException e) {
      valid = false;
    }
    if (!valid) {
      request.response().setStatusCode(400);
      if (request.method() == HttpMethod.HEAD) {
        request.response().end();
        return;
      }
      request
          .response()
          .putHeader("Content-Type", "application/json; charset=utf-8")
          .end(
              Buffer.buffer(
                  ProtocolCodec.error(
                      ErrorCode.INVALID_PARAMETER_VALUE,
                      "The request URL is not valid percent-encoding.")));
      return;
    }
    next.handle(request);
  }

  /** Every {@code %} is followed by two hexadecimal digits. */
  static boolean validEscapes(String path) {
    if (path == null) return true;
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length()
          || Character.digit(path.charAt(i + 1), 16) < 0
          || Character.digit(path.charAt(i + 2), 16) < 0) return false;
    }
    return true;
  }
}
