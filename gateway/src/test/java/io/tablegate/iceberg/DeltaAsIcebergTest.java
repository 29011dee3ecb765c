package io.tablegate.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.TestTables;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.mapping.NameMappingParser;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PartitionUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Delta tables through the Iceberg REST face: the gateway generates Iceberg metadata for each Delta
 * version (field ids from column mapping or by position, identity partitions whose values only the
 * file list holds, metrics from the Delta stats or the Parquet footer), and Iceberg's own client
 * reads every DAT table with it to exactly DAT's expected rows; tables with deletion vectors are
 * refused clearly.
 */
class DeltaAsIcebergTest {
  static final String TOKEN = "delta-iceberg-0123456789";
  static GatewayHarness gw;
  @TempDir static Path work;

  /** DAT tables whose latest version has files with deletion vectors. */
  static final List<String> WITH_DELETION_VECTORS = List.of("deletion_vectors");

  @BeforeAll
  static void start() throws Exception {
    TestTables.writeHistoryTable(work.resolve("hist"));
    StringBuilder yaml =
        new StringBuilder(
            "version: 1\nhost: 127.0.0.1\nport: 0\nlatestVersionTtlMs: 0\n"
                + "authorization: {tokens: [{id: dat, token: "
                + TOKEN
                + ", shares: [dat]}]}\n"
                + "rewrites: {directory: \""
                + work.resolve("rewrites")
                + "\"}\n"
                + "shares:\n  - name: dat\n    schemas:\n      - name: cases\n        tables:\n");
    for (String c : cases().toList())
      yaml.append("          - {name: ")
          .append(c)
          .append(", location: \"")
          .append(TestTables.dat().resolve(c).resolve("delta").toUri())
          .append("\"}\n");
    yaml.append("      - name: live\n        tables:\n          - {name: hist, location: hist}\n");
    gw = GatewayHarness.start(yaml.toString(), work);
  }

  @AfterAll
  static void stop() {
    if (gw != null) gw.close();
  }

  static Stream<String> cases() throws Exception {
    try (Stream<Path> s = Files.list(TestTables.dat())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  static RESTCatalog catalog() {
    return IcebergFace.catalog(gw, TOKEN, "dat", "org.apache.iceberg.hadoop.HadoopFileIO");
  }

  static String schemaString(String table) {
    return IcebergFace.schemaString(gw, "/shares/dat/schemas/cases/tables/" + table, TOKEN);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void icebergsOwnClientReadsEveryDatTableToTheExpectedRows(String name) throws Exception {
    try (RESTCatalog catalog = catalog()) {
      if (WITH_DELETION_VECTORS.contains(name)) {
        assertThatThrownBy(() -> catalog.loadTable(TableIdentifier.of("cases", name)))
            .isInstanceOf(BadRequestException.class)
            .hasMessageContaining("deletion vectors");
        return;
      }
      // When
      Table t = catalog.loadTable(TableIdentifier.of("cases", name));
      // Then: the generated metadata names the Delta version, and the rows are DAT's
      String schemaString = schemaString(name);
      Response version = gw.get("/shares/dat/schemas/cases/tables/" + name + "/version", TOKEN);
      assertThat(t.properties())
          .containsEntry("tablegate.delta-version", version.header("Delta-Table-Version"));
      assertThat(rows(t))
          .containsExactlyInAnyOrderElementsOf(IcebergFace.datExpected(name, schemaString));
    }
  }

  @Test
  void partitionsAndStatsPruneFilesAndIdsComeFromColumnMapping() throws Exception {
    try (RESTCatalog catalog = catalog()) {
      // identity partitions: a filter on a partition column plans only that partition's files
      Table parts = catalog.loadTable(TableIdentifier.of("cases", "basic_partitioned"));
      assertThat(parts.spec().fields()).hasSize(1);
      assertThat(parts.spec().fields().get(0).transform().isIdentity()).isTrue();
      long all = count(parts.newScan().planFiles());
      long one = count(parts.newScan().filter(Expressions.equal("letter", "a")).planFiles());
      assertThat(one).isPositive().isLessThan(all);
      // column mapping: Delta's own field ids, and the name mapping by physical names
      Table mapped = catalog.loadTable(TableIdentifier.of("cases", "column_mapping"));
      JsonNode fields =
          GatewayHarness.MAPPER.readTree(schemaString("column_mapping")).get("fields");
      for (JsonNode f : fields) {
        Types.NestedField field = mapped.schema().findField(f.get("name").asText());
        assertThat(field.fieldId())
            .isEqualTo(f.get("metadata").get("delta.columnMapping.id").asInt());
      }
      assertThat(mapped.properties().get("schema.name-mapping.default"))
          .contains(fields.get(0).get("metadata").get("delta.columnMapping.physicalName").asText());
      // a table written without stats: record counts from the Parquet footers
      Table noStats = catalog.loadTable(TableIdentifier.of("cases", "no_stats"));
      assertThat(noStats.currentSnapshot().summary()).containsKey("total-records");
      assertThat(Long.parseLong(noStats.currentSnapshot().summary().get("total-records")))
          .isEqualTo(rows(noStats).size());
    }
  }

  @Test
  void aNewDeltaVersionIsANewIcebergSnapshotAndAVersionIsGeneratedOnce() throws Exception {
    try (RESTCatalog catalog = catalog()) {
      Response first = gw.get("/iceberg/v1/dat/namespaces/live/tables/hist", TOKEN);
      assertThat(first.status()).as(first.text()).isEqualTo(200);
      Response again = gw.get("/iceberg/v1/dat/namespaces/live/tables/hist", TOKEN);
      // the same version's metadata is kept, not generated again
      assertThat(again.json().get("metadata")).isEqualTo(first.json().get("metadata"));
      String location = first.json().get("metadata-location").asText();
      assertThat(location).startsWith(work.resolve("rewrites").toUri().toString());
      assertThat(Path.of(java.net.URI.create(location))).exists();
      Table before = catalog.loadTable(TableIdentifier.of("live", "hist"));
      int rowsBefore = rows(before).size();
      // When: the Delta table gets a new version
      long next =
          Long.parseLong(
                  gw.get("/shares/dat/schemas/live/tables/hist/version", TOKEN)
                      .header("Delta-Table-Version"))
              + 1;
      appendRow(next, 99L, LocalDate.of(2024, 5, 9));
      // Then
      Table after = catalog.loadTable(TableIdentifier.of("live", "hist"));
      assertThat(after.uuid()).isEqualTo(before.uuid());
      assertThat(Long.parseLong(after.properties().get("tablegate.delta-version")))
          .isGreaterThan(Long.parseLong(before.properties().get("tablegate.delta-version")));
      assertThat(rows(after).size()).isGreaterThan(rowsBefore);
      // the older version's metadata is kept for an hour (readers may still plan from it), then
      // removed when a newer version is generated (its files' times set back: the clock it reads)
      String afterLocation =
          ((org.apache.iceberg.HasTableOperations) after)
              .operations()
              .current()
              .metadataFileLocation();
      Path oldDir = Path.of(java.net.URI.create(location)).getParent();
      Path newDir = Path.of(java.net.URI.create(afterLocation)).getParent();
      assertThat(oldDir).isNotEqualTo(newDir).exists();
      try (Stream<Path> files = Files.list(oldDir)) {
        for (Path f : files.toList())
          Files.setLastModifiedTime(
              f,
              java.nio.file.attribute.FileTime.fromMillis(
                  System.currentTimeMillis() - 2 * 3_600_000L));
      }
      long third = Long.parseLong(after.properties().get("tablegate.delta-version")) + 1;
      appendRow(third, 98L, LocalDate.of(2024, 5, 8));
      Table latest = catalog.loadTable(TableIdentifier.of("live", "hist"));
      assertThat(latest.properties())
          .containsEntry("tablegate.delta-version", Long.toString(third));
      assertThat(oldDir).doesNotExist();
      assertThat(newDir).exists();
    }
  }

  /** Commits {@code version} of the live Delta table: one file of one row. */
  static void appendRow(long version, long id, LocalDate day) {
    var writer = TestTables.historyTableWriter(work.resolve("hist"));
    var file = writer.writeFile(List.<Object[]>of(new Object[] {id, "n" + id, day}));
    long now = System.currentTimeMillis();
    writer.commit(
        version,
        List.of(
            io.tablegate.fixtures.DeltaTableWriter.commitInfo("WRITE", now),
            io.tablegate.fixtures.DeltaTableWriter.add(file, now, null)),
        java.time.Instant.ofEpochMilli(now));
  }

  static long count(CloseableIterable<?> it) throws Exception {
    try (it) {
      long n = 0;
      for (Object o : it) n++;
      return n;
    }
  }

  /** Rows rendered as {@link KernelRows} renders them ({@code name=value|...}). */
  static List<String> rows(Table t) throws Exception {
    List<String> out = new ArrayList<>();
    Schema schema = t.schema();
    // Iceberg's planning and its Parquet reader, as engines use them: the name mapping of the table
    // for files without field ids, identity partition values as constants (Iceberg's generic
    // IcebergGenerics reader applies no name mapping)
    String mappingJson = t.properties().get(TableProperties.DEFAULT_NAME_MAPPING);
    assertThat(mappingJson).isNotNull();
    NameMapping mapping = NameMappingParser.fromJson(mappingJson);
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        Map<Integer, ?> constants =
            PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant);
        try (CloseableIterable<Record> rows =
            Parquet.read(t.io().newInputFile(task.file().location()))
                .project(schema)
                .createReaderFunc(fs -> GenericParquetReaders.buildReader(schema, fs, constants))
                .withNameMapping(mapping)
                .build()) {
          for (Record r : rows) {
            StringBuilder sb = new StringBuilder();
            List<Types.NestedField> fields = schema.columns();
            for (int i = 0; i < fields.size(); i++) {
              if (i > 0) sb.append('|');
              sb.append(fields.get(i).name())
                  .append('=')
                  .append(value(fields.get(i).type(), r.get(i)));
            }
            out.add(sb.toString());
          }
        }
      }
    }
    return out;
  }

  static String value(Type type, Object v) {
    if (v == null) return "null";
    switch (type.typeId()) {
      case STRUCT:
        {
          Record r = (Record) v;
          StringBuilder sb = new StringBuilder("{");
          List<Types.NestedField> fields = type.asStructType().fields();
          for (int k = 0; k < fields.size(); k++) {
            if (k > 0) sb.append(',');
            sb.append(fields.get(k).name())
                .append(':')
                .append(value(fields.get(k).type(), r.get(k)));
          }
          return sb.append('}').toString();
        }
      case LIST:
        {
          List<String> out = new ArrayList<>();
          for (Object e : (List<?>) v) out.add(value(type.asListType().elementType(), e));
          return out.toString();
        }
      case MAP:
        {
          TreeMap<String, String> out = new TreeMap<>();
          ((Map<?, ?>) v)
              .forEach(
                  (k, x) ->
                      out.put(
                          value(type.asMapType().keyType(), k),
                          value(type.asMapType().valueType(), x)));
          return out.toString();
        }
      case DATE:
        return Long.toString(((LocalDate) v).toEpochDay());
      case TIMESTAMP:
        {
          LocalDateTime t =
              v instanceof OffsetDateTime o
                  ? o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()
                  : (LocalDateTime) v;
          return Long.toString(ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), t));
        }
      case DECIMAL:
        return ((java.math.BigDecimal) v).toPlainString();
      case BINARY:
        {
          ByteBuffer b = ((ByteBuffer) v).duplicate();
          byte[] bytes = new byte[b.remaining()];
          b.get(bytes);
          return HexFormat.of().formatHex(bytes);
        }
      default:
        return v.toString();
    }
  }
}
