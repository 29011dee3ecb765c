package io.tablegate.protocol;

/** A deletion vector descriptor. {@code offset} may be null. */
public record DeletionVector(
    String storageType, String pathOrInlineDv, Integer offset, int sizeInBytes, long cardinality) {}
