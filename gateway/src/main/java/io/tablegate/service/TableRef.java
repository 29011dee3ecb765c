package io.tablegate.service;

/** Share, schema and table names exactly as the request spelled them. */
public record TableRef(String share, String schema, String table) {}
