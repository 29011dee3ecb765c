package io.tablegate.loadtest;

import io.tablegate.fixtures.HadoopLayoutTables;
import io.tablegate.fixtures.SyntheticTables;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Writes large tables for load tests and benchmarks, on demand (never committed): Delta tables of
 * any number of files (log commits, a checkpoint near the end and commits after it, 100 partition
 * values, per-file stats) and Iceberg tables (one snapshot per 10,000 files, identity partitions,
 * column metrics), on a local path or in an S3 bucket. The data files themselves are not written:
 * the gateway never opens them to answer metadata and query requests, and that is what is measured.
 *
 * <p>Run: {@code loadtest/generate.sh --format delta --files 1000000 --out /data/files1m}; see
 * {@code loadtest/README.md}.
 */
public final class Generate {
  private Generate() {}

  public static void main(String[] args) throws Exception {
    String format = "delta";
    int files = 0;
    String out = null;
    String endpoint = null;
    String accessKey = null;
    String secretKey = null;
    String region = "us-east-1";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--format" -> format = args[++i];
        case "--files" ->
            files =
                Integer.parseInt(
                    args[++i].replace("_", "").replace("k", "000").replace("M", "000000"));
        case "--out" -> out = args[++i];
        case "--endpoint" -> endpoint = args[++i];
        case "--access-key" -> accessKey = args[++i];
        case "--secret-key" -> secretKey = args[++i];
        case "--region" -> region = args[++i];
        default -> usage("unknown option " + args[i]);
      }
    }
    if (files <= 0 || out == null) usage("--files and --out are required");
    if (!format.equals("delta") && !format.equals("iceberg")) usage("--format is delta or iceberg");
    boolean s3 = out.startsWith("s3://");
    Path local =
        s3 ? Files.createTempDirectory("tablegate-generate") : Path.of(out).toAbsolutePath();
    if (!s3 && Files.exists(local) && Files.list(local).findAny().isPresent())
      usage(out + " exists and is not empty");
    long t0 = System.nanoTime();
    String location =
        s3 ? out.replaceAll("/+$", "") : local.toUri().toString().replaceAll("/+$", "");
    if (format.equals("delta")) {
      int commits = Math.max(3, Math.min(100, files / 10_000));
      SyntheticTables.generate(local, files, commits, commits - 3);
      System.out.printf(
          "Delta table: %,d files in %d commits, checkpoint at version %d%n",
          files, commits, commits - 3);
    } else {
      iceberg(location, local, files);
    }
    System.out.printf("Written locally in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    if (s3) {
      long t1 = System.nanoTime();
      int n = upload(local, out, endpoint, accessKey, secretKey, region);
      System.out.printf(
          "Uploaded %d objects to %s in %.1f s%n", n, out, (System.nanoTime() - t1) / 1e9);
    }
    System.out.println("Table: " + location + "  (share it with format: " + format + ")");
  }

  private static void usage(String problem) {
    System.err.println("error: " + problem);
    System.err.println(
        """
        Usage: loadtest/generate.sh --format delta|iceberg --files N --out DIR|s3://bucket/prefix
                 [--endpoint http://minio:9000 --access-key KEY --secret-key SECRET --region us-east-1]
          N may be written 10k, 100k, 1M.""");
    System.exit(2);
  }

  /**
   * An Iceberg v2 table of {@code files} data files (10,000 per snapshot), written through a local
   * staging directory.
   */
  static void iceberg(String location, Path local, int files) {
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "value", Types.DoubleType.get()),
            Types.NestedField.optional(3, "part", Types.StringType.get()));
    PartitionSpec spec = PartitionSpec.builderFor(schema).identity("part").build();
    Table t =
        HadoopLayoutTables.create(
            new StagingIO(location, local), location, schema, spec, Map.of("format-version", "2"));
    int perSnapshot = 10_000;
    for (int start = 0; start < files; start += perSnapshot) {
      AppendFiles append = t.newAppend();
      for (int i = start; i < Math.min(files, start + perSnapshot); i++) {
        long id = (long) i * 1000;
        String part = "p" + (i % 100);
        append.appendFile(
            dataFile(spec, location + "/data/part=" + part + "/file-" + i + ".parquet", part, id));
      }
      append.commit();
    }
    System.out.printf(
        "Iceberg table: %,d files in %d snapshots%n",
        files, (files + perSnapshot - 1) / perSnapshot);
  }

  private static DataFile dataFile(PartitionSpec spec, String path, String part, long id) {
    Metrics metrics =
        new Metrics(
            1000L,
            Map.of(1, 8000L, 2, 8000L, 3, 2000L),
            Map.of(1, 1000L, 2, 1000L, 3, 1000L),
            Map.of(1, 0L, 2, 0L, 3, 0L),
            Map.of(2, 0L),
            Map.of(
                1,
                Conversions.toByteBuffer(Types.LongType.get(), id),
                2,
                Conversions.toByteBuffer(Types.DoubleType.get(), 0.5),
                3,
                ByteBuffer.wrap(part.getBytes(StandardCharsets.UTF_8))),
            Map.of(
                1,
                Conversions.toByteBuffer(Types.LongType.get(), id + 999),
                2,
                Conversions.toByteBuffer(Types.DoubleType.get(), 99.5),
                3,
                ByteBuffer.wrap(part.getBytes(StandardCharsets.UTF_8))));
    return DataFiles.builder(spec)
        .withPath(path)
        .withFormat(FileFormat.PARQUET)
        .withPartitionPath("part=" + part)
        .withFileSizeInBytes(4096)
        .withMetrics(metrics)
        .build();
  }

  /** Iceberg file I/O that writes the table's logical locations into a local staging directory. */
  static final class StagingIO implements FileIO {
    private final String location;
    private final Path local;

    StagingIO(String location, Path local) {
      this.location = location;
      this.local = local;
    }

    private java.io.File file(String path) {
      if (!path.startsWith(location))
        throw new IllegalArgumentException("outside the table: " + path);
      return local.resolve(path.substring(location.length()).replaceFirst("^/+", "")).toFile();
    }

    @Override
    public InputFile newInputFile(String path) {
      return org.apache.iceberg.Files.localInput(file(path));
    }

    @Override
    public OutputFile newOutputFile(String path) {
      java.io.File f = file(path);
      f.getParentFile().mkdirs();
      return new OutputFile() {
        private final OutputFile inner = org.apache.iceberg.Files.localOutput(f);

        @Override
        public org.apache.iceberg.io.PositionOutputStream create() {
          return inner.create();
        }

        @Override
        public org.apache.iceberg.io.PositionOutputStream createOrOverwrite() {
          return inner.createOrOverwrite();
        }

        @Override
        public String location() {
          return path;
        }

        @Override
        public InputFile toInputFile() {
          return newInputFile(path);
        }
      };
    }

    @Override
    public void deleteFile(String path) {
      file(path).delete();
    }
  }

  /**
   * An S3 client for S3-compatible stores: path-style, checksums only when required (MinIO, Ceph
   * and s3proxy reject the SDK's default trailers), the AWS default credential chain when no key is
   * given.
   */
  static S3Client s3Client(String endpoint, String accessKey, String secretKey, String region) {
    var builder =
        S3Client.builder()
            .region(Region.of(region))
            .httpClient(UrlConnectionHttpClient.create())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .credentialsProvider(
                accessKey == null
                    ? DefaultCredentialsProvider.builder().build()
                    : StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKey, secretKey)));
    if (endpoint != null) builder.endpointOverride(URI.create(endpoint));
    return builder.build();
  }

  /** Uploads every file under {@code local} to {@code s3://bucket/prefix} with 8 parallel PUTs. */
  static int upload(
      Path local, String out, String endpoint, String accessKey, String secretKey, String region)
      throws Exception {
    String rest = out.substring("s3://".length());
    String bucket = rest.substring(0, rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/'));
    String prefix =
        rest.indexOf('/') < 0 ? "" : rest.substring(rest.indexOf('/') + 1).replaceAll("/+$", "");
    List<Path> all;
    try (Stream<Path> s = Files.walk(local)) {
      all = s.filter(Files::isRegularFile).toList();
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (S3Client s3 = s3Client(endpoint, accessKey, secretKey, region)) {
      List<Future<?>> done = new ArrayList<>();
      for (Path f : all) {
        String key =
            (prefix.isEmpty() ? "" : prefix + "/")
                + local.relativize(f).toString().replace('\\', '/');
        done.add(pool.submit(() -> s3.putObject(r -> r.bucket(bucket).key(key), f)));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdown();
    }
    return all.size();
  }
}
