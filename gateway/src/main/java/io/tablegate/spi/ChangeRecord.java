package io.tablegate.spi;

import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.TableMetadata;

/** One action of a commit, read in commit order by {@link TableFormat#changes}. */
public sealed interface ChangeRecord {
  long version();

  long timestamp();

  enum FileKind {
    ADD,
    REMOVE,
    CDC
  }

  record FileChange(long version, long timestamp, FileKind kind, DataFile file)
      implements ChangeRecord {}

  record MetadataChange(long version, long timestamp, TableMetadata metadata)
      implements ChangeRecord {}

  record ProtocolChange(long version, long timestamp, DeltaProtocol protocol)
      implements ChangeRecord {}

  /** Operation name and metrics of a commit, from its commitInfo; metrics may be empty. */
  record CommitInfo(
      long version,
      long timestamp,
      String operation,
      java.util.Map<String, String> operationMetrics)
      implements ChangeRecord {}
}
