package io.tablegate.http;

import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.ProtocolCodec;
import io.tablegate.protocol.SharingException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into HTTP: protocol errors with their status and code, router
 * 404/405 as protocol JSON, and anything else as {@code 500 INTERNAL_ERROR} with a generic message
 * and an error id that matches the logged stack trace. HEAD responses carry no body.
 */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOGGER = LoggerFactory.getLogger(FailureHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse resp = ctx.response();
    if (resp.headWritten()) {
      LOGGER
          .atDebug()
          .setCause(ctx.failure())
          .log("Failure after the response started; closing the connection");
      resp.reset();
      return;
    }
    Throwable failure = ctx.failure();
    if (failure == null) failure = new HttpException(ctx.statusCode() > 0 ? ctx.statusCode() : 500);
    ErrorCode code;
    String message;
    if (failure instanceof SharingException e) {
      code = e.errorCode();
      message = e.getMessage();
      if (code == ErrorCode.INTERNAL_ERROR) {
        String errorId = UUID.randomUUID().toString();
        LOGGER
            .atError()
            .setCause(e)
            .addKeyValue("errorId", errorId)
            .addKeyValue("path", loggable(ctx.normalizedPath()))
            .log("Internal error");
        message = message + " (error id " + errorId + ")";
      }
    } else if (failure instanceof HttpException e) {
      code =
          switch (e.getStatusCode()) {
            case 400, 413 -> ErrorCode.MALFORMED_REQUEST;
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.PERMISSION_DENIED;
            case 404, 405 -> ErrorCode.RESOURCE_DOES_NOT_EXIST;
            default -> ErrorCode.INTERNAL_ERROR;
          };
      message =
          switch (e.getStatusCode()) {
            case 404 -> "No such endpoint: " + ctx.request().method() + " " + ctx.normalizedPath();
            case 405 ->
                "Method " + ctx.request().method() + " is not allowed on " + ctx.normalizedPath();
            case 413 -> "The request body is too large";
            default -> e.getPayload() != null ? e.getPayload() : "Request failed";
          };
      if (e.getStatusCode() >= 400 && e.getStatusCode() < 500) {
        send(ctx, e.getStatusCode(), code, message);
        return;
      }
    } else {
      String errorId = UUID.randomUUID().toString();
      LOGGER
          .atError()
          .setCause(failure)
          .addKeyValue("errorId", errorId)
          .addKeyValue("path", loggable(ctx.normalizedPath()))
          .log("Unexpected error");
      code = ErrorCode.INTERNAL_ERROR;
      message = "Internal error (error id " + errorId + ")";
    }
    send(ctx, code.httpStatus(), code, message);
  }

  /**
   * A path fit for a log line: file URLs are credentials, so their sealed part is left out; never
   * longer than 256.
   */
  static String loggable(String path) {
    if (path == null) return "-";
    int files = path.indexOf("/files/");
    int activate = path.indexOf("/activate/");
    String p =
        files >= 0
            ? path.substring(0, files + 7) + "…"
            : activate >= 0 ? path.substring(0, activate + 10) + "…" : path;
    p = p.replaceAll("\\p{Cntrl}", "?");
    return p.length() > 256 ? p.substring(0, 256) + "…" : p;
  }

  private static void send(RoutingContext ctx, int status, ErrorCode code, String message) {
    HttpServerResponse resp = ctx.response().setStatusCode(status);
    if (status == 503) resp.putHeader("Retry-After", "5");
    if (status == 401) {
      // RFC 6750: tell OAuth clients whether to get a new token
      boolean presented = ctx.request().getHeader("Authorization") != null;
      resp.putHeader(
          "WWW-Authenticate",
          presented
              ? "Bearer realm=\"tablegate\", error=\"invalid_token\""
              : "Bearer realm=\"tablegate\"");
    }
    if (ctx.request().method() == HttpMethod.HEAD) {
      resp.end();
      return;
    }
    if (ctx.normalizedPath().contains(IcebergRestHandler.PATH + "/")) {
      // the Iceberg REST face answers in Iceberg's error model, which its clients map to exceptions
      com.fasterxml.jackson.databind.node.ObjectNode out =
          new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
      out.putObject("error")
          .put("message", message)
          .put("type", icebergType(status, ctx.normalizedPath()))
          .put("code", status);
      resp.putHeader("Content-Type", "application/json").end(out.toString());
      return;
    }
    resp.putHeader("Content-Type", "application/json; charset=utf-8")
        .end(Buffer.buffer(ProtocolCodec.error(code, message)));
  }

  /** The Iceberg REST exception type of a status on the Iceberg face. */
  private static String icebergType(int status, String path) {
    return switch (status) {
      case 400 -> "BadRequestException";
      case 401 -> "NotAuthorizedException";
      case 403 -> "ForbiddenException";
      case 404 -> path.contains("/tables/") ? "NoSuchTableException" : "NoSuchNamespaceException";
      case 405, 406, 501 -> "UnsupportedOperationException";
      case 429 -> "RateLimitedException";
      case 503 -> "ServiceUnavailableException";
      default -> "ServiceFailureException";
    };
  }

  /**
   * Requests the HTTP codec could not parse (request line or headers too long, not HTTP at all):
   * the same protocol error JSON as every other failure, then the connection closes.
   */
  public static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status =
        cause instanceof io.netty.handler.codec.TooLongFrameException
            ? (cause.getMessage() != null && cause.getMessage().contains("header") ? 431 : 414)
            : 400;
    String message =
        switch (status) {
          case 431 -> "The request headers are too large";
          case 414 -> "The request line is too long";
          default -> "The request is not valid HTTP";
        };
    request
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Connection", "close")
        .end(Buffer.buffer(ProtocolCodec.error(ErrorCode.MALFORMED_REQUEST, message)))
        .onComplete(v -> request.connection().close());
  }
}
