package io.tablegate.config;

/**
 * An S3-compatible object store (MinIO/AIStor, Ceph RGW, StorageGRID, AWS S3). Credentials, when
 * null, come from the AWS default chain (environment, profile, instance role). The secret never
 * appears in {@link #toString()}.
 *
 * @param endpoint the URL the gateway uses to reach the store, e.g. {@code http://minio:9000}; null
 *     for AWS S3
 * @param publicEndpoint the URL recipients use in presigned URLs (a name the store's certificate
 *     matches); null means {@code endpoint}
 * @param stsRoleArn a read-only role the gateway assumes through the store's STS to hand out
 *     temporary table credentials (directory access), narrowed to one table's prefix; null: none
 * @param stsEndpoint the STS endpoint; null means {@code endpoint}
 */
public record StoreConfig(
    String name,
    String endpoint,
    String publicEndpoint,
    String region,
    boolean pathStyleAccess,
    String accessKeyId,
    String secretAccessKey,
    long connectTimeoutMs,
    long requestTimeoutMs,
    String stsRoleArn,
    String stsEndpoint) {

  public StoreConfig(
      String name,
      String endpoint,
      String publicEndpoint,
      String region,
      boolean pathStyleAccess,
      String accessKeyId,
      String secretAccessKey,
      long connectTimeoutMs,
      long requestTimeoutMs) {
    this(
        name,
        endpoint,
        publicEndpoint,
        region,
        pathStyleAccess,
        accessKeyId,
        secretAccessKey,
        connectTimeoutMs,
        requestTimeoutMs,
        null,
        null);
  }

  @Override
  public String toString() {
    return "StoreConfig[name="
        + name
        + ", endpoint="
        + endpoint
        + ", publicEndpoint="
        + publicEndpoint
        + ", region="
        + region
        + ", pathStyleAccess="
        + pathStyleAccess
        + ", accessKeyId="
        + (accessKeyId == null ? "(default chain)" : accessKeyId)
        + ", secretAccessKey="
        + (secretAccessKey == null ? "(default chain)" : "***")
        + ", connectTimeoutMs="
        + connectTimeoutMs
        + ", requestTimeoutMs="
        + requestTimeoutMs
        + ", stsRoleArn="
        + stsRoleArn
        + ", stsEndpoint="
        + stsEndpoint
        + "]";
  }
}
