package io.tablegate.format.delta;

import io.delta.kernel.CommitActions;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.DeltaLogActionUtils;
import io.delta.kernel.internal.DeltaLogActionUtils.DeltaAction;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.ScanImpl;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.TableImpl;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.Protocol;
import io.delta.kernel.internal.checksum.CRCInfo;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.FileStatus;
import io.tablegate.cache.MetadataCache;
import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.SharingException;
import io.tablegate.protocol.TableMetadata;
import io.tablegate.spi.ChangeRecord;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.StorageException;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delta tables through Delta Kernel. Kernel snapshots are cached per (location, version) in the
 * metadata cache (in-process: they hold Kernel state); the latest version, resolved snapshots and
 * file lists are cached in front of this class by the format-agnostic caching layer.
 */
public final class DeltaTableFormat implements TableFormat {
  private static final Logger LOGGER = LoggerFactory.getLogger(DeltaTableFormat.class);
  private static final Duration SNAPSHOT_TTL = Duration.ofHours(1);

  private final Engine localEngine;
  private final Function<String, ObjectStore> storeForLocation;
  private final Map<ObjectStore, Engine> storeEngines = new ConcurrentHashMap<>();
  private final MetadataCache cache;

  /** A format for local tables only. */
  public DeltaTableFormat(MetadataCache cache) {
    this(cache, location -> null);
  }

  /**
   * @param storeForLocation the object store of an {@code s3://} table location; null for local
   *     paths, which are read through the local file system
   */
  public DeltaTableFormat(MetadataCache cache, Function<String, ObjectStore> storeForLocation) {
    this.localEngine = DefaultEngine.create(new Configuration());
    this.storeForLocation = storeForLocation;
    this.cache = cache;
  }

  /**
   * The Kernel engine whose file I/O reaches {@code location}: the table's object store, or the
   * local file system.
   */
  private Engine engine(String location) {
    ObjectStore store = storeForLocation.apply(location);
    if (store == null) return localEngine;
    return storeEngines.computeIfAbsent(store, s -> DefaultEngine.create(new ObjectStoreFileIO(s)));
  }

  @Override
  public long latestVersion(String location) {
    return listLatestVersion(location);
  }

  /**
   * Highest version seen per table: the next check lists the log from there (one request, not a
   * replay).
   */
  private final Map<String, Long> knownLatest = new ConcurrentHashMap<>();

  private static final java.util.regex.Pattern COMMIT =
      java.util.regex.Pattern.compile("(\\d{20})\\.json");

  /**
   * The newest commit, found by listing {@code _delta_log} from the last version seen: far cheaper
   * than building a snapshot (which replays the log since the last checkpoint), and it is what the
   * staleness bound runs on every {@code latestVersionTtlMs}.
   */
  private long listLatestVersion(String location) {
    Engine engine = engine(location);
    String logDir = kernel(() -> table(location).getPath(engine)) + "/_delta_log/";
    long from = knownLatest.getOrDefault(location, 0L);
    long latest = newestCommit(engine, logDir, from);
    if (latest < 0 && from > 0) latest = newestCommit(engine, logDir, 0); // the table was replaced
    if (latest < 0) {
      // no commit file at all: let Kernel say what is wrong (no table, or only a checkpoint left)
      SnapshotImpl s = kernel(() -> (SnapshotImpl) table(location).getLatestSnapshot(engine));
      latest = s.getVersion();
    }
    final long found = latest;
    knownLatest.merge(location, found, Math::max);
    return found;
  }

  private static long newestCommit(Engine engine, String logDir, long from) {
    long latest = -1;
    try (io.delta.kernel.utils.CloseableIterator<FileStatus> files =
        kernel(
            () -> engine.getFileSystemClient().listFrom(logDir + String.format("%020d", from)))) {
      while (kernel(files::hasNext)) {
        FileStatus file = files.next();
        String path = file.getPath();
        var m = COMMIT.matcher(path.substring(path.lastIndexOf('/') + 1));
        // an empty commit file is one being written (or a failed write): never a version to serve
        if (m.matches() && file.getSize() > 0)
          latest = Math.max(latest, Long.parseLong(m.group(1)));
      }
    } catch (SharingException e) {
      if (e.errorCode() == ErrorCode.RESOURCE_DOES_NOT_EXIST) return -1;
      throw e;
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof java.io.FileNotFoundException)
        return -1; // no _delta_log directory
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return latest;
  }

  @Override
  public TableSnapshot snapshot(String location, long version) {
    return toSnapshot(location, kernelSnapshot(location, version));
  }

  private SnapshotImpl kernelSnapshot(String location, long version) {
    return cache.get(
        location,
        "kernel@" + version,
        SNAPSHOT_TTL,
        () -> {
          try {
            return (SnapshotImpl) table(location).getSnapshotAsOfVersion(engine(location), version);
          } catch (TableNotFoundException e) {
            throw tableNotFound(e);
          } catch (KernelException e) {
            StorageException storage = StorageException.find(e);
            if (storage != null) throw storageError(storage);
            long latest = latestVersion(location);
            if (version > latest) {
              throw SharingErrors.invalidParameter(
                  "Cannot load table version "
                      + version
                      + ": the latest version of the table is "
                      + latest
                      + ".");
            }
            if (e.getMessage() != null && e.getMessage().contains("has been truncated")) {
              throw SharingErrors.invalidParameter(
                  "Cannot load table version "
                      + version
                      + ": it is no longer available in the table's log.");
            }
            // a gap in the log, a missing checkpoint: the table is broken, not the request
            throw new SharingException(ErrorCode.INTERNAL_ERROR, unreadableLog(e), e);
          } catch (SharingException e) {
            throw e;
          } catch (RuntimeException e) {
            // Kernel reports engine failures (a commit that is not JSON) outside its
            // KernelException hierarchy
            StorageException storage = StorageException.find(e);
            if (storage != null) throw storageError(storage);
            if (isParseFailure(e))
              throw new SharingException(ErrorCode.INTERNAL_ERROR, unreadableLog(e), e);
            throw e;
          }
        });
  }

  private TableSnapshot toSnapshot(String location, SnapshotImpl s) {
    Protocol p = s.getProtocol();
    TableMetadata metadata = metadata(s.getMetadata());
    Long size = null;
    Long numFiles = null;
    Optional<CRCInfo> crc = s.getCurrentCrcInfo();
    if (crc.isPresent() && crc.get().getVersion() == s.getVersion()) {
      size = crc.get().getTableSizeBytes();
      numFiles = crc.get().getNumFiles();
    }
    long timestamp = kernel(() -> s.getTimestamp(engine(location)));
    return new TableSnapshot(
        location, s.getVersion(), timestamp, protocol(p), metadata, size, numFiles);
  }

  static DeltaProtocol protocol(Protocol p) {
    List<String> readerFeatures =
        p.getMinReaderVersion() >= 3 ? new ArrayList<>(new TreeSet<>(p.getReaderFeatures())) : null;
    List<String> writerFeatures =
        p.getMinWriterVersion() >= 7 ? new ArrayList<>(new TreeSet<>(p.getWriterFeatures())) : null;
    return new DeltaProtocol(
        p.getMinReaderVersion(), p.getMinWriterVersion(), readerFeatures, writerFeatures);
  }

  static TableMetadata metadata(Metadata m) {
    List<String> partitionColumns = new ArrayList<>();
    var pcs = m.getPartitionColumns();
    for (int i = 0; i < pcs.getSize(); i++) partitionColumns.add(pcs.getElements().getString(i));
    return new TableMetadata(
        m.getId(),
        m.getName().orElse(null),
        m.getDescription().orElse(null),
        m.getFormat().getProvider(),
        m.getFormat().getOptions(),
        m.getSchemaString(),
        partitionColumns,
        m.getConfiguration(),
        m.getCreatedTime().orElse(null));
  }

  @Override
  public long versionAtOrBefore(String location, long epochMillis) {
    TableImpl t = table(location);
    try {
      return t.getVersionBeforeOrAtTimestamp(engine(location), epochMillis);
    } catch (KernelException e) {
      StorageException storage = StorageException.find(e);
      if (storage != null) throw storageError(storage);
      throw timestampOutOfRange(location, epochMillis);
    }
  }

  @Override
  public long versionAtOrAfter(String location, long epochMillis) {
    TableImpl t = table(location);
    try {
      return t.getVersionAtOrAfterTimestamp(engine(location), epochMillis);
    } catch (KernelException e) {
      StorageException storage = StorageException.find(e);
      if (storage != null) throw storageError(storage);
      throw timestampOutOfRange(location, epochMillis);
    }
  }

  private SharingException timestampOutOfRange(String location, long epochMillis) {
    TableSnapshot latest = snapshot(location, latestVersion(location));
    if (epochMillis > latest.timestamp()) {
      return SharingErrors.invalidParameter(
          "The provided timestamp ("
              + Instant.ofEpochMilli(epochMillis)
              + ") is after the latest version available to this table ("
              + latest.version()
              + ", committed at "
              + Instant.ofEpochMilli(latest.timestamp())
              + ").");
    }
    return SharingErrors.invalidParameter(
        "The provided timestamp ("
            + Instant.ofEpochMilli(epochMillis)
            + ") is before the earliest version available to this table.");
  }

  @Override
  public CloseableIterator<DataFile> scan(TableSnapshot snapshot, boolean includeStats) {
    SnapshotImpl s = kernelSnapshot(snapshot.location(), snapshot.version());
    ScanImpl scan = (ScanImpl) s.getScanBuilder().build();
    io.delta.kernel.utils.CloseableIterator<FilteredColumnarBatch> batches =
        kernel(() -> scan.getScanFiles(engine(snapshot.location()), includeStats));
    return new ScanFileIterator(batches, s.getPath());
  }

  @Override
  public boolean rewritesFiles() {
    return true;
  }

  @Override
  public Rewritten rewrite(
      TableSnapshot snapshot, DataFile file, Restriction restriction, java.nio.file.Path target) {
    SnapshotImpl s = kernelSnapshot(snapshot.location(), snapshot.version());
    Engine engine = engine(snapshot.location());
    return kernel(() -> KernelRewrites.rewrite(engine, s, s.getPath(), file, restriction, target));
  }

  @Override
  public CloseableIterator<Object[]> rows(TableSnapshot snapshot) {
    SnapshotImpl s = kernelSnapshot(snapshot.location(), snapshot.version());
    KernelRows rows = kernel(() -> new KernelRows(engine(snapshot.location()), s));
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return kernel(rows::hasNext);
      }

      @Override
      public Object[] next() {
        return kernel(rows::next);
      }

      @Override
      public void close() {
        rows.close();
      }
    };
  }

  /** Pulls one Kernel batch at a time and yields its selected add files. */
  private static final class ScanFileIterator implements CloseableIterator<DataFile> {
    private final io.delta.kernel.utils.CloseableIterator<FilteredColumnarBatch> batches;
    private final String tableRoot;
    private KernelFiles files;
    private ColumnVector add;
    private Optional<ColumnVector> selection = Optional.empty();
    private int row;
    private int rows;
    private DataFile next;
    private boolean closed;

    ScanFileIterator(
        io.delta.kernel.utils.CloseableIterator<FilteredColumnarBatch> batches, String tableRoot) {
      this.batches = batches;
      this.tableRoot = tableRoot;
    }

    @Override
    public boolean hasNext() {
      if (next != null) return true;
      if (closed) return false;
      while (true) {
        while (row < rows) {
          int r = row++;
          if (selection.isPresent()
              && (selection.get().isNullAt(r) || !selection.get().getBoolean(r))) continue;
          if (add.isNullAt(r)) continue;
          next = files.read(r);
          return true;
        }
        boolean more = kernel(batches::hasNext);
        if (!more) return false;
        FilteredColumnarBatch b = kernel(batches::next);
        ColumnarBatch data = b.getData();
        add = data.getColumnVector(InternalScanFileUtils.ADD_FILE_ORDINAL);
        files = new KernelFiles(add, tableRoot);
        selection = b.getSelectionVector();
        row = 0;
        rows = data.getSize();
      }
    }

    @Override
    public DataFile next() {
      if (!hasNext()) throw new NoSuchElementException();
      DataFile f = next;
      next = null;
      return f;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      try {
        batches.close();
      } catch (IOException e) {
        LOGGER.atDebug().setCause(e).log("Closing a Kernel scan failed");
      }
    }
  }

  @Override
  public boolean supportsChanges() {
    return true;
  }

  @Override
  public CloseableIterator<ChangeRecord> changes(
      String location, long startVersion, long endVersion) {
    TableImpl t = table(location);
    Engine engine = engine(location);
    String tablePath = t.getPath(engine);
    List<FileStatus> commits;
    try {
      commits =
          DeltaLogActionUtils.getCommitFilesForVersionRange(
              engine, new Path(tablePath), startVersion, Optional.of(endVersion));
    } catch (KernelException e) {
      throw new SharingException(
          ErrorCode.INTERNAL_ERROR,
          "Cannot read the changes of versions "
              + startVersion
              + " to "
              + endVersion
              + ": the table's log is incomplete",
          e);
    }
    var actions =
        kernel(
            () ->
                DeltaLogActionUtils.getActionsFromCommitFilesWithProtocolValidation(
                    engine,
                    tablePath,
                    commits,
                    EnumSet.of(
                        DeltaAction.ADD,
                        DeltaAction.REMOVE,
                        DeltaAction.CDC,
                        DeltaAction.METADATA,
                        DeltaAction.PROTOCOL,
                        DeltaAction.COMMITINFO)));
    return new ChangeIterator(actions, tablePath);
  }

  /** Walks commits in order, flattening each commit's action batches into records. */
  private static final class ChangeIterator implements CloseableIterator<ChangeRecord> {
    private final io.delta.kernel.utils.CloseableIterator<CommitActions> commits;
    private final String tableRoot;
    private CommitActions commit;
    private io.delta.kernel.utils.CloseableIterator<ColumnarBatch> batches;
    private final ArrayList<ChangeRecord> pending = new ArrayList<>();
    private int pendingIndex;
    private boolean closed;

    ChangeIterator(
        io.delta.kernel.utils.CloseableIterator<CommitActions> commits, String tableRoot) {
      this.commits = commits;
      this.tableRoot = tableRoot;
    }

    @Override
    public boolean hasNext() {
      while (!closed) {
        if (pendingIndex < pending.size()) return true;
        pending.clear();
        pendingIndex = 0;
        if (batches != null && kernel(batches::hasNext)) {
          readBatch(kernel(batches::next));
          continue;
        }
        closeCommit();
        if (!kernel(commits::hasNext)) return false;
        commit = kernel(commits::next);
        batches = commit.getActions();
      }
      return false;
    }

    private void readBatch(ColumnarBatch b) {
      long version = commit.getVersion();
      long timestamp = commit.getTimestamp();
      StructType schema = b.getSchema();
      int n = b.getSize();
      ColumnVector add = column(b, schema, "add");
      ColumnVector remove = column(b, schema, "remove");
      ColumnVector cdc = column(b, schema, "cdc");
      ColumnVector metaData = column(b, schema, "metaData");
      ColumnVector protocol = column(b, schema, "protocol");
      ColumnVector commitInfo = column(b, schema, "commitInfo");
      KernelFiles adds = add == null ? null : new KernelFiles(add, tableRoot);
      KernelFiles removes = remove == null ? null : new KernelFiles(remove, tableRoot);
      KernelFiles cdcs = cdc == null ? null : new KernelFiles(cdc, tableRoot);
      for (int r = 0; r < n; r++) {
        if (add != null && !add.isNullAt(r)) {
          pending.add(
              new ChangeRecord.FileChange(
                  version, timestamp, ChangeRecord.FileKind.ADD, adds.read(r)));
        } else if (remove != null && !remove.isNullAt(r)) {
          pending.add(
              new ChangeRecord.FileChange(
                  version, timestamp, ChangeRecord.FileKind.REMOVE, removes.read(r)));
        } else if (cdc != null && !cdc.isNullAt(r)) {
          pending.add(
              new ChangeRecord.FileChange(
                  version, timestamp, ChangeRecord.FileKind.CDC, cdcs.read(r)));
        } else if (metaData != null && !metaData.isNullAt(r)) {
          pending.add(
              new ChangeRecord.MetadataChange(
                  version, timestamp, metadata(Metadata.fromColumnVector(metaData, r))));
        } else if (protocol != null && !protocol.isNullAt(r)) {
          pending.add(
              new ChangeRecord.ProtocolChange(
                  version, timestamp, protocol(Protocol.fromColumnVector(protocol, r))));
        } else if (commitInfo != null && !commitInfo.isNullAt(r)) {
          pending.add(commitInfo(version, timestamp, commitInfo, r));
        }
      }
    }

    private static ChangeRecord commitInfo(long version, long timestamp, ColumnVector ci, int r) {
      StructType type = (StructType) ci.getDataType();
      String operation = null;
      Map<String, String> metrics = Map.of();
      int op = type.indexOf("operation");
      if (op >= 0 && !ci.getChild(op).isNullAt(r)) operation = ci.getChild(op).getString(r);
      int om = type.indexOf("operationMetrics");
      if (om >= 0 && !ci.getChild(om).isNullAt(r))
        metrics = KernelFiles.toMap(ci.getChild(om).getMap(r));
      return new ChangeRecord.CommitInfo(version, timestamp, operation, metrics);
    }

    private static ColumnVector column(ColumnarBatch b, StructType schema, String name) {
      int i = schema.indexOf(name);
      return i < 0 ? null : b.getColumnVector(i);
    }

    @Override
    public ChangeRecord next() {
      if (!hasNext()) throw new NoSuchElementException();
      return pending.get(pendingIndex++);
    }

    private void closeCommit() {
      try {
        if (batches != null) batches.close();
        if (commit != null) commit.close();
      } catch (Exception e) {
        LOGGER.atDebug().setCause(e).log("Closing a commit's actions failed");
      }
      batches = null;
      commit = null;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      closeCommit();
      try {
        commits.close();
      } catch (IOException e) {
        LOGGER.atDebug().setCause(e).log("Closing a change iterator failed");
      }
    }
  }

  private TableImpl table(String location) {
    return (TableImpl) Table.forPath(engine(location), location);
  }

  /**
   * True when a commit or checkpoint could not be parsed (truncated, half-written or not JSON at
   * all).
   */
  static boolean isParseFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof com.fasterxml.jackson.core.JsonProcessingException) return true;
      String name = t.getClass().getName();
      if (name.endsWith("JsonParseException")
          || name.endsWith("JsonEOFException")
          || name.endsWith("MismatchedInputException")) return true;
      String m = t.getMessage();
      if (m != null
          && (m.contains("Could not parse")
              || m.contains("Unexpected end-of-input")
              || m.contains("Unrecognized token"))) return true;
    }
    return false;
  }

  /**
   * What recipients are told about a log that cannot be read; the detail stays in the cause (logged
   * with an error id).
   */
  static String unreadableLog(Throwable e) {
    return isParseFailure(e)
        ? "The table's Delta log cannot be read: a commit or checkpoint file is truncated or not valid JSON. The share provider must repair the table."
        : "The table's Delta log cannot be read (a version is missing from the log or its checkpoint is damaged). The share provider must repair the table.";
  }

  private static SharingException tableNotFound(TableNotFoundException e) {
    return new SharingException(
        ErrorCode.RESOURCE_DOES_NOT_EXIST,
        "The table's data was not found at its location; please contact your share provider.",
        e);
  }

  @FunctionalInterface
  private interface KernelCall<T> {
    T call() throws IOException;
  }

  /** Runs a Kernel call, turning its failures into recipient-safe errors (detail kept as cause). */
  private static <T> T kernel(KernelCall<T> call) {
    try {
      return call.call();
    } catch (SharingException e) {
      throw e;
    } catch (TableNotFoundException e) {
      throw tableNotFound(e);
    } catch (IOException | RuntimeException e) {
      StorageException storage = StorageException.find(e);
      if (storage != null) throw storageError(storage);
      if (e instanceof KernelException || isParseFailure(e)) {
        throw new SharingException(ErrorCode.INTERNAL_ERROR, unreadableLog(e), e);
      }
      if (e instanceof IOException io) throw new UncheckedIOException(io);
      throw (RuntimeException) e;
    }
  }

  /** Maps a storage failure to a protocol error; the service adds the table's name. */
  static SharingException storageError(StorageException e) {
    return e.toSharingException("object store");
  }
}
