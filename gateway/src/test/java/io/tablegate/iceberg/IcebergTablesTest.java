package io.tablegate.iceberg;

import static io.tablegate.testing.Asserts.assertError;
import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.GatewayHarness.Response;
import io.tablegate.testing.KernelRows;
import io.tablegate.testing.Recipient;
import io.tablegate.testing.TestTables;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iceberg tables (format v2, written with Iceberg's own writers) shared beside a Delta table from
 * one share: a recipient reads both with the same code, and the rows equal what Iceberg's own
 * reader returns for the same snapshot.
 */
class IcebergTablesTest {
  static final String DELTA_CAPS =
      "responseformat=delta;readerfeatures=deletionvectors,columnmapping,timestampntz";
  static final Schema SCHEMA =
      new Schema(
          required(1, "id", Types.LongType.get()),
          optional(2, "name", Types.StringType.get(), "display name"),
          optional(3, "category", Types.StringType.get()),
          optional(4, "amount", Types.DecimalType.of(10, 2)),
          optional(5, "day", Types.DateType.get()),
          optional(6, "ts", Types.TimestampType.withZone()),
          optional(
              7,
              "address",
              Types.StructType.of(
                  optional(8, "city", Types.StringType.get()),
                  optional(9, "zip", Types.IntegerType.get()))));
  @TempDir static Path dir;
  static GatewayHarness gw;
  static Table orders;
  static List<Long> snapshots = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    PartitionSpec spec = PartitionSpec.builderFor(SCHEMA).identity("category").build();
    orders =
        new HadoopTables(new Configuration())
            .create(SCHEMA, spec, Map.of("format-version", "2"), dir.resolve("orders").toString());
    snapshots.add(append(orders, "a", 0, 5));
    snapshots.add(append(orders, "b", 5, 3));
    snapshots.add(append(orders, "a", 8, 4));
    Schema plain =
        new Schema(
            required(1, "k", Types.LongType.get()),
            optional(2, "ntz", Types.TimestampType.withoutZone()));
    Table ntz =
        new HadoopTables(new Configuration())
            .create(
                plain,
                PartitionSpec.unpartitioned(),
                Map.of("format-version", "2"),
                dir.resolve("ntz").toString());
    writeFile(
        ntz, null, List.of(record(plain, 1L, java.time.LocalDateTime.of(2024, 1, 2, 3, 4, 5))));
    Table monthly =
        new HadoopTables(new Configuration())
            .create(
                SCHEMA,
                PartitionSpec.builderFor(SCHEMA).month("day").bucket("id", 4).build(),
                Map.of("format-version", "2"),
                dir.resolve("monthly").toString());
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(
          record(
              SCHEMA,
              (long) i,
              "n" + i,
              "c",
              new BigDecimal("1.00"),
              LocalDate.of(2024, 3, 1 + i),
              OffsetDateTime.of(2024, 3, 1, 0, 0, 0, 0, ZoneOffset.UTC),
              null));
    }
    for (Record r : rows) { // one file per partition tuple
      PartitionKey k = new PartitionKey(monthly.spec(), monthly.schema());
      k.partition(new org.apache.iceberg.data.InternalRecordWrapper(SCHEMA.asStruct()).wrap(r));
      String path = monthly.location() + "/data/" + java.util.UUID.randomUUID() + ".parquet";
      DataWriter<Record> w =
          Parquet.writeData(monthly.io().newOutputFile(path))
              .schema(monthly.schema())
              .createWriterFunc(GenericParquetWriter::create)
              .overwrite()
              .withSpec(monthly.spec())
              .withPartition(k)
              .build();
      try (w) {
        w.write(r);
      }
      monthly.newAppend().appendFile(w.toDataFile()).commit();
    }
    // as Spark's Hadoop catalog writes it: the table location as file:///..., its data files as
    // file:/...
    Table spelled =
        new HadoopTables(new Configuration())
            .create(
                plain,
                PartitionSpec.unpartitioned(),
                Map.of("format-version", "2"),
                "file://" + dir.resolve("spelled"));
    String dataPath =
        "file:" + dir.resolve("spelled") + "/data/" + java.util.UUID.randomUUID() + ".parquet";
    DataWriter<Record> sw =
        Parquet.writeData(spelled.io().newOutputFile(dataPath))
            .schema(plain)
            .createWriterFunc(GenericParquetWriter::create)
            .overwrite()
            .withSpec(PartitionSpec.unpartitioned())
            .build();
    try (sw) {
      sw.write(record(plain, 7L, java.time.LocalDateTime.of(2024, 1, 2, 3, 4, 5)));
    }
    spelled.newAppend().appendFile(sw.toDataFile()).commit();
    TestTables.writeHistoryTable(dir.resolve("delta"));
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        shares:
          - name: mixed
            schemas:
              - name: sales
                tables:
                  - {name: orders, location: orders, format: iceberg, historyShared: true}
                  - {name: events, location: delta, historyShared: true}
                  - {name: ntz, location: ntz, format: iceberg}
                  - {name: monthly, location: monthly, format: iceberg}
                  - {name: spelled, location: spelled, format: iceberg}
        """,
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Record record(Schema schema, Object... values) {
    GenericRecord r = GenericRecord.create(schema);
    for (int i = 0; i < values.length; i++) r.set(i, values[i]);
    return r;
  }

  /** Appends rows {@code from..from+count-1} in one file; returns the new snapshot's id. */
  static long append(Table t, String category, int from, int count) throws Exception {
    List<Record> rows = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      GenericRecord address = GenericRecord.create(SCHEMA.findType("address").asStructType());
      address.set(0, "city" + i % 3);
      address.set(1, i % 2 == 0 ? null : 10000 + i);
      rows.add(
          record(
              SCHEMA,
              (long) i,
              i % 4 == 0 ? null : "name" + i,
              category,
              new BigDecimal(i + ".25"),
              LocalDate.of(2024, 1, 1 + i),
              OffsetDateTime.of(2024, 1, 1, i, 30, 0, 123_456_000, ZoneOffset.UTC),
              address));
    }
    return writeFile(t, category, rows);
  }

  static long writeFile(Table t, String category, List<Record> rows) throws Exception {
    PartitionKey key = new PartitionKey(t.spec(), t.schema());
    if (category != null) key.partition(rows.get(0));
    String path =
        t.location()
            + "/data/"
            + (category == null ? "" : "category=" + category + "/")
            + java.util.UUID.randomUUID()
            + ".parquet";
    DataWriter<Record> w =
        Parquet.writeData(t.io().newOutputFile(path))
            .schema(t.schema())
            .createWriterFunc(GenericParquetWriter::create)
            .overwrite()
            .withSpec(t.spec())
            .withPartition(category == null ? null : key)
            .build();
    try (w) {
      rows.forEach(w::write);
    }
    t.newAppend().appendFile(w.toDataFile()).commit();
    t.refresh();
    return t.currentSnapshot().snapshotId();
  }

  /** Iceberg's own reader, rows in the canonical form KernelRows uses. */
  static List<String> icebergRows(Table t, long snapshotId) throws Exception {
    List<String> out = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(t).useSnapshot(snapshotId).build()) {
      for (Record r : rows) {
        Record a = (Record) r.getField("address");
        String address =
            a == null ? "null" : "{city:" + a.getField("city") + ",zip:" + a.getField("zip") + "}";
        OffsetDateTime ts = (OffsetDateTime) r.getField("ts");
        long micros = ts.toEpochSecond() * 1_000_000L + ts.getNano() / 1000;
        out.add(
            "id="
                + r.getField("id")
                + "|name="
                + r.getField("name")
                + "|category="
                + r.getField("category")
                + "|amount="
                + ((BigDecimal) r.getField("amount")).toPlainString()
                + "|day="
                + ((LocalDate) r.getField("day")).toEpochDay()
                + "|ts="
                + micros
                + "|address="
                + address);
      }
    }
    return out;
  }

  static List<String> readAsRecipient(
      String table, Map<String, String> headers, String body, String tag) throws Exception {
    Response r =
        gw.post("/shares/mixed/schemas/sales/tables/" + table + "/query", null, headers, body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return KernelRows.readTable(Recipient.materialize(gw, r.lines(), dir.resolve("recv-" + tag)));
  }

  @Test
  void anIcebergTableReadsLikeADeltaTableInBothFormats() throws Exception {
    orders.refresh();
    List<String> expected = icebergRows(orders, orders.currentSnapshot().snapshotId());
    assertThat(expected).hasSize(12);
    assertThat(readAsRecipient("orders", Map.of(), "{}", "parquet"))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(
            readAsRecipient(
                "orders", Map.of("delta-sharing-capabilities", DELTA_CAPS), "{}", "delta"))
        .containsExactlyInAnyOrderElementsOf(expected);
    // the Delta table of the same share, with the same client code
    assertThat(readAsRecipient("events", Map.of(), "{}", "events")).hasSize(9);
  }

  @Test
  void metadataMapsTypesPartitionsDocsAndStats() {
    Response m = gw.get("/shares/mixed/schemas/sales/tables/orders/metadata", null);
    assertThat(m.status()).as(m.text()).isEqualTo(200);
    JsonNode meta = m.lines().get(1).get("metaData");
    assertThat(meta.get("partitionColumns").toString()).isEqualTo("[\"category\"]");
    String schema = meta.get("schemaString").asText();
    assertThat(schema)
        .contains("\"decimal(10,2)\"")
        .contains("\"timestamp\"")
        .contains("display name")
        .contains("\"type\":\"struct\"");
    assertThat(meta.get("numFiles").asLong()).isEqualTo(3);
    Response q = gw.post("/shares/mixed/schemas/sales/tables/orders/query", null, "{}");
    for (JsonNode l : q.lines().subList(2, q.lines().size())) {
      JsonNode f = l.get("file");
      assertThat(f.get("partitionValues").get("category").asText()).isIn("a", "b");
      assertThat(f.get("stats").asText())
          .contains("\"numRecords\"")
          .contains("\"minValues\":{\"id\"")
          .contains("\"address\":{");
    }
  }

  @Test
  void versionsAreSnapshotSequenceNumbersWithTimeTravel() throws Exception {
    assertThat(
            gw.get("/shares/mixed/schemas/sales/tables/orders/version", null)
                .header("Delta-Table-Version"))
        .isEqualTo("3");
    assertThat(readAsRecipient("orders", Map.of(), "{\"version\": 2}", "v2"))
        .containsExactlyInAnyOrderElementsOf(icebergRows(orders, snapshots.get(1)));
    String pruned =
        "{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"category\",\"valueType\":\"string\"},"
            + "{\"op\":\"literal\",\"value\":\"b\",\"valueType\":\"string\"}]}";
    Response q =
        gw.post(
            "/shares/mixed/schemas/sales/tables/orders/query",
            null,
            "{\"jsonPredicateHints\": "
                + GatewayHarness.MAPPER.getNodeFactory().textNode(pruned)
                + "}");
    assertThat(q.lines()).hasSize(3);
    assertError(
        gw.post("/shares/mixed/schemas/sales/tables/orders/query", null, "{\"version\": 7}"),
        400,
        "INVALID_PARAMETER_VALUE");
  }

  @Test
  void appendsAndWholeFileDeletesAreChangeData() throws Exception {
    // Given: three appends (versions 1-3) and a snapshot deleting the second file (version 4) on a
    // copy of the table
    Table log =
        new HadoopTables(new Configuration())
            .create(
                SCHEMA,
                PartitionSpec.builderFor(SCHEMA).identity("category").build(),
                Map.of("format-version", "2"),
                dir.resolve("appendlog").toString());
    append(log, "a", 0, 2);
    long secondSnapshot = append(log, "b", 2, 2);
    append(log, "a", 4, 2);
    log.refresh();
    var second = log.snapshot(secondSnapshot).addedDataFiles(log.io()).iterator().next();
    log.newDelete().deleteFile(second).commit();
    try (GatewayHarness g =
        GatewayHarness.start(
            "version: 1\nhost: 127.0.0.1\nport: 0\nshares:\n  - name: s\n    schemas:\n"
                + "      - name: i\n        tables:\n          - {name: log, location: appendlog, format: iceberg, historyShared: true}\n",
            dir)) {
      // When
      Response changes = g.get("/shares/s/schemas/i/tables/log/changes?startingVersion=2", null);
      // Then
      assertThat(changes.status()).as(changes.text()).isEqualTo(200);
      List<String> kinds = new ArrayList<>();
      for (JsonNode l : changes.lines().subList(2, changes.lines().size())) {
        String kind = l.fieldNames().next();
        kinds.add(
            kind
                + "@"
                + l.get(kind).get("version").asLong()
                + ":"
                + l.get(kind).get("partitionValues").get("category").asText());
      }
      assertThat(kinds).containsExactly("add@2:b", "add@3:a", "remove@4:b");
      Response streaming =
          g.post(
              "/shares/s/schemas/i/tables/log/query",
              null,
              "{\"startingVersion\": 1, \"endingVersion\": 3}");
      assertThat(streaming.lines()).hasSize(5);
    }
  }

  @Test
  void nonIdentityTransformsLeaveTheTableUnpartitionedButPrunedByStats() throws Exception {
    Response m = gw.get("/shares/mixed/schemas/sales/tables/monthly/metadata", null);
    assertThat(m.lines().get(1).get("metaData").get("partitionColumns").toString()).isEqualTo("[]");
    assertThat(readAsRecipient("monthly", Map.of(), "{}", "monthly")).hasSize(6);
    String idEq =
        "{\"op\":\"equal\",\"children\":[{\"op\":\"column\",\"name\":\"id\",\"valueType\":\"long\"},"
            + "{\"op\":\"literal\",\"value\":\"3\",\"valueType\":\"long\"}]}";
    Response q =
        gw.post(
            "/shares/mixed/schemas/sales/tables/monthly/query",
            null,
            "{\"jsonPredicateHints\": "
                + GatewayHarness.MAPPER.getNodeFactory().textNode(idEq)
                + "}");
    assertThat(q.lines()).hasSize(3);
    assertThat(q.lines().get(2).get("file").get("partitionValues").size()).isZero();
  }

  @Test
  void timestampWithoutZoneNeedsTheDeltaFormat() throws Exception {
    assertError(
        gw.post("/shares/mixed/schemas/sales/tables/ntz/query", null, "{}"),
        400,
        "UNSUPPORTED_OPERATION");
    List<String> rows =
        readAsRecipient("ntz", Map.of("delta-sharing-capabilities", DELTA_CAPS), "{}", "ntz");
    long micros =
        java.time.LocalDateTime.of(2024, 1, 2, 3, 4, 5).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    assertThat(rows).containsExactly("k=1|ntz=" + micros);
  }

  /** Iceberg's own reader, any schema, rows in KernelRows' canonical form. */
  static List<String> genericRows(Table t, long snapshotId) throws Exception {
    List<String> out = new ArrayList<>();
    Schema schema = t.schemas().get(t.snapshot(snapshotId).schemaId());
    try (CloseableIterable<Record> rows = IcebergGenerics.read(t).useSnapshot(snapshotId).build()) {
      for (Record r : rows) {
        StringBuilder sb = new StringBuilder();
        for (Types.NestedField f : schema.columns()) {
          if (sb.length() > 0) sb.append('|');
          sb.append(f.name()).append('=').append(canonical(f.type(), r.getField(f.name())));
        }
        out.add(sb.toString());
      }
    }
    return out;
  }

  static String canonical(org.apache.iceberg.types.Type type, Object v) {
    if (v == null) return "null";
    switch (type.typeId()) {
      case STRUCT -> {
        StringBuilder sb = new StringBuilder("{");
        for (Types.NestedField f : type.asStructType().fields()) {
          if (sb.length() > 1) sb.append(',');
          sb.append(f.name())
              .append(':')
              .append(canonical(f.type(), ((Record) v).getField(f.name())));
        }
        return sb.append('}').toString();
      }
      case DATE -> {
        return Long.toString(((LocalDate) v).toEpochDay());
      }
      case TIMESTAMP -> {
        OffsetDateTime ts =
            v instanceof OffsetDateTime o
                ? o
                : ((java.time.LocalDateTime) v).atOffset(ZoneOffset.UTC);
        return Long.toString(ts.toEpochSecond() * 1_000_000L + ts.getNano() / 1000);
      }
      case DECIMAL -> {
        return ((BigDecimal) v).toPlainString();
      }
      default -> {
        return v.toString();
      }
    }
  }

  @Test
  void renamedAndReAddedColumnsAreServedWithIdColumnMappingInTheDeltaFormatOnly() throws Exception {
    // Given: files written before a rename (name, address.city) and before a drop + re-add of "day"
    // with a new id
    Table t =
        new HadoopTables(new Configuration())
            .create(
                SCHEMA,
                PartitionSpec.builderFor(SCHEMA).identity("category").build(),
                Map.of("format-version", "2"),
                dir.resolve("renamed").toString());
    append(t, "a", 0, 3);
    t.updateSchema()
        .renameColumn("name", "full_name")
        .renameColumn("address.city", "town")
        .commit();
    t.updateSchema().deleteColumn("day").commit();
    t.updateSchema().addColumn("day", Types.StringType.get()).commit();
    t.refresh();
    Schema now = t.schema();
    List<Record> rows = new ArrayList<>();
    for (long i = 10; i < 12; i++) {
      GenericRecord r = GenericRecord.create(now);
      r.setField("id", i);
      r.setField("full_name", "renamed" + i);
      r.setField("category", "b");
      r.setField("amount", new BigDecimal("2.50"));
      r.setField("ts", OffsetDateTime.of(2024, 2, 1, 0, 0, 0, 0, ZoneOffset.UTC));
      GenericRecord address = GenericRecord.create(now.findType("address").asStructType());
      address.setField("town", "town" + i);
      address.setField("zip", 99);
      r.setField("address", address);
      r.setField("day", "monday");
      rows.add(r);
    }
    long snapshot = writeFile(t, "b", rows);
    List<String> expected = genericRows(t, snapshot);
    assertThat(expected)
        .hasSize(5)
        .anyMatch(
            r ->
                r.contains("full_name=name1|")
                    && r.contains("town:city1")
                    && r.endsWith("|day=null"));
    try (GatewayHarness g =
        GatewayHarness.start(
            "version: 1\nhost: 127.0.0.1\nport: 0\nshares:\n  - name: s\n    schemas:\n"
                + "      - name: i\n        tables:\n          - {name: renamed, location: renamed, format: iceberg}\n",
            dir)) {
      // Then: parquet-format readers (by name) are refused, delta-format readers get id column
      // mapping
      assertError(
          g.post("/shares/s/schemas/i/tables/renamed/query", null, "{}"),
          400,
          "UNSUPPORTED_OPERATION");
      Response q =
          g.post(
              "/shares/s/schemas/i/tables/renamed/query",
              null,
              Map.of("delta-sharing-capabilities", DELTA_CAPS),
              "{}");
      assertThat(q.status()).as(q.text()).isEqualTo(200);
      JsonNode meta = q.lines().get(1).get("metaData").get("deltaMetadata");
      assertThat(meta.get("configuration").get("delta.columnMapping.mode").asText())
          .isEqualTo("id");
      assertThat(
              q.lines()
                  .get(0)
                  .get("protocol")
                  .get("deltaProtocol")
                  .get("readerFeatures")
                  .toString())
          .contains("columnMapping");
      // Kernel's transformPhysicalData renames top-level columns back to logical names but leaves
      // nested
      // struct fields under their physical names; name them as the schema does before comparing
      List<String> served =
          KernelRows.readTable(Recipient.materialize(g, q.lines(), dir.resolve("recv-renamed")))
              .stream()
              .map(r -> r.replace("col-iceberg-8:", "town:").replace("col-iceberg-9:", "zip:"))
              .toList();
      assertThat(served).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  static GatewayHarness single(String table, String location) {
    return GatewayHarness.start(
        "version: 1\nhost: 127.0.0.1\nport: 0\nshares:\n  - name: s\n    schemas:\n"
            + "      - name: i\n        tables:\n          - {name: "
            + table
            + ", location: "
            + location
            + ", format: iceberg}\n",
        dir);
  }

  @Test
  void filesWrittenWithoutFieldIdsAreReadThroughTheTablesNameMapping() throws Exception {
    // Given: a table whose data file has no Iceberg field ids (as pyiceberg's add_files and
    // migrations leave them) and other column order, with the name mapping such tables carry, and
    // row 1 deleted
    Schema schema =
        new Schema(
            required(1, "id", Types.LongType.get()), optional(2, "name", Types.StringType.get()));
    org.apache.iceberg.mapping.NameMapping mapping =
        org.apache.iceberg.mapping.MappingUtil.create(schema);
    Table t =
        new HadoopTables(new Configuration())
            .create(
                schema,
                PartitionSpec.unpartitioned(),
                Map.of(
                    "format-version",
                    "2",
                    org.apache.iceberg.TableProperties.DEFAULT_NAME_MAPPING,
                    org.apache.iceberg.mapping.NameMappingParser.toJson(mapping)),
                dir.resolve("no-ids").toString());
    java.nio.file.Path data = dir.resolve("no-ids").resolve("data").resolve("plain.parquet");
    org.apache.avro.Schema avro =
        org.apache.avro.SchemaBuilder.record("r")
            .fields()
            // not in the table's column order: a reader that matched columns by position (what
            // Iceberg does for files without ids and without a name mapping) reads wrong columns
            .optionalString("name")
            .requiredLong("id")
            .endRecord();
    try (org.apache.parquet.hadoop.ParquetWriter<org.apache.avro.generic.GenericRecord> w =
        org.apache.parquet.avro.AvroParquetWriter.<org.apache.avro.generic.GenericRecord>builder(
                new org.apache.hadoop.fs.Path(data.toUri()))
            .withSchema(avro)
            .build()) {
      for (long i = 0; i < 3; i++) {
        org.apache.avro.generic.GenericRecord r =
            new org.apache.avro.generic.GenericData.Record(avro);
        r.put("id", i);
        r.put("name", "n" + i);
        w.write(r);
      }
    }
    org.apache.iceberg.DataFile file =
        org.apache.iceberg.DataFiles.builder(PartitionSpec.unpartitioned())
            .withPath(data.toString())
            .withFormat(org.apache.iceberg.FileFormat.PARQUET)
            .withFileSizeInBytes(java.nio.file.Files.size(data))
            .withMetrics(
                org.apache.iceberg.parquet.ParquetUtil.fileMetrics(
                    org.apache.iceberg.Files.localInput(data.toFile()),
                    org.apache.iceberg.MetricsConfig.getDefault(),
                    mapping))
            .build();
    t.newFastAppend().appendFile(file).commit();
    org.apache.iceberg.deletes.PositionDeleteWriter<Record> deletes =
        Parquet.writeDeletes(t.io().newOutputFile(t.location() + "/data/deletes.parquet"))
            .setAll(t.properties())
            .withSpec(t.spec())
            .overwrite()
            .buildPositionWriter();
    try (deletes) {
      deletes.write(
          org.apache.iceberg.deletes.PositionDelete.<Record>create().set(file.location(), 1));
    }
    t.newRowDelta().addDeletes(deletes.toDeleteFile()).commit();
    List<String> expected = List.of("id=0|name=n0", "id=2|name=n2");
    try (GatewayHarness g = single("t", "no-ids")) {
      // Then: the gateway's own reads (the sample, and the file rewritten without the deleted
      // row for parquet readers) find the columns by name, not nulls
      Response sample = g.get("/shares/s/schemas/i/tables/t/sample?limit=100", null);
      assertThat(sample.status()).as(sample.text()).isEqualTo(200);
      assertThat(io.tablegate.testing.ArrowRows.read(sample.body()).rows())
          .containsExactlyInAnyOrderElementsOf(expected);
      Response parquet = g.post("/shares/s/schemas/i/tables/t/query", null, "{}");
      assertThat(parquet.status()).as(parquet.text()).isEqualTo(200);
      assertThat(
              KernelRows.readTable(
                  Recipient.materialize(g, parquet.lines(), dir.resolve("recv-no-ids"))))
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void positionDeletesAndV3DeletionVectorsBecomeDeltaDeletionVectors() throws Exception {
    for (String formatVersion : List.of("2", "3")) {
      // Given: a data file of six rows, rows 1 and 4 deleted (v2: a position delete file; v3: a
      // Puffin deletion vector)
      String name = "deletes-v" + formatVersion;
      Table t =
          new HadoopTables(new Configuration())
              .create(
                  SCHEMA,
                  PartitionSpec.builderFor(SCHEMA).identity("category").build(),
                  Map.of("format-version", formatVersion),
                  dir.resolve(name).toString());
      append(t, "a", 0, 6);
      org.apache.iceberg.DataFile file =
          t.currentSnapshot().addedDataFiles(t.io()).iterator().next();
      org.apache.iceberg.RowDelta delta = t.newRowDelta();
      if (formatVersion.equals("2")) {
        org.apache.iceberg.deletes.PositionDeleteWriter<Record> w =
            Parquet.writeDeletes(
                    t.io()
                        .newOutputFile(
                            t.location()
                                + "/data/category=a/deletes-"
                                + java.util.UUID.randomUUID()
                                + ".parquet"))
                .setAll(t.properties())
                .withSpec(t.spec())
                .withPartition(file.partition())
                .overwrite()
                .buildPositionWriter();
        try (w) {
          for (long pos : new long[] {1, 4})
            w.write(
                org.apache.iceberg.deletes.PositionDelete.<Record>create()
                    .set(file.location(), pos));
        }
        delta.addDeletes(w.toDeleteFile());
      } else {
        var w =
            new org.apache.iceberg.deletes.BaseDVFileWriter(
                () ->
                    t.io()
                        .newOutputFile(
                            t.location() + "/data/dv-" + java.util.UUID.randomUUID() + ".puffin"),
                path -> null);
        try (w) {
          w.delete(file.location(), 1, t.spec(), file.partition());
          w.delete(file.location(), 4, t.spec(), file.partition());
        }
        w.result().deleteFiles().forEach(delta::addDeletes);
      }
      delta.commit();
      t.refresh();
      List<String> expected = icebergRows(t, t.currentSnapshot().snapshotId());
      assertThat(expected)
          .hasSize(4)
          .noneMatch(r -> r.startsWith("id=1|") || r.startsWith("id=4|"));
      try (GatewayHarness g = single("t", name)) {
        // Then: parquet readers get the file rewritten without the deleted rows (by Iceberg's own
        // reader and writer); delta readers get an inline DV; both read the same rows
        Response parquet = g.post("/shares/s/schemas/i/tables/t/query", null, "{}");
        assertThat(parquet.status()).as(parquet.text()).isEqualTo(200);
        JsonNode pf = parquet.lines().get(2).get("file");
        assertThat(pf.has("deletionVector")).isFalse();
        assertThat(
                GatewayHarness.MAPPER.readTree(pf.get("stats").asText()).get("numRecords").asLong())
            .isEqualTo(4);
        assertThat(
                KernelRows.readTable(
                    Recipient.materialize(g, parquet.lines(), dir.resolve("recv-p-" + name))))
            .as("parquet, format v" + formatVersion)
            .containsExactlyInAnyOrderElementsOf(expected);
        Response q =
            g.post(
                "/shares/s/schemas/i/tables/t/query",
                null,
                Map.of("delta-sharing-capabilities", DELTA_CAPS),
                "{}");
        assertThat(q.status()).as(q.text()).isEqualTo(200);
        JsonNode dv =
            q.lines().get(2).get("file").get("deltaSingleAction").get("add").get("deletionVector");
        assertThat(dv.get("storageType").asText()).isEqualTo("i");
        assertThat(dv.get("cardinality").asLong()).isEqualTo(2);
        assertThat(
                KernelRows.readTable(
                    Recipient.materialize(g, q.lines(), dir.resolve("recv-" + name))))
            .as("format v" + formatVersion)
            .containsExactlyInAnyOrderElementsOf(expected);
        // and the gateway's own sample applies the deletes too (Iceberg's generic reader)
        Response sample = g.get("/shares/s/schemas/i/tables/t/sample?limit=100", null);
        assertThat(sample.status()).as(sample.text()).isEqualTo(200);
        assertThat(io.tablegate.testing.ArrowRows.read(sample.body()).rows())
            .as("sample, format v" + formatVersion)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  @Test
  void aRecipientPolicyOnAnIcebergTableIsEnforcedByRewritingItsFiles() throws Exception {
    // Given: the orders table (categories a and b) and a recipient that may read a's id and amount
    try (GatewayHarness g =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        rewrites: {directory: rewrites-iceberg}
        authorization:
          tokens:
            - {id: acme, token: acme-iceberg-token-0123, shares: [s]}
        shares:
          - name: s
            schemas:
              - name: i
                tables:
                  - {name: orders, location: orders, format: iceberg}
            policies:
              - {recipient: acme, table: i.orders, columns: [id, amount, category], filter: "category = 'a' and id >= 2"}
        """,
            dir)) {
      // When
      Response q =
          g.post("/shares/s/schemas/i/tables/orders/query", "acme-iceberg-token-0123", "{}");
      // Then: only category a's files, rewritten to id and amount (category is a partition value)
      assertThat(q.status()).as(q.text()).isEqualTo(200);
      List<String> want = new ArrayList<>();
      for (String row : icebergRows(orders, orders.currentSnapshot().snapshotId())) {
        String[] cells = row.split("\\|");
        long id = Long.parseLong(cells[0].substring(3));
        if (cells[2].equals("category=a") && id >= 2)
          want.add(cells[0] + "|" + cells[2] + "|" + cells[3]);
      }
      assertThat(want).isNotEmpty();
      for (JsonNode l : q.lines().subList(2, q.lines().size())) {
        assertThat(l.get("file").get("partitionValues").get("category").asText()).isEqualTo("a");
        assertThat(l.get("file").get("url").asText()).startsWith(g.endpoint() + "/files/");
      }
      assertThat(
              KernelRows.readTable(Recipient.materialize(g, q.lines(), dir.resolve("recv-policy"))))
          .containsExactlyInAnyOrderElementsOf(want);
    }
  }

  @Test
  void equalityDeletesAreRefusedWithAHintToCompact() throws Exception {
    Table t =
        new HadoopTables(new Configuration())
            .create(
                SCHEMA,
                PartitionSpec.builderFor(SCHEMA).identity("category").build(),
                Map.of("format-version", "2"),
                dir.resolve("eqdeletes").toString());
    append(t, "a", 0, 3);
    org.apache.iceberg.DataFile file = t.currentSnapshot().addedDataFiles(t.io()).iterator().next();
    Schema idOnly = t.schema().select("id");
    org.apache.iceberg.deletes.EqualityDeleteWriter<Record> w =
        Parquet.writeDeletes(
                t.io()
                    .newOutputFile(
                        t.location()
                            + "/data/category=a/eq-"
                            + java.util.UUID.randomUUID()
                            + ".parquet"))
            .forTable(t)
            .withSpec(t.spec())
            .withPartition(file.partition())
            .rowSchema(idOnly)
            .equalityFieldIds(1)
            .overwrite()
            .createWriterFunc(GenericParquetWriter::create)
            .buildEqualityWriter();
    try (w) {
      w.write(record(idOnly, 1L));
    }
    t.newRowDelta().addDeletes(w.toDeleteFile()).commit();
    try (GatewayHarness g = single("t", "eqdeletes")) {
      Response r =
          g.post(
              "/shares/s/schemas/i/tables/t/query",
              null,
              Map.of("delta-sharing-capabilities", DELTA_CAPS),
              "{}");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text())
          .contains("UNSUPPORTED_OPERATION")
          .contains("equality delete")
          .contains("compact");
    }
  }

  @Test
  void possiblyTruncatedStringBoundsAreLeftOut() throws Exception {
    Schema plain =
        new Schema(
            required(1, "k", Types.LongType.get()), optional(2, "s", Types.StringType.get()));
    Table t =
        new HadoopTables(new Configuration())
            .create(
                plain,
                PartitionSpec.unpartitioned(),
                Map.of("format-version", "2"),
                dir.resolve("truncated").toString());
    writeFile(t, null, List.of(record(plain, 1L, "short"), record(plain, 2L, "tiny")));
    writeFile(t, null, List.of(record(plain, 3L, "a-value-longer-than-sixteen-characters")));
    try (GatewayHarness g = single("t", "truncated")) {
      Response q = g.post("/shares/s/schemas/i/tables/t/query", null, "{}");
      Map<Long, JsonNode> byMin = new java.util.HashMap<>();
      for (JsonNode l : q.lines().subList(2, q.lines().size())) {
        JsonNode stats = GatewayHarness.MAPPER.readTree(l.get("file").get("stats").asText());
        byMin.put(stats.get("minValues").get("k").asLong(), stats);
      }
      assertThat(byMin.get(1L).get("minValues").get("s").asText()).isEqualTo("short");
      assertThat(byMin.get(1L).get("maxValues").get("s").asText()).isEqualTo("tiny");
      assertThat(byMin.get(3L).get("minValues").has("s")).isFalse();
      assertThat(byMin.get(3L).get("maxValues").has("s")).isFalse();
      assertThat(byMin.get(3L).get("nullCount").get("s").asLong()).isZero();
    }
  }

  @Test
  void aTableWhoseLocationAndFilesAreSpelledDifferentlyIsServed() throws Exception {
    // Given: metadata location file:///..., data files file:/... (what Spark 3.5 with a Hadoop
    // catalog writes)
    // When
    List<String> rows =
        readAsRecipient(
            "spelled", Map.of("delta-sharing-capabilities", DELTA_CAPS), "{}", "spelled");
    // Then
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0)).contains("7");
  }
}
