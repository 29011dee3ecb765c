/**
 * Layer: storage. S3-compatible stores (MinIO, Ceph RGW, StorageGRID, AWS) with the AWS SDK:
 * listing, ranged reads, presigned URLs (its own SigV4 signer for path-style stores) and
 * conditional writes.
 */
package io.tablegate.storage.s3;
