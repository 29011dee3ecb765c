package io.tablegate.service;

import io.tablegate.protocol.ResponseFormat;

/**
 * A resolved NDJSON response, ready to stream: headers, the head lines (protocol and metaData),
 * then the body from {@code body}.
 *
 * @param endStreamAction whether the response ends with an {@code endStreamAction} line, and the
 *     client asked for one through the capabilities header (then it is echoed back)
 * @param fileIdHash the file id scheme to echo in the {@code fileidhash} header, or null
 */
public record QueryStream(
    long tableVersion,
    ResponseFormat format,
    boolean endStreamAction,
    boolean capabilityEndStream,
    String fileIdHash,
    byte[] head,
    LineSource body) {}
