package io.tablegate.format.iceberg;

import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Iceberg's file I/O over the gateway's object stores: metadata files, manifest lists, manifests
 * and delete files of {@code s3://} Iceberg tables are read through the same S3 client, timeouts
 * and error mapping as Delta tables (rather than a second client from Iceberg's S3FileIO).
 * Read-only: the gateway never writes tables.
 */
final class ObjectStoreIcebergIO implements FileIO {
  private final transient Function<String, ObjectStore> stores;

  ObjectStoreIcebergIO(Function<String, ObjectStore> stores) {
    this.stores = stores;
  }

  static String normalize(String path) {
    return path.startsWith("s3a://") ? "s3://" + path.substring(6) : path;
  }

  private ObjectStore store(String path) {
    ObjectStore s = stores.apply(normalize(path));
    if (s == null)
      throw new StorageException(
          StorageException.Kind.NOT_FOUND, "No object store serves " + path, null);
    return s;
  }

  @Override
  public InputFile newInputFile(String path) {
    return new StoreInputFile(normalize(path), -1);
  }

  @Override
  public InputFile newInputFile(String path, long length) {
    return new StoreInputFile(normalize(path), length);
  }

  @Override
  public OutputFile newOutputFile(String path) {
    throw new UnsupportedOperationException("The gateway never writes tables");
  }

  @Override
  public void deleteFile(String path) {
    throw new UnsupportedOperationException("The gateway never writes tables");
  }

  private final class StoreInputFile implements InputFile {
    private final String path;
    private long length;

    StoreInputFile(String path, long length) {
      this.path = path;
      this.length = length;
    }

    @Override
    public long getLength() {
      if (length < 0) length = stat().size();
      return length;
    }

    private ObjectStore.ObjectInfo stat() {
      try {
        return store(path).stat(path);
      } catch (StorageException e) {
        if (e.kind() == StorageException.Kind.NOT_FOUND)
          throw new NotFoundException(e, "File does not exist: %s", path);
        throw e;
      }
    }

    @Override
    public SeekableInputStream newStream() {
      return new StoreStream(path, store(path));
    }

    @Override
    public String location() {
      return path;
    }

    @Override
    public boolean exists() {
      try {
        store(path).stat(path);
        return true;
      } catch (StorageException e) {
        if (e.kind() == StorageException.Kind.NOT_FOUND) return false;
        throw e;
      }
    }
  }

  /** A stream that reopens a ranged GET from the new position on a seek. */
  private static final class StoreStream extends SeekableInputStream {
    private final String path;
    private final ObjectStore store;
    private InputStream in;
    private long pos;

    StoreStream(String path, ObjectStore store) {
      this.path = path;
      this.store = store;
    }

    private InputStream in() throws IOException {
      if (in == null) {
        try {
          in = store.open(path, pos, -1);
        } catch (StorageException e) {
          if (e.kind() == StorageException.Kind.NOT_FOUND)
            throw new NotFoundException(e, "File does not exist: %s", path);
          throw e;
        }
      }
      return in;
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) throws IOException {
      if (newPos == pos) return;
      if (in != null && newPos > pos && newPos - pos < 64 * 1024) {
        long skip = newPos - pos;
        while (skip > 0) {
          long n = in.skip(skip);
          if (n <= 0) break;
          skip -= n;
          pos += n;
        }
        if (pos == newPos) return;
      }
      closeStream();
      pos = newPos;
    }

    @Override
    public int read() throws IOException {
      int b = in().read();
      if (b >= 0) pos++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in().read(b, off, len);
      if (n > 0) pos += n;
      return n;
    }

    private void closeStream() throws IOException {
      if (in != null) {
        InputStream s = in;
        in = null;
        s.close();
      }
    }

    @Override
    public void close() throws IOException {
      closeStream();
    }
  }
}
