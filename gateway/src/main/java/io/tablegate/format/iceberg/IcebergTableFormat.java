package io.tablegate.format.iceberg;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tablegate.protocol.DeltaProtocol;
import io.tablegate.protocol.ErrorCode;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.protocol.SharingException;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.Locations;
import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.StorageException;
import io.tablegate.spi.TableFormat;
import io.tablegate.spi.TableSnapshot;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.HistoryEntry;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.MetricsModes;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.RESTException;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Apache Iceberg tables (format v1/v2, Hadoop-style tables on a path) served as Delta Sharing
 * tables. Versions: a v2+ table's snapshot sequence numbers (stable, increasing, may skip); a v1
 * table's position in the main branch's snapshot log. Identity partitions become partition columns;
 * other transforms leave the table unpartitioned (still pruned by stats). Snapshots with delete
 * files are refused rather than served with deleted rows.
 */
public final class IcebergTableFormat implements TableFormat {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern METADATA_FILE = Pattern.compile("v(\\d+)(\\.gz)?\\.metadata\\.json");

  /**
   * Locations of tables behind a REST catalog: {@code
   * iceberg-rest://<catalog>/<namespace>.<table>}.
   */
  public static final String REST_SCHEME = "iceberg-rest://";

  private final Configuration hadoopConf = new Configuration();
  private final HadoopTables tables = new HadoopTables(hadoopConf);
  private final Function<String, ObjectStore> stores;
  private final Map<String, Map<String, String>> catalogProperties;
  private final Map<String, RESTCatalog> catalogs = new ConcurrentHashMap<>();

  /** Local Hadoop-style tables and {@code metadata.json} files only. */
  public IcebergTableFormat() {
    this(location -> null, Map.of());
  }

  /**
   * @param stores the object store of an {@code s3://} location (null when none serves it)
   * @param restCatalogs Iceberg REST catalog properties by catalog name ({@code uri}, {@code
   *     warehouse}, {@code credential}, {@code token}, ...), for locations under {@link
   *     #REST_SCHEME}
   */
  public IcebergTableFormat(
      Function<String, ObjectStore> stores, Map<String, Map<String, String>> restCatalogs) {
    this.stores = stores;
    this.catalogProperties = Map.copyOf(restCatalogs);
  }

  /**
   * The table at {@code location}: a Hadoop-style table directory (local or {@code s3://}, its
   * newest {@code metadata/vN.metadata.json}), a {@code .metadata.json} file itself, or a table
   * behind a REST catalog (its current metadata file, read through our own file I/O).
   */
  private Table load(String location) {
    try {
      if (location.startsWith(REST_SCHEME)) return loadFromCatalog(location);
      if (location.endsWith(".metadata.json")) return staticTable(location, location);
      if (location.startsWith("s3://") || location.startsWith("s3a://"))
        return staticTable(location, newestMetadataFile(location));
      return tables.load(location);
    } catch (NoSuchTableException | NotFoundException e) {
      throw new SharingException(
          ErrorCode.RESOURCE_DOES_NOT_EXIST,
          "The table's data was not found at its location; please contact your share provider.",
          e);
    } catch (SharingException e) {
      throw e;
    } catch (RuntimeException e) {
      throw mapped(e);
    }
  }

  /** A failure while reading a table, as a protocol error; storage failures by kind. */
  static SharingException mapped(RuntimeException e) {
    if (e instanceof SharingException s) return s;
    if (e instanceof NotFoundException) {
      return new SharingException(
          ErrorCode.RESOURCE_DOES_NOT_EXIST,
          "The table's files are missing from its storage; please contact your share provider.",
          e);
    }
    StorageException storage = StorageException.find(e);
    if (storage == null)
      return new SharingException(
          ErrorCode.INTERNAL_ERROR, "The Iceberg table's metadata cannot be read", e);
    boolean catalog =
        storage.getMessage() != null && storage.getMessage().contains("Iceberg catalog");
    return storage.toSharingException(catalog ? "Iceberg catalog" : "object store");
  }

  private FileIO ioFor(String location) {
    return location.startsWith("s3://") || location.startsWith("s3a://")
        ? new ObjectStoreIcebergIO(stores)
        : new HadoopFileIO(hadoopConf);
  }

  private Table staticTable(String name, String metadataFile) {
    return new BaseTable(new StaticTableOperations(metadataFile, ioFor(metadataFile)), name);
  }

  /**
   * The highest {@code vN.metadata.json} of a Hadoop-style table in object storage (one listing).
   */
  private String newestMetadataFile(String location) {
    String root = (location.endsWith("/") ? location : location + "/") + "metadata/";
    ObjectStore store = stores.apply(ObjectStoreIcebergIO.normalize(root));
    if (store == null)
      throw new SharingException(
          ErrorCode.INTERNAL_ERROR, "No object store is configured for this table");
    long best = -1;
    String file = null;
    try (CloseableIterator<ObjectStore.ObjectInfo> it =
        store.listFrom(ObjectStoreIcebergIO.normalize(root) + "v")) {
      while (it.hasNext()) {
        ObjectStore.ObjectInfo o = it.next();
        String name = o.location().substring(o.location().lastIndexOf('/') + 1);
        Matcher m = METADATA_FILE.matcher(name);
        if (m.matches() && Long.parseLong(m.group(1)) > best) {
          best = Long.parseLong(m.group(1));
          file = o.location();
        }
      }
    } catch (StorageException e) {
      if (e.kind() != StorageException.Kind.NOT_FOUND) throw e;
    }
    if (file == null) throw new NotFoundException("No Iceberg metadata under %s", root);
    return file;
  }

  private Table loadFromCatalog(String location) {
    String rest = location.substring(REST_SCHEME.length());
    int slash = rest.indexOf('/');
    String catalogName = rest.substring(0, slash);
    TableIdentifier id = TableIdentifier.parse(rest.substring(slash + 1));
    Table loaded;
    try {
      RESTCatalog catalog =
          catalogs.computeIfAbsent(
              catalogName,
              name -> {
                Map<String, String> props = catalogProperties.get(name);
                if (props == null)
                  throw new SharingException(ErrorCode.INTERNAL_ERROR, "Unknown Iceberg catalog");
                RESTCatalog c = new RESTCatalog();
                c.setConf(hadoopConf);
                c.initialize(name, props);
                return c;
              });
      loaded = catalog.loadTable(id);
    } catch (NotAuthorizedException | ForbiddenException e) {
      throw new StorageException(
          StorageException.Kind.ACCESS_DENIED,
          "The Iceberg catalog refused the gateway's credentials",
          e);
    } catch (RESTException e) {
      throw new StorageException(
          StorageException.Kind.UNAVAILABLE, "The Iceberg catalog is unavailable", e);
    }
    TableMetadata metadata = ((HasTableOperations) loaded).operations().current();
    return new BaseTable(new StaticTableOperations(metadata, ioFor(metadata.location())), location);
  }

  @Override
  public void close() {
    for (RESTCatalog c : catalogs.values()) {
      try {
        c.close();
      } catch (IOException e) {
        // closing a catalog's HTTP client: nothing left to do
      }
    }
  }

  private static int formatVersion(Table t) {
    return t instanceof HasTableOperations ops ? ops.operations().current().formatVersion() : 2;
  }

  /** Main-branch snapshots in commit order, each with its Delta Sharing version. */
  private static LinkedHashMap<Long, Snapshot> versions(Table t) {
    LinkedHashMap<Long, Snapshot> out = new LinkedHashMap<>();
    boolean bySequence = formatVersion(t) >= 2;
    long index = 0;
    for (HistoryEntry h : t.history()) {
      Snapshot s = t.snapshot(h.snapshotId());
      if (s == null) continue; // expired
      long v = bySequence ? s.sequenceNumber() : index++;
      out.putIfAbsent(v, s);
    }
    return out;
  }

  @Override
  public java.util.Optional<IcebergMetadata> icebergMetadata(String location, long fromVersion) {
    Table t = load(location);
    org.apache.iceberg.TableMetadata m = ((HasTableOperations) t).operations().current();
    String json = org.apache.iceberg.TableMetadataParser.toJson(m);
    if (fromVersion > 0) {
      java.util.Set<Long> keep = new java.util.HashSet<>();
      for (Map.Entry<Long, Snapshot> e : versions(t).entrySet())
        if (e.getKey() >= fromVersion) keep.add(e.getValue().snapshotId());
      if (t.currentSnapshot() != null) keep.add(t.currentSnapshot().snapshotId());
      json = onlySnapshots(json, keep);
    }
    return java.util.Optional.of(new IcebergMetadata(m.metadataFileLocation(), json));
  }

  /**
   * Metadata JSON with only the snapshots {@code keep} (and the log entries, references and
   * statistics of those), and without the log of earlier metadata files (which would name them).
   */
  static String onlySnapshots(String json, java.util.Set<Long> keep) {
    try {
      com.fasterxml.jackson.databind.ObjectMapper mapper =
          new com.fasterxml.jackson.databind.ObjectMapper();
      com.fasterxml.jackson.databind.node.ObjectNode root =
          (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json);
      for (String list :
          List.of("snapshots", "snapshot-log", "statistics", "partition-statistics")) {
        com.fasterxml.jackson.databind.JsonNode items = root.get(list);
        if (items == null || !items.isArray()) continue;
        com.fasterxml.jackson.databind.node.ArrayNode kept = mapper.createArrayNode();
        for (com.fasterxml.jackson.databind.JsonNode item : items)
          if (keep.contains(item.path("snapshot-id").asLong())) kept.add(item);
        root.set(list, kept);
      }
      com.fasterxml.jackson.databind.JsonNode refs = root.get("refs");
      if (refs != null && refs.isObject()) {
        List<String> names = new ArrayList<>();
        refs.fieldNames().forEachRemaining(names::add);
        for (String name : names)
          if (!keep.contains(refs.get(name).path("snapshot-id").asLong()))
            ((com.fasterxml.jackson.databind.node.ObjectNode) refs).remove(name);
      }
      root.putArray("metadata-log");
      return root.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public long latestVersion(String location) {
    Table t = load(location);
    Snapshot current = t.currentSnapshot();
    if (current == null) return 0;
    long latest = 0;
    for (Map.Entry<Long, Snapshot> e : versions(t).entrySet())
      if (e.getValue().snapshotId() == current.snapshotId()) latest = e.getKey();
    return latest;
  }

  private static Snapshot snapshotAt(Table t, long version) {
    Snapshot s = versions(t).get(version);
    if (s == null && !(version == 0 && t.currentSnapshot() == null)) {
      throw SharingErrors.invalidParameter(
          "Cannot load table version "
              + version
              + ": the table has no snapshot with that version.");
    }
    return s;
  }

  @Override
  public TableSnapshot snapshot(String location, long version) {
    Table t = load(location);
    Snapshot s = snapshotAt(t, version);
    Schema schema =
        s == null || s.schemaId() == null
            ? t.schema()
            : t.schemas().getOrDefault(s.schemaId(), t.schema());
    boolean idMapping = IcebergSchemas.needsIdMapping(schema, t.schemas().values());
    IcebergSchemas.Mapped mapped = IcebergSchemas.toDelta(schema, idMapping);
    List<String> partitionColumns = identityColumns(t, schema);
    Map<String, String> configuration = new HashMap<>();
    // file-level change data (appends, whole-file deletes and rewrites) is derived from snapshots
    configuration.put("delta.enableChangeDataFeed", "true");
    if (idMapping) {
      // renamed or re-added columns: readers must match Parquet columns by field id, as Iceberg
      // does
      configuration.put("delta.columnMapping.mode", "id");
      configuration.put(
          "delta.columnMapping.maxColumnId",
          Integer.toString(((HasTableOperations) t).operations().current().lastColumnId()));
    }
    boolean deletes = hasDeleteFiles(t, s);
    if (deletes) {
      // row deletes reach recipients as deletion vectors (delta format only)
      configuration.put("delta.enableDeletionVectors", "true");
    }
    io.tablegate.protocol.TableMetadata metadata =
        new io.tablegate.protocol.TableMetadata(
            t.uuid().toString(),
            null,
            t.properties().get("comment"),
            "parquet",
            Map.of(),
            mapped.schemaString(),
            partitionColumns,
            configuration,
            null);
    List<String> features = new ArrayList<>();
    if (idMapping) features.add("columnMapping");
    if (deletes) features.add("deletionVectors");
    if (mapped.timestampNtz()) features.add("timestampNtz");
    DeltaProtocol protocol =
        features.isEmpty()
            ? new DeltaProtocol(1, 2, null, null)
            : new DeltaProtocol(3, 7, features, features);
    long timestamp = s == null ? 0 : s.timestampMillis();
    Long numFiles = null;
    Long size = null;
    if (s != null
        && s.summary() != null
        && s.summary().containsKey("total-data-files")
        && s.summary().containsKey("total-files-size")) {
      numFiles = Long.parseLong(s.summary().get("total-data-files"));
      size = Long.parseLong(s.summary().get("total-files-size"));
    }
    return new TableSnapshot(location, version, timestamp, protocol, metadata, size, numFiles);
  }

  /**
   * Whether rows of the snapshot's data files may be deleted by delete files (unknown counts as
   * yes).
   */
  private static boolean hasDeleteFiles(Table t, Snapshot s) {
    if (s == null || formatVersion(t) < 2) return false;
    String total = s.summary() == null ? null : s.summary().get("total-delete-files");
    return total == null || Long.parseLong(total) > 0;
  }

  /**
   * Identity-partition source columns when every partition spec of the table agrees; otherwise
   * none.
   */
  private static List<String> identityColumns(Table t, Schema schema) {
    PartitionSpec spec = t.spec();
    if (t.specs().size() != 1 || spec.isUnpartitioned()) return List.of();
    List<String> out = new ArrayList<>();
    for (PartitionField f : spec.fields()) {
      if (!f.transform().isIdentity()) return List.of();
      Types.NestedField source = schema.findField(f.sourceId());
      if (source == null) return List.of();
      out.add(source.name());
    }
    return out;
  }

  @Override
  public long versionAtOrBefore(String location, long epochMillis) {
    Table t = load(location);
    Long best = null;
    for (Map.Entry<Long, Snapshot> e : versions(t).entrySet())
      if (e.getValue().timestampMillis() <= epochMillis) best = e.getKey();
    if (best == null) {
      throw SharingErrors.invalidParameter(
          "The provided timestamp ("
              + Instant.ofEpochMilli(epochMillis)
              + ") is before the earliest version available to this table.");
    }
    return best;
  }

  @Override
  public long versionAtOrAfter(String location, long epochMillis) {
    Table t = load(location);
    for (Map.Entry<Long, Snapshot> e : versions(t).entrySet())
      if (e.getValue().timestampMillis() >= epochMillis) return e.getKey();
    throw SharingErrors.invalidParameter(
        "The provided timestamp ("
            + Instant.ofEpochMilli(epochMillis)
            + ") is after the latest version available to this table.");
  }

  @Override
  public boolean supportsChanges() {
    return true;
  }

  /**
   * File-level changes of the main-branch snapshots with versions in the range: an append's data
   * files as adds, a delete's or overwrite's removed data files as removes and added ones as adds,
   * a replace (compaction) as nothing (no data change), a new schema as a metaData change. A
   * snapshot with delete files cannot be expressed exactly and is refused.
   */
  @Override
  public CloseableIterator<io.tablegate.spi.ChangeRecord> changes(
      String location, long startVersion, long endVersion) {
    try {
      return changeList(location, startVersion, endVersion);
    } catch (RuntimeException e) {
      throw mapped(e);
    }
  }

  private CloseableIterator<io.tablegate.spi.ChangeRecord> changeList(
      String location, long startVersion, long endVersion) {
    Table t = load(location);
    String root = root(t);
    List<io.tablegate.spi.ChangeRecord> out = new ArrayList<>();
    Integer previousSchema = null;
    for (Map.Entry<Long, Snapshot> e : versions(t).entrySet()) {
      Snapshot s = e.getValue();
      long v = e.getKey();
      Integer schemaId = s.schemaId();
      if (v >= startVersion && v <= endVersion) {
        TableSnapshot meta = snapshot(location, v);
        Schema schema =
            schemaId == null ? t.schema() : t.schemas().getOrDefault(schemaId, t.schema());
        List<String> partitionColumns = meta.metadata().partitionColumns();
        if (previousSchema != null && schemaId != null && !schemaId.equals(previousSchema)) {
          out.add(
              new io.tablegate.spi.ChangeRecord.MetadataChange(
                  v, s.timestampMillis(), meta.metadata()));
        }
        if (s.addedDeleteFiles(t.io()).iterator().hasNext()
            || s.removedDeleteFiles(t.io()).iterator().hasNext()) {
          throw SharingErrors.unsupported(
              "Iceberg snapshot "
                  + s.snapshotId()
                  + " (version "
                  + v
                  + ") changes rows with delete files, which change data feed cannot express exactly; compact the table.");
        }
        if (!"replace".equals(s.operation())) {
          for (org.apache.iceberg.DataFile f : s.removedDataFiles(t.io())) {
            out.add(
                new io.tablegate.spi.ChangeRecord.FileChange(
                    v,
                    s.timestampMillis(),
                    io.tablegate.spi.ChangeRecord.FileKind.REMOVE,
                    changeFile(
                        root,
                        f,
                        s,
                        partitionValues(
                            t, schema, partitionColumns, f, idMapped(meta.metadata())))));
          }
          for (org.apache.iceberg.DataFile f : s.addedDataFiles(t.io())) {
            out.add(
                new io.tablegate.spi.ChangeRecord.FileChange(
                    v,
                    s.timestampMillis(),
                    io.tablegate.spi.ChangeRecord.FileKind.ADD,
                    changeFile(
                        root,
                        f,
                        s,
                        partitionValues(
                            t, schema, partitionColumns, f, idMapped(meta.metadata())))));
          }
        }
      }
      previousSchema = schemaId;
    }
    Iterator<io.tablegate.spi.ChangeRecord> it = out.iterator();
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public io.tablegate.spi.ChangeRecord next() {
        return it.next();
      }

      @Override
      public void close() {}
    };
  }

  /** The table's location in {@link Locations#comparable} form, ending with a slash. */
  private static String root(Table t) {
    String l = Locations.comparable(t.location());
    return l.endsWith("/") ? l : l + "/";
  }

  /**
   * A data file's path below the table root; the gateway serves only files inside a shared table's
   * location.
   */
  private static String relative(String root, String path) {
    String relative = Locations.relativeTo(root, Locations.comparable(path));
    if (relative == null) {
      throw new SharingException(
          ErrorCode.INTERNAL_ERROR,
          "A table whose files lie outside its location cannot be shared");
    }
    return relative;
  }

  private static DataFile changeFile(
      String root, org.apache.iceberg.DataFile f, Snapshot s, Map<String, String> pv) {
    String path = f.path().toString();
    String relative = relative(root, path);
    return new DataFile(
        Locations.readable(path),
        relative,
        pv,
        f.fileSizeInBytes(),
        s.timestampMillis(),
        true,
        null,
        null);
  }

  @Override
  public boolean rewritesFiles() {
    return true;
  }

  @Override
  public Rewritten rewrite(
      TableSnapshot snapshot, DataFile file, Restriction restriction, java.nio.file.Path target) {
    Table t = load(snapshot.location());
    Snapshot s = snapshotAt(t, snapshot.version());
    Schema schema =
        s == null || s.schemaId() == null
            ? t.schema()
            : t.schemas().getOrDefault(s.schemaId(), t.schema());
    try {
      return IcebergRewrites.rewrite(t, schema, file, restriction, target);
    } catch (RuntimeException e) {
      throw mapped(e);
    }
  }

  /** Rows through Iceberg's generic reader, which applies position and equality deletes. */
  @Override
  public CloseableIterator<Object[]> rows(TableSnapshot snapshot) {
    Table t = load(snapshot.location());
    Snapshot s = snapshotAt(t, snapshot.version());
    if (s == null) return CloseableIterator.empty();
    org.apache.iceberg.TableScan scan = t.newScan().useSnapshot(s.snapshotId());
    Schema projection = scan.schema();
    int columns = projection.columns().size();
    org.apache.iceberg.mapping.NameMapping mapping = nameMapping(t);
    return guarded(
        () -> {
          CloseableIterable<FileScanTask> tasks = scan.planFiles();
          CloseableIterable<org.apache.iceberg.data.Record> records =
              CloseableIterable.concat(
                  CloseableIterable.transform(
                      tasks, task -> read(t, task, t.schema(), projection, mapping)));
          return CloseableIterable.combine(
              records,
              () -> {
                try (tasks) {
                  records.close();
                }
              });
        },
        r -> java.util.Arrays.copyOf(struct(r), columns));
  }

  /**
   * The table's name mapping ({@code schema.name-mapping.default}): how to read data files written
   * without Iceberg field ids (tables made with {@code add_files} or migrated), or null.
   */
  static org.apache.iceberg.mapping.NameMapping nameMapping(Table t) {
    String json = t.properties().get(org.apache.iceberg.TableProperties.DEFAULT_NAME_MAPPING);
    return json == null ? null : org.apache.iceberg.mapping.NameMappingParser.fromJson(json);
  }

  /**
   * One data file's live rows as Iceberg's engines read them: its delete files applied, identity
   * partition values as constants, and the name mapping for files without field ids (which
   * Iceberg's {@code IcebergGenerics} helper does not apply). Rows of the delete filter's schema:
   * {@code projection}'s columns first.
   */
  private static CloseableIterable<org.apache.iceberg.data.Record> read(
      Table t,
      FileScanTask task,
      Schema tableSchema,
      Schema projection,
      org.apache.iceberg.mapping.NameMapping mapping) {
    org.apache.iceberg.data.GenericDeleteFilter deletes =
        new org.apache.iceberg.data.GenericDeleteFilter(t.io(), task, tableSchema, projection);
    Schema read = deletes.requiredSchema();
    Map<Integer, ?> constants =
        org.apache.iceberg.util.PartitionUtil.constantsMap(
            task, org.apache.iceberg.data.IdentityPartitionConverters::convertConstant);
    org.apache.iceberg.parquet.Parquet.ReadBuilder builder =
        org.apache.iceberg.parquet.Parquet.read(t.io().newInputFile(task.file()))
            .project(read)
            .split(task.start(), task.length())
            .createReaderFunc(
                fs ->
                    org.apache.iceberg.data.parquet.GenericParquetReaders.buildReader(
                        read, fs, constants));
    if (mapping != null) builder.withNameMapping(mapping);
    return deletes.filter(builder.build());
  }

  /**
   * An Iceberg iterable as the SPI's iterator of {@code map(element)}: opened now, Iceberg's
   * failures (opening, iterating, mapping) reported as the table's, closed with the iterator.
   */
  private static <E, T> CloseableIterator<T> guarded(
      java.util.function.Supplier<CloseableIterable<E>> open, Function<E, T> map) {
    CloseableIterable<E> iterable;
    Iterator<E> it;
    try {
      iterable = open.get();
      it = iterable.iterator();
    } catch (RuntimeException e) {
      throw mapped(e);
    }
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        try {
          return it.hasNext();
        } catch (RuntimeException e) {
          throw mapped(e);
        }
      }

      @Override
      public T next() {
        if (!hasNext()) throw new NoSuchElementException();
        try {
          return map.apply(it.next());
        } catch (RuntimeException e) {
          throw mapped(e);
        }
      }

      @Override
      public void close() {
        try {
          iterable.close();
        } catch (IOException e) {
          // nothing left to read from it
        }
      }
    };
  }

  private static Object[] struct(org.apache.iceberg.StructLike r) {
    Object[] out = new Object[r.size()];
    for (int i = 0; i < out.length; i++) out[i] = plain(r.get(i, Object.class));
    return out;
  }

  /** An Iceberg generic value as the plain Java of {@link TableFormat#rows}. */
  private static Object plain(Object v) {
    if (v == null) return null;
    if (v instanceof org.apache.iceberg.StructLike st) return struct(st);
    if (v instanceof CharSequence cs) return cs.toString();
    if (v instanceof ByteBuffer b) {
      byte[] out = new byte[b.remaining()];
      b.duplicate().get(out);
      return out;
    }
    if (v instanceof java.time.OffsetDateTime odt) return odt.toInstant();
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object e : l) out.add(plain(e));
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) out.put(plain(e.getKey()), plain(e.getValue()));
      return out;
    }
    return v;
  }

  @Override
  public CloseableIterator<DataFile> scan(TableSnapshot snapshot, boolean includeStats) {
    Table t = load(snapshot.location());
    Snapshot s = snapshotAt(t, snapshot.version());
    if (s == null) return CloseableIterator.empty();
    Schema schema =
        s.schemaId() == null ? t.schema() : t.schemas().getOrDefault(s.schemaId(), t.schema());
    List<String> partitionColumns = snapshot.metadata().partitionColumns();
    boolean idMapped = idMapped(snapshot.metadata());
    MetricsConfig metrics = MetricsConfig.forTable(t);
    String root = root(t);
    long commitTime = s.timestampMillis();
    return guarded(
        () -> t.newScan().useSnapshot(s.snapshotId()).includeColumnStats().planFiles(),
        task -> {
          org.apache.iceberg.DataFile f = task.file();
          String path = f.path().toString();
          return new DataFile(
              Locations.readable(path),
              relative(root, path),
              partitionValues(t, schema, partitionColumns, f, idMapped),
              f.fileSizeInBytes(),
              commitTime,
              true,
              includeStats ? stats(schema, f, idMapped, metrics) : null,
              IcebergDeletes.deletionVector(t, task));
        });
  }

  /**
   * Whether a snapshot's metadata maps columns by field id (then stats and partition values use
   * physical names).
   */
  private static boolean idMapped(io.tablegate.protocol.TableMetadata m) {
    return "id".equals(m.configuration().get("delta.columnMapping.mode"));
  }

  private static Map<String, String> partitionValues(
      Table t,
      Schema schema,
      List<String> partitionColumns,
      org.apache.iceberg.DataFile f,
      boolean idMapped) {
    Map<String, String> pv = new LinkedHashMap<>();
    if (partitionColumns.isEmpty()) return pv;
    List<PartitionField> fields = t.specs().get(f.specId()).fields();
    for (int i = 0; i < fields.size(); i++) {
      int sourceId = fields.get(i).sourceId();
      Type type = schema.findType(sourceId);
      String key = idMapped ? IcebergSchemas.physicalName(sourceId) : partitionColumns.get(i);
      pv.put(key, IcebergSchemas.partitionValue(type, f.partition().get(i, Object.class)));
    }
    return pv;
  }

  /**
   * Delta stats from Iceberg metrics (spec Appendix D bounds), nested like the schema; unsafe
   * bounds are left out.
   */
  static String stats(
      Schema schema, org.apache.iceberg.DataFile f, boolean idMapped, MetricsConfig metrics) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("numRecords", f.recordCount());
    ObjectNode min = MAPPER.createObjectNode();
    ObjectNode max = MAPPER.createObjectNode();
    ObjectNode nulls = MAPPER.createObjectNode();
    addStats(schema.asStruct(), "", f, min, max, nulls, idMapped, metrics);
    root.set("minValues", min);
    root.set("maxValues", max);
    root.set("nullCount", nulls);
    return root.toString();
  }

  private static void addStats(
      Types.StructType struct,
      String prefix,
      org.apache.iceberg.DataFile f,
      ObjectNode min,
      ObjectNode max,
      ObjectNode nulls,
      boolean idMapped,
      MetricsConfig metrics) {
    for (Types.NestedField field : struct.fields()) {
      String path = prefix + field.name();
      String key = idMapped ? IcebergSchemas.physicalName(field.fieldId()) : field.name();
      if (field.type().isStructType()) {
        ObjectNode mn = MAPPER.createObjectNode();
        ObjectNode mx = MAPPER.createObjectNode();
        ObjectNode nc = MAPPER.createObjectNode();
        addStats(field.type().asStructType(), path + ".", f, mn, mx, nc, idMapped, metrics);
        if (!mn.isEmpty()) min.set(key, mn);
        if (!mx.isEmpty()) max.set(key, mx);
        if (!nc.isEmpty()) nulls.set(key, nc);
        continue;
      }
      if (!field.type().isPrimitiveType()) continue;
      int id = field.fieldId();
      if (f.nullValueCounts() != null && f.nullValueCounts().get(id) != null)
        nulls.put(key, f.nullValueCounts().get(id));
      boolean nans =
          f.nanValueCounts() != null
              && f.nanValueCounts().get(id) != null
              && f.nanValueCounts().get(id) > 0;
      if (nans) continue;
      if (field.type().typeId() == Type.TypeID.STRING
          && metrics.columnMode(path) instanceof MetricsModes.Truncate truncate) {
        // a bound as long as the truncation length may be a truncated prefix: leave both out
        ByteBuffer lower = f.lowerBounds() == null ? null : f.lowerBounds().get(id);
        ByteBuffer upper = f.upperBounds() == null ? null : f.upperBounds().get(id);
        if (mayBeTruncated(lower, truncate.length()) || mayBeTruncated(upper, truncate.length()))
          continue;
      }
      bound(field, key, f.lowerBounds() == null ? null : f.lowerBounds().get(id), false, min);
      bound(field, key, f.upperBounds() == null ? null : f.upperBounds().get(id), true, max);
    }
  }

  private static boolean mayBeTruncated(ByteBuffer bound, int length) {
    if (bound == null) return false;
    String v = java.nio.charset.StandardCharsets.UTF_8.decode(bound.duplicate()).toString();
    return v.codePointCount(0, v.length()) >= length;
  }

  private static void bound(
      Types.NestedField field, String name, ByteBuffer buffer, boolean upper, ObjectNode out) {
    if (buffer == null) return;
    Object v = Conversions.fromByteBuffer(field.type(), buffer.duplicate());
    switch (field.type().typeId()) {
      case BOOLEAN -> out.put(name, (Boolean) v);
      case INTEGER -> out.put(name, (Integer) v);
      case LONG -> out.put(name, (Long) v);
      case FLOAT -> {
        float x = (Float) v;
        if (Float.isFinite(x)) out.put(name, x);
      }
      case DOUBLE -> {
        double x = (Double) v;
        if (Double.isFinite(x)) out.put(name, x);
      }
      case DATE -> out.put(name, LocalDate.ofEpochDay((Integer) v).toString());
      case STRING -> out.put(name, v.toString());
      case DECIMAL -> out.put(name, (BigDecimal) v);
      case TIMESTAMP -> {
        long micros = (Long) v;
        Instant i = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
        Instant ms =
            upper
                ? i.truncatedTo(ChronoUnit.MILLIS).plusMillis(i.getNano() % 1_000_000 == 0 ? 0 : 1)
                : i.truncatedTo(ChronoUnit.MILLIS);
        out.put(name, ms.toString());
      }
      default -> {} // binary, fixed: no bounds a Delta reader compares
    }
  }
}
