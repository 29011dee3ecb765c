package io.tablegate.format.delta;

import io.delta.kernel.defaults.engine.fileio.FileIO;
import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.engine.fileio.OutputFile;
import io.delta.kernel.defaults.engine.fileio.SeekableInputStream;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.tablegate.spi.ObjectStore;
import io.tablegate.spi.StorageException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Kernel's file I/O over one of our object stores, so that Kernel reads {@code _delta_log},
 * checkpoints and deletion vectors of {@code s3://} tables through our S3 client (no Hadoop s3a).
 * Read-only: the gateway never writes tables.
 */
final class ObjectStoreFileIO implements FileIO {
  private final ObjectStore store;

  ObjectStoreFileIO(ObjectStore store) {
    this.store = store;
  }

  static String normalize(String path) {
    return path.startsWith("s3a://") ? "s3://" + path.substring(6) : path;
  }

  @Override
  public CloseableIterator<FileStatus> listFrom(String filePath) throws IOException {
    io.tablegate.spi.CloseableIterator<ObjectStore.ObjectInfo> it;
    try {
      it = store.listFrom(normalize(filePath));
      if (!it.hasNext()) {
        // Kernel reads "no such directory" as "no such table"
        throw new FileNotFoundException("No objects at " + filePath);
      }
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND)
        throw new FileNotFoundException("No objects at " + filePath);
      throw e;
    }
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public FileStatus next() {
        ObjectStore.ObjectInfo o = it.next();
        return FileStatus.of(o.location(), o.size(), o.lastModified());
      }

      @Override
      public void close() {
        it.close();
      }
    };
  }

  @Override
  public FileStatus getFileStatus(String path) throws IOException {
    try {
      ObjectStore.ObjectInfo o = store.stat(normalize(path));
      return FileStatus.of(o.location(), o.size(), o.lastModified());
    } catch (StorageException e) {
      if (e.kind() == StorageException.Kind.NOT_FOUND) throw new FileNotFoundException(path);
      throw e;
    }
  }

  @Override
  public String resolvePath(String path) {
    return normalize(path);
  }

  @Override
  public boolean mkdirs(String path) {
    return true;
  }

  @Override
  public InputFile newInputFile(String path, long fileSize) {
    String location = normalize(path);
    return new InputFile() {
      @Override
      public long length() throws IOException {
        // Kernel passes 0 when it does not know the size (e.g. for _last_checkpoint): ask the
        // store,
        // which also turns a missing object into the FileNotFoundException Kernel expects
        return fileSize > 0 ? fileSize : getFileStatus(location).getSize();
      }

      @Override
      public String path() {
        return location;
      }

      @Override
      public SeekableInputStream newStream() throws IOException {
        return new RangeInputStream(store, location, length());
      }
    };
  }

  @Override
  public OutputFile newOutputFile(String path) {
    throw new UnsupportedOperationException("Tablegate does not write to object stores: " + path);
  }

  @Override
  public boolean delete(String path) {
    throw new UnsupportedOperationException(
        "Tablegate does not delete from object stores: " + path);
  }

  @Override
  public Optional<String> getConf(String confKey) {
    return Optional.empty();
  }

  @Override
  public void copyFileAtomically(String srcPath, String destPath, boolean overwrite) {
    throw new UnsupportedOperationException(
        "Tablegate does not write to object stores: " + destPath);
  }

  /**
   * A seekable stream over ranged GETs: reads sequentially from one open range and reopens only
   * when a seek jumps elsewhere (Parquet reads the footer first, then column chunks).
   */
  static final class RangeInputStream extends SeekableInputStream {
    private final ObjectStore store;
    private final String location;
    private final long length;
    private InputStream current;
    private long pos;
    private long streamPos = -1;

    RangeInputStream(ObjectStore store, String location, long length) {
      this.store = store;
      this.location = location;
      this.length = length;
    }

    private InputStream stream() throws IOException {
      if (current == null || streamPos != pos) {
        closeCurrent();
        try {
          current = store.open(location, pos, -1);
        } catch (StorageException e) {
          // Kernel treats a missing file (e.g. no _last_checkpoint) as normal, but retries other
          // errors
          if (e.kind() == StorageException.Kind.NOT_FOUND)
            throw new FileNotFoundException(location);
          throw e;
        }
        streamPos = pos;
      }
      return current;
    }

    @Override
    public int read() throws IOException {
      if (pos >= length) return -1;
      int b = stream().read();
      if (b >= 0) {
        pos++;
        streamPos++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (len == 0) return 0;
      if (pos >= length) return -1;
      int n = stream().read(buf, off, len);
      if (n > 0) {
        pos += n;
        streamPos += n;
      }
      return n;
    }

    @Override
    public void readFully(byte[] buf, int off, int len) throws IOException {
      int done = 0;
      while (done < len) {
        int n = read(buf, off + done, len - done);
        if (n < 0) throw new java.io.EOFException("Unexpected end of " + location + " at " + pos);
        done += n;
      }
    }

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) {
      pos = newPos;
    }

    private void closeCurrent() {
      if (current != null) {
        try {
          current.close();
        } catch (IOException ignored) {
          // an aborted range read; nothing to recover
        }
        current = null;
      }
    }

    @Override
    public void close() {
      closeCurrent();
    }
  }
}
