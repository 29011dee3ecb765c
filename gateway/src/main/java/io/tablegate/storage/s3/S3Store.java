package io.tablegate.storage.s3;

import io.tablegate.config.StoreConfig;
import io.tablegate.spi.CloseableIterator;
import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.StorageException;
import io.tablegate.spi.UrlSigner;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * One S3-compatible store through the AWS SDK v2 (synchronous client over the JDK's URLConnection:
 * no Netty 4.1, no Apache client). Presigned URLs are SigV4, path-style, against the store's public
 * endpoint, so recipients reach the store under the name its certificate matches (the reference
 * server signs for AWS whatever the endpoint; we do not).
 */
public final class S3Store implements ObjectStore {
  private final StoreConfig config;
  private final S3Client client;
  private final S3Presigner presigner;
  private final SigV4Presigner fastPresigner;
  private final AwsCredentialsProvider credentials;

  /**
   * Drops {@code Expect: 100-continue} from uploads: the gateway only writes small documents (the
   * live catalog), and a store that answers a conditional write with 412 before reading the body
   * (s3proxy, and others under load) would otherwise break the JDK client's body write and turn a
   * clean refusal into "unreachable".
   */
  private static final software.amazon.awssdk.core.interceptor.ExecutionInterceptor
      NO_EXPECT_CONTINUE =
          new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
            @Override
            public software.amazon.awssdk.http.SdkHttpRequest modifyHttpRequest(
                software.amazon.awssdk.core.interceptor.Context.ModifyHttpRequest context,
                software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
              return context.httpRequest().toBuilder().removeHeader("Expect").build();
            }
          };

  public S3Store(StoreConfig config) {
    this.config = config;
    AwsCredentialsProvider credentials =
        config.accessKeyId() != null
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey()))
            : DefaultCredentialsProvider.builder().build();
    S3Configuration s3 =
        S3Configuration.builder().pathStyleAccessEnabled(config.pathStyleAccess()).build();
    var builder =
        S3Client.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(credentials)
            .serviceConfiguration(s3)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(httpClient(config))
            .overrideConfiguration(
                timeouts(config).addExecutionInterceptor(NO_EXPECT_CONTINUE).build());
    if (config.endpoint() != null) builder.endpointOverride(URI.create(config.endpoint()));
    this.client = builder.build();
    var presign =
        S3Presigner.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(credentials)
            .serviceConfiguration(s3);
    String publicEndpoint =
        config.publicEndpoint() != null ? config.publicEndpoint() : config.endpoint();
    if (publicEndpoint != null) presign.endpointOverride(URI.create(publicEndpoint));
    this.presigner = presign.build();
    this.credentials = credentials;
    // our own SigV4 signer serves path-style stores with a known endpoint (MinIO, Ceph,
    // StorageGRID);
    // AWS S3 without an endpoint (virtual-hosted, regional names) goes through the SDK's presigner
    this.fastPresigner =
        publicEndpoint != null && config.pathStyleAccess()
            ? new SigV4Presigner(
                URI.create(publicEndpoint), config.region(), java.time.Clock.systemUTC())
            : null;
  }

  public String name() {
    return config.name();
  }

  /**
   * Bucket and key of {@code s3://bucket/key} (or {@code s3a://}). Locations are URIs, as Delta
   * logs store paths: percent-encoded; keys are the decoded names.
   */
  record Location(String bucket, String key) {
    static Location parse(String location) {
      int scheme = location.indexOf("://");
      if (scheme < 0) throw new IllegalArgumentException("Invalid object location: " + location);
      String rest = location.substring(scheme + 3);
      int slash = rest.indexOf('/');
      if (slash < 0) return new Location(rest, "");
      String rawKey = rest.substring(slash + 1);
      String key = rawKey;
      if (rawKey.indexOf('%') >= 0) {
        try {
          key = new URI("s3://" + rest.substring(0, slash) + "/" + rawKey).getPath().substring(1);
        } catch (URISyntaxException e) {
          key = rawKey; // not a valid URI: take the name literally
        }
      }
      return new Location(rest.substring(0, slash), key);
    }

    /** The location of this object as a percent-encoded URI. */
    String uri() {
      try {
        return new URI("s3", bucket, "/" + key, null).toASCIIString();
      } catch (URISyntaxException e) {
        return "s3://" + bucket + "/" + key;
      }
    }
  }

  @Override
  public CloseableIterator<ObjectInfo> listFrom(String location) {
    Location loc = Location.parse(location);
    int slash = loc.key().lastIndexOf('/');
    String prefix = slash < 0 ? "" : loc.key().substring(0, slash + 1);
    String startAfter = justBefore(loc.key());
    return list(location, loc.bucket(), prefix, "/", startAfter.isEmpty() ? null : startAfter);
  }

  @Override
  public CloseableIterator<ObjectInfo> listTree(String prefixLocation) {
    Location loc = Location.parse(prefixLocation);
    String prefix = loc.key().endsWith("/") ? loc.key() : loc.key() + "/";
    return list(prefixLocation, loc.bucket(), prefix, null, null);
  }

  private CloseableIterator<ObjectInfo> list(
      String location, String bucket, String prefix, String delimiter, String startAfter) {
    Iterator<ListObjectsV2Response> pages =
        call(
            location,
            () ->
                client
                    .listObjectsV2Paginator(
                        ListObjectsV2Request.builder()
                            .bucket(bucket)
                            .prefix(prefix)
                            .delimiter(delimiter)
                            .startAfter(startAfter)
                            .build())
                    .iterator());
    return new CloseableIterator<>() {
      private Iterator<S3Object> page = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!page.hasNext()) {
          if (!call(location, pages::hasNext)) return false;
          page = call(location, pages::next).contents().iterator();
        }
        return true;
      }

      @Override
      public ObjectInfo next() {
        if (!hasNext()) throw new NoSuchElementException();
        S3Object o = page.next();
        return new ObjectInfo(
            new Location(bucket, o.key()).uri(), o.size(), o.lastModified().toEpochMilli());
      }

      @Override
      public void close() {}
    };
  }

  /**
   * The greatest key that sorts before {@code key} for ASCII keys: S3's startAfter is exclusive.
   */
  static String justBefore(String key) {
    if (key.isEmpty()) return "";
    char last = key.charAt(key.length() - 1);
    if (last == 0) return key.substring(0, key.length() - 1);
    return key.substring(0, key.length() - 1) + (char) (last - 1) + "\u00ff";
  }

  @Override
  public ObjectInfo stat(String location) {
    Location loc = Location.parse(location);
    HeadObjectResponse head =
        call(location, () -> client.headObject(b -> b.bucket(loc.bucket()).key(loc.key())));
    Instant modified = head.lastModified() == null ? Instant.EPOCH : head.lastModified();
    return new ObjectInfo(loc.uri(), head.contentLength(), modified.toEpochMilli());
  }

  @Override
  public InputStream open(String location, long offset, long length) {
    Location loc = Location.parse(location);
    GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(loc.bucket()).key(loc.key());
    if (offset > 0 || length >= 0)
      req.range("bytes=" + offset + "-" + (length >= 0 ? Long.toString(offset + length - 1) : ""));
    var response = call(location, () -> client.getObject(req.build()));
    return new java.io.FilterInputStream(response) {
      private boolean eof;

      @Override
      public int read() throws java.io.IOException {
        int b = super.read();
        if (b < 0) eof = true;
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws java.io.IOException {
        int n = super.read(buf, off, len);
        if (n < 0) eof = true;
        return n;
      }

      /** Closing a half-read body would drain it: abort the connection instead. */
      @Override
      public void close() throws java.io.IOException {
        if (!eof) response.abort();
        super.close();
      }
    };
  }

  @Override
  public UrlSigner.SignedUrl presign(String location, long seconds) {
    if (fastPresigner != null) return presignAt(location, seconds, fastPresigner.now());
    Location loc = Location.parse(location);
    var signed =
        presigner.presignGetObject(
            p ->
                p.signatureDuration(Duration.ofSeconds(seconds))
                    .getObjectRequest(g -> g.bucket(loc.bucket()).key(loc.key())));
    return new UrlSigner.SignedUrl(signed.url().toString(), signed.expiration().toEpochMilli());
  }

  /**
   * A presigned GET URL signed as of {@code signedAt} and valid for {@code seconds} from then (so
   * the URLs of one window are the same for every request), or null when this store's URLs are
   * signed by the SDK (virtual-host style or no endpoint), whose signing time is always now.
   */
  public UrlSigner.SignedUrl presignAt(String location, long seconds, Instant signedAt) {
    if (fastPresigner == null) return null;
    Location loc = Location.parse(location);
    var c = credentials.resolveCredentials();
    String token =
        c instanceof software.amazon.awssdk.auth.credentials.AwsSessionCredentials s
            ? s.sessionToken()
            : null;
    String url =
        fastPresigner.presign(
            new SigV4Presigner.Credentials(c.accessKeyId(), c.secretAccessKey(), token),
            loc.bucket(),
            loc.key(),
            seconds,
            signedAt);
    return new UrlSigner.SignedUrl(url, signedAt.getEpochSecond() * 1000 + seconds * 1000);
  }

  /** Whether {@link #presignAt} signs (a path-style store with a known endpoint). */
  public boolean presignsAt() {
    return fastPresigner != null;
  }

  @Override
  public java.util.Map<String, String> clientProperties() {
    java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
    String endpoint = config.publicEndpoint() != null ? config.publicEndpoint() : config.endpoint();
    if (endpoint != null) p.put("s3.endpoint", endpoint);
    p.put("s3.path-style-access", Boolean.toString(config.pathStyleAccess()));
    p.put("client.region", config.region());
    p.put("s3.region", config.region()); // pyiceberg's name
    return p;
  }

  @Override
  public java.util.Map<String, java.util.List<String>> signRead(
      String method,
      URI uri,
      java.util.Map<String, java.util.List<String>> headers,
      String region) {
    var c = credentials.resolveCredentials();
    var request =
        software.amazon.awssdk.http.SdkHttpFullRequest.builder()
            .method(software.amazon.awssdk.http.SdkHttpMethod.fromValue(method))
            .uri(uri)
            // the path decoded once: Ceph RGW verifies a header-signed request against its
            // decoded path ('=' for %3D, a space for %20, '%41' for %2541: measured against RGW
            // for keys such as Spark's "time=1970-01-02 08%3A45%3A00" partition directories),
            // as s3proxy does for '='
            .encodedPath(uri.getPath());
    // only the x-amz-* headers are signed (with host): a signature the client reuses for the same
    // object (Iceberg caches them) must not cover what changes per request (Range, SDK retry
    // counters); the signer sets the date and the session token itself
    headers.forEach(
        (name, values) -> {
          String n = name.toLowerCase(java.util.Locale.ROOT);
          if (n.startsWith("x-amz-")
              && !n.equals("x-amz-date")
              && !n.equals("x-amz-security-token")) request.putHeader(name, values);
        });
    request.putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    var signed =
        software.amazon.awssdk.auth.signer.AwsS3V4Signer.create()
            .sign(
                request.build(),
                software.amazon.awssdk.auth.signer.params.AwsS3V4SignerParams.builder()
                    .awsCredentials(c)
                    .signingName("s3")
                    .signingRegion(Region.of(region != null ? region : config.region()))
                    .enablePayloadSigning(false)
                    .build());
    return signed.headers();
  }

  @Override
  public String locationOf(URI uri) {
    String endpoint = config.publicEndpoint() != null ? config.publicEndpoint() : config.endpoint();
    if (endpoint == null || uri.getHost() == null) return null;
    URI e = URI.create(endpoint);
    if (!uri.getHost().equalsIgnoreCase(e.getHost()) || uri.getPort() != e.getPort()) return null;
    String path = uri.getPath();
    if (path == null || path.length() < 2) return null;
    int slash = path.indexOf('/', 1);
    if (slash < 0) return null;
    return "s3://" + path.substring(1, slash) + "/" + path.substring(slash + 1);
  }

  /** The JDK's URLConnection client with the store's timeouts (no Netty, no Apache client). */
  private static software.amazon.awssdk.http.SdkHttpClient httpClient(StoreConfig config) {
    return UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofMillis(config.connectTimeoutMs()))
        .socketTimeout(Duration.ofMillis(config.requestTimeoutMs()))
        .build();
  }

  /** Every call to the store bounded by its request timeout. */
  private static ClientOverrideConfiguration.Builder timeouts(StoreConfig config) {
    return ClientOverrideConfiguration.builder()
        .apiCallTimeout(Duration.ofMillis(config.requestTimeoutMs()));
  }

  private volatile software.amazon.awssdk.services.sts.StsClient sts;

  private software.amazon.awssdk.services.sts.StsClient sts() {
    software.amazon.awssdk.services.sts.StsClient c = sts;
    if (c == null) {
      synchronized (this) {
        if (sts == null) {
          var b =
              software.amazon.awssdk.services.sts.StsClient.builder()
                  .region(Region.of(config.region()))
                  .credentialsProvider(credentials)
                  .httpClient(httpClient(config))
                  .overrideConfiguration(timeouts(config).build());
          String endpoint = config.stsEndpoint() != null ? config.stsEndpoint() : config.endpoint();
          if (endpoint != null) b.endpointOverride(URI.create(endpoint));
          sts = b.build();
        }
        c = sts;
      }
    }
    return c;
  }

  /**
   * Assumes the store's read-only role ({@code stsRoleArn}) with a session policy that allows only
   * reading the objects under {@code prefixLocation} and listing inside it: the credentials read
   * one table's directory and nothing else, even if the role could read more.
   */
  @Override
  public TemporaryCredentials temporaryCredentials(List<String> prefixLocations, long seconds) {
    if (config.stsRoleArn() == null) {
      throw new StorageException(
          StorageException.Kind.FAILED,
          "Store '" + config.name() + "' has no stsRoleArn: it cannot issue temporary credentials",
          null);
    }
    // reads of the objects under each prefix, and listing only those prefixes
    List<String> objects = new java.util.ArrayList<>();
    Map<String, List<String>> listed = new java.util.LinkedHashMap<>();
    for (String prefixLocation : prefixLocations) {
      Location loc = Location.parse(prefixLocation);
      String prefix =
          loc.key().endsWith("/") ? loc.key().substring(0, loc.key().length() - 1) : loc.key();
      objects.add("\"arn:aws:s3:::" + jsonEscape(loc.bucket() + "/" + prefix) + "/*\"");
      listed
          .computeIfAbsent(loc.bucket(), b -> new java.util.ArrayList<>())
          .add("\"" + jsonEscape(prefix) + "/*\"");
    }
    StringBuilder statements =
        new StringBuilder(
            "{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":["
                + String.join(",", objects)
                + "]}");
    listed.forEach(
        (bucket, prefixes) ->
            statements
                .append(
                    ",{\"Effect\":\"Allow\",\"Action\":[\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::")
                .append(jsonEscape(bucket))
                .append("\"],\"Condition\":{\"StringLike\":{\"s3:prefix\":[")
                .append(String.join(",", prefixes))
                .append("]}}}"));
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}";
    String prefixLocation = prefixLocations.get(0);
    var creds =
        call(
                prefixLocation,
                () ->
                    sts()
                        .assumeRole(
                            r ->
                                r.roleArn(config.stsRoleArn())
                                    .roleSessionName(
                                        "tablegate-"
                                            + Long.toHexString(
                                                java.util.concurrent.ThreadLocalRandom.current()
                                                    .nextLong()))
                                    .policy(policy)
                                    .durationSeconds((int) seconds)))
            .credentials();
    return new TemporaryCredentials(
        creds.accessKeyId(),
        creds.secretAccessKey(),
        creds.sessionToken(),
        creds.expiration().toEpochMilli());
  }

  private static String jsonEscape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.toString();
  }

  /** A small object read whole, with its ETag and user metadata (the live catalog's document). */
  public record Document(byte[] content, String etag, java.util.Map<String, String> metadata) {}

  /** The object at {@code location} with its ETag and metadata, or null when there is none. */
  public Document readDocument(String location) {
    Location loc = Location.parse(location);
    try {
      var bytes =
          call(location, () -> client.getObjectAsBytes(b -> b.bucket(loc.bucket()).key(loc.key())));
      return new Document(
          bytes.asByteArray(), bytes.response().eTag(), bytes.response().metadata());
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) return null;
      throw e;
    }
  }

  /**
   * The ETag and metadata of the object at {@code location} (no content), or null when there is
   * none.
   */
  public Document headDocument(String location) {
    Location loc = Location.parse(location);
    try {
      HeadObjectResponse head =
          call(location, () -> client.headObject(b -> b.bucket(loc.bucket()).key(loc.key())));
      return new Document(null, head.eTag(), head.metadata());
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) return null;
      throw e;
    }
  }

  /**
   * Writes the object only if it is still the one with {@code etag} ({@code If-Match}), or, with a
   * null etag, only if there is none yet ({@code If-None-Match: *}): the store decides, atomically.
   * Returns false when another writer came first (412 or 409). The ETag goes without its quotes:
   * Ceph RGW 16 compares {@code If-Match} with the bare value and refuses the quoted form (412)
   * that HTTP specifies; MinIO and AWS accept either.
   */
  public boolean writeDocumentIf(
      String location, byte[] content, java.util.Map<String, String> metadata, String etag) {
    Location loc = Location.parse(location);
    try {
      call(
          location,
          () ->
              client.putObject(
                  b -> {
                    b.bucket(loc.bucket())
                        .key(loc.key())
                        .metadata(metadata)
                        .contentType("application/json");
                    if (etag == null) b.ifNoneMatch("*");
                    else b.ifMatch(etag.replace("\"", ""));
                  },
                  software.amazon.awssdk.core.sync.RequestBody.fromBytes(content)));
      return true;
    } catch (StorageException e) {
      if (e.getCause() instanceof S3Exception s3
          && (s3.statusCode() == 412 || s3.statusCode() == 409)) return false;
      throw e;
    }
  }

  /**
   * Writes the object unconditionally; returns the version id the store gave it (null without
   * bucket versioning).
   */
  @Override
  public void put(String location, java.nio.file.Path file) {
    Location loc = Location.parse(location);
    call(
        location,
        () ->
            client.putObject(
                b -> b.bucket(loc.bucket()).key(loc.key()),
                software.amazon.awssdk.core.sync.RequestBody.fromFile(file)));
  }

  @Override
  public void delete(String location) {
    Location loc = Location.parse(location);
    call(location, () -> client.deleteObject(b -> b.bucket(loc.bucket()).key(loc.key())));
  }

  public String putDocument(
      String location, byte[] content, java.util.Map<String, String> metadata) {
    Location loc = Location.parse(location);
    return call(
            location,
            () ->
                client.putObject(
                    b ->
                        b.bucket(loc.bucket())
                            .key(loc.key())
                            .metadata(metadata)
                            .contentType("application/json"),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(content)))
        .versionId();
  }

  /**
   * Whether the store honours conditional writes: sends a PUT to {@code location} with an {@code
   * If-Match} that cannot hold; true if the store refused it (412/409). A store that ignores the
   * header writes the object (a two-byte probe; use a location nobody reads).
   */
  public boolean refusesFailedPrecondition(String location) {
    Location loc = Location.parse(location);
    putDocument(location, new byte[] {'{', '}'}, java.util.Map.of());
    try {
      call(
          location,
          () ->
              client.putObject(
                  b ->
                      b.bucket(loc.bucket())
                          .key(loc.key())
                          .ifMatch("tablegate-no-such-etag")
                          .contentType("application/json"),
                  software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[] {'{', '}'})));
      return false;
    } catch (StorageException e) {
      if (e.getCause() instanceof S3Exception s3
          && (s3.statusCode() == 412 || s3.statusCode() == 409)) return true;
      throw e;
    }
  }

  /** A version of an object, as the store lists them: newest first. */
  public record ObjectVersion(String versionId, boolean latest) {}

  /**
   * The versions of exactly the object at {@code location}, newest first (the order the store
   * stored them, reversed).
   */
  public java.util.List<ObjectVersion> versions(String location) {
    Location loc = Location.parse(location);
    java.util.List<ObjectVersion> out = new java.util.ArrayList<>();
    String keyMarker = null;
    String versionMarker = null;
    while (true) {
      String km = keyMarker;
      String vm = versionMarker;
      var page =
          call(
              location,
              () ->
                  client.listObjectVersions(
                      b ->
                          b.bucket(loc.bucket())
                              .prefix(loc.key())
                              .keyMarker(km)
                              .versionIdMarker(vm)));
      for (var v : page.versions())
        if (v.key().equals(loc.key()))
          out.add(new ObjectVersion(v.versionId(), Boolean.TRUE.equals(v.isLatest())));
      if (!Boolean.TRUE.equals(page.isTruncated())) return out;
      keyMarker = page.nextKeyMarker();
      versionMarker = page.nextVersionIdMarker();
    }
  }

  /** One version of the object, whole, with its metadata; null when there is no such version. */
  public Document readVersion(String location, String versionId) {
    Location loc = Location.parse(location);
    try {
      var bytes =
          call(
              location,
              () ->
                  client.getObjectAsBytes(
                      b -> b.bucket(loc.bucket()).key(loc.key()).versionId(versionId)));
      return new Document(
          bytes.asByteArray(), bytes.response().eTag(), bytes.response().metadata());
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) return null;
      throw e;
    }
  }

  /** Deletes one version of an object for good (or the object, with a null version id). */
  public void deleteVersion(String location, String versionId) {
    Location loc = Location.parse(location);
    call(
        location,
        () -> client.deleteObject(b -> b.bucket(loc.bucket()).key(loc.key()).versionId(versionId)));
  }

  /** Whether versioning is enabled on the bucket of {@code location}. */
  public boolean versioningEnabled(String location) {
    Location loc = Location.parse(location);
    try {
      var status =
          call(location, () -> client.getBucketVersioning(b -> b.bucket(loc.bucket())).status());
      return status == software.amazon.awssdk.services.s3.model.BucketVersioningStatus.ENABLED;
    } catch (StorageException e) {
      if (e.getCause() instanceof S3Exception s3
          && (s3.statusCode() == 501 || s3.statusCode() == 400)) return false;
      throw e;
    }
  }

  /**
   * The keys under {@code prefixLocation} (an s3:// prefix) after {@code startAfter} (a key, or
   * null), in key order.
   */
  public java.util.List<String> keysAfter(String prefixLocation, String startAfter) {
    Location loc = Location.parse(prefixLocation);
    java.util.List<String> out = new java.util.ArrayList<>();
    String token = null;
    while (true) {
      String t = token;
      var page =
          call(
              prefixLocation,
              () ->
                  client.listObjectsV2(
                      b -> {
                        b.bucket(loc.bucket()).prefix(loc.key()).continuationToken(t);
                        if (t == null && startAfter != null) b.startAfter(startAfter);
                      }));
      for (var o : page.contents()) out.add(o.key());
      if (!Boolean.TRUE.equals(page.isTruncated())) return out;
      token = page.nextContinuationToken();
    }
  }

  private <T> T call(String location, java.util.function.Supplier<T> op) {
    try {
      return op.get();
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw new StorageException(
          StorageException.Kind.NOT_FOUND,
          "Object not found in store '" + config.name() + "': " + location,
          e);
    } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
      int status = e.statusCode();
      StorageException.Kind kind =
          status == 404
              ? StorageException.Kind.NOT_FOUND
              : status == 403 || status == 401
                  ? StorageException.Kind.ACCESS_DENIED
                  : status >= 500 || status == 429
                      ? StorageException.Kind.UNAVAILABLE
                      : StorageException.Kind.FAILED;
      throw new StorageException(
          kind, "Store '" + config.name() + "' answered " + status + " for " + location, e);
    } catch (SdkClientException e) {
      throw new StorageException(
          StorageException.Kind.UNAVAILABLE, "Store '" + config.name() + "' is unreachable", e);
    } catch (SdkException | UncheckedIOException e) {
      throw new StorageException(
          StorageException.Kind.UNAVAILABLE,
          "Store '" + config.name() + "' failed: " + e.getClass().getSimpleName(),
          e);
    }
  }

  @Override
  public void close() {
    presigner.close();
    client.close();
    if (sts != null) sts.close();
  }
}
