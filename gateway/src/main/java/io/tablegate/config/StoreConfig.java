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
    long requestTimeoutMs) {

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
        + "]";
  }
}
