package io.tablegate.http;

import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.ProtocolCodec;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Runs in front of a router: a query string that is not valid percent-encoding is answered with
 * protocol JSON 400 at once. (Left to the router, it fails while routes are matched, outside any
 * failure handler, and Vert.x logs the whole URL, signatures included, at ERROR.)
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
    try {
      request.params(); // decoded once and kept by the request
    } catch (IllegalArgumentException e) {
      request.response().setStatusCode(400);
      if (request.method() == HttpMethod.HEAD) {
        request.response().end();
        return;
      }
      request.response().putHeader("Content-Type", "application/json; charset=utf-8")
          .end(Buffer.buffer(ProtocolCodec.error(ErrorCode.INVALID_PARAMETER_VALUE, "The query string is not valid percent-encoding.")));
      return;
    }
    next.handle(request);
  }
}
