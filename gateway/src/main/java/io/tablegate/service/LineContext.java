package io.tablegate.service;

import io.tablegate.protocol.DeletionVector;
import io.tablegate.protocol.FileAction;
import io.tablegate.protocol.FileEntry;
import io.tablegate.protocol.ProtocolCodec;
import io.tablegate.protocol.ResponseFormat;
import io.tablegate.protocol.SharingErrors;
import io.tablegate.spi.DataFile;
import io.tablegate.spi.UrlSigner;

/** Turns {@link DataFile}s into signed NDJSON file lines, and tracks the earliest URL expiry. */
final class LineContext {
  final ResponseFormat format;
  final FileIds ids;
  final UrlSigner signer;
  long minExpiration = Long.MAX_VALUE;

  /**
   * For parquet-format responses of tables with deletion vectors: a file with a deletion vector as
   * the rewritten file without its deleted rows, and the gateway's own signer for it (null: such
   * files are refused).
   */
  private final java.util.function.UnaryOperator<DataFile> rewrite;

  private final UrlSigner rewriteSigner;

  /** Whether every file is rewritten (a recipient policy), not only those with deletion vectors. */
  private final boolean rewriteAll;

  LineContext(ResponseFormat format, FileIds ids, UrlSigner signer) {
    this(format, ids, signer, null, null, false);
  }

  LineContext(
      ResponseFormat format,
      FileIds ids,
      UrlSigner signer,
      java.util.function.UnaryOperator<DataFile> rewrite,
      UrlSigner rewriteSigner,
      boolean rewriteAll) {
    this.format = format;
    this.ids = ids;
    this.signer = signer;
    this.rewrite = rewrite;
    this.rewriteSigner = rewriteSigner;
    this.rewriteAll = rewriteAll;
  }

  private long appended;

  long appended() {
    return appended;
  }

  void append(
      ProtocolCodec.LineWriter out, FileAction action, DataFile f, Long version, Long timestamp) {
    appended++;
    minExpiration = Math.min(minExpiration, write(out, action, f, version, timestamp));
  }

  /** Chunks smaller than this are encoded by one thread. */
  static final int SHARED_CHUNK_MIN = 64;

  /**
   * The lines of {@code files}, in order: a large chunk is encoded in two halves at once (the
   * second by a {@link LineEncoders} helper when one is free), unless files are rewritten (that is
   * storage work, done here one at a time).
   */
  byte[] encode(FileAction action, java.util.List<DataFile> files, Long version, Long timestamp) {
    int n = files.size();
    if (n < SHARED_CHUNK_MIN || rewrite != null) {
      ProtocolCodec.LineWriter out = new ProtocolCodec.LineWriter(Math.max(1, n) * 600);
      for (DataFile f : files) append(out, action, f, version, timestamp);
      return out.toByteArray();
    }
    int half = n / 2;
    LineEncoders.Pair<Encoded> parts =
        LineEncoders.both(
            () -> encoded(action, files.subList(0, half), version, timestamp),
            () -> encoded(action, files.subList(half, n), version, timestamp));
    appended += n;
    minExpiration =
        Math.min(
            minExpiration, Math.min(parts.first().minExpiration, parts.second().minExpiration));
    byte[] a = parts.first().bytes;
    byte[] b = parts.second().bytes;
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private record Encoded(byte[] bytes, long minExpiration) {}

  /** Lines of some files, touching nothing of this context that another thread could. */
  private Encoded encoded(
      FileAction action, java.util.List<DataFile> files, Long version, Long timestamp) {
    ProtocolCodec.LineWriter out = new ProtocolCodec.LineWriter(files.size() * 600);
    long min = Long.MAX_VALUE;
    for (DataFile f : files) min = Math.min(min, write(out, action, f, version, timestamp));
    return new Encoded(out.toByteArray(), min);
  }

  /** Writes one file's line; returns its URLs' earliest expiry. */
  private long write(
      ProtocolCodec.LineWriter out, FileAction action, DataFile f, Long version, Long timestamp) {
    // a rewritten file (no deletion vector left) is served by the gateway's own signer
    UrlSigner fileSigner = signer;
    if (rewrite != null
        && (rewriteAll || (f.deletionVector() != null && format == ResponseFormat.PARQUET))) {
      f = rewrite.apply(f);
      fileSigner = rewriteSigner;
    }
    UrlSigner.SignedUrl url = fileSigner.sign(f.location());
    long expiry = url.expirationTimestamp();
    DeletionVector dv = f.deletionVector();
    if (dv != null) {
      if (format == ResponseFormat.PARQUET) {
        throw SharingErrors.unsupported(
            "Deletion Vector property disabled: a file of this table has a deletion vector, which the parquet response format cannot express; ask for responseformat=delta with readerfeatures=deletionvectors.");
      }
      if ("p".equals(dv.storageType())) {
        UrlSigner.SignedUrl dvUrl = signer.sign(dv.pathOrInlineDv());
        expiry = Math.min(expiry, dvUrl.expirationTimestamp());
        dv = new DeletionVector("p", dvUrl.url(), dv.offset(), dv.sizeInBytes(), dv.cardinality());
      }
    }
    FileEntry entry =
        new FileEntry(
            action,
            url.url(),
            ids.id(f.relativePath()),
            f.partitionValues(),
            f.size(),
            f.stats(),
            f.modificationTime(),
            f.dataChange(),
            dv,
            version,
            timestamp,
            expiry);
    out.file(format, entry);
    return expiry;
  }

  Long minExpirationOrNull() {
    return minExpiration == Long.MAX_VALUE ? null : minExpiration;
  }
}
