package io.tablegate.service;

import io.tablegate.protocol.ResponseFormat;

/**
 * A resolved NDJSON response, ready to stream: headers, the head lines (protocol and metaData),
 * then the body from {@code body}.
 *
 * @param endStreamAction whether the response ends with an {@code endStreamAction} line, and the
 *     client asked for one through the capabilities header (then it is echoed back)
 * @param fileIdHash the file id scheme to echo in the {@code fileidhash} header, or null
 * @param asyncStatus an async query's status line ({@code queryStatus}) rather than a result: no
 *     table version header, and {@code asyncquery=true} in the capabilities header
 */
public record QueryStream(
    long tableVersion,
    ResponseFormat format,
    boolean endStreamAction,
    boolean capabilityEndStream,
    String fileIdHash,
    byte[] head,
    LineSource body,
    boolean asyncStatus) {

  public QueryStream(
      long tableVersion,
      ResponseFormat format,
      boolean endStreamAction,
      boolean capabilityEndStream,
      String fileIdHash,
      byte[] head,
      LineSource body) {
    this(tableVersion, format, endStreamAction, capabilityEndStream, fileIdHash, head, body, false);
  }

  /** An async query's one status line. */
  static QueryStream status(ResponseFormat format, String fileIdHash, byte[] line) {
    return new QueryStream(-1, format, false, false, fileIdHash, line, LineSource.EMPTY, true);
  }
}
