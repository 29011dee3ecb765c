package io.tablegate.testing;

import io.tablegate.fixtures.HadoopLayoutTables;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.aws.s3.S3FileIO;
import org.apache.iceberg.io.FileIO;

/**
 * Iceberg tables written into s3proxy by Iceberg itself ({@link S3FileIO}), in the layout of a
 * Hadoop catalog: {@code metadata/vN.metadata.json} plus {@code metadata/version-hint.text}, as
 * Spark's HadoopCatalog writes them over s3a.
 */
public final class IcebergS3Tables {
  private IcebergS3Tables() {}

  public static S3FileIO io(S3Harness s3) {
    S3FileIO io = new S3FileIO();
    io.initialize(
        Map.of(
            "s3.endpoint",
            s3.endpoint(),
            "s3.path-style-access",
            "true",
            "s3.access-key-id",
            S3Harness.ACCESS_KEY,
            "s3.secret-access-key",
            S3Harness.SECRET_KEY,
            "client.region",
            "us-east-1",
            "http-client.type",
            "urlconnection"));
    return io;
  }

  /** Creates a format-v2 table at {@code location} ({@code s3://bucket/prefix}). */
  public static Table create(FileIO io, String location, Schema schema, PartitionSpec spec) {
    return HadoopLayoutTables.create(io, location, schema, spec, Map.of("format-version", "2"));
  }
}
