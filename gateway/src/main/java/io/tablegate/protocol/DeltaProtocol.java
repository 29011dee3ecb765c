package io.tablegate.protocol;

import java.util.List;

/** A Delta protocol action. Feature lists are null when the table does not use table features. */
public record DeltaProtocol(
    int minReaderVersion,
    int minWriterVersion,
    List<String> readerFeatures,
    List<String> writerFeatures) {
  public DeltaProtocol {
    readerFeatures = readerFeatures == null ? null : List.copyOf(readerFeatures);
    writerFeatures = writerFeatures == null ? null : List.copyOf(writerFeatures);
  }
}
