package io.tablegate.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The live catalog in one local file (or a file on a volume all instances mount): a header line
 * {@code tablegate-catalog <version>} and the JSON document. A write takes an OS lock on a sidecar
 * lock file, checks the version, writes a temporary file, forces it to disk and renames it over the
 * old one atomically, so a crash leaves either the old or the new catalog, never a torn one.
 */
public final class FileCatalogStore implements CatalogStore {
  private static final String HEADER = "tablegate-catalog ";
  private static final java.util.concurrent.ConcurrentHashMap<Path, Object> JVM_LOCKS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Path file;
  private final Path lock;

  public FileCatalogStore(Path file) {
    this.file = file.toAbsolutePath();
    this.lock = this.file.resolveSibling(this.file.getFileName() + ".lock");
    try {
      Files.createDirectories(this.file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create the directory of the catalog file " + this.file, e);
    }
  }

  @Override
  public Stored read() {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Stored(new byte[0], 0);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the catalog file " + file, e);
    }
    int nl = indexOf(all, (byte) '\n');
    String header = new String(all, 0, nl < 0 ? all.length : nl, StandardCharsets.UTF_8);
    if (!header.startsWith(HEADER))
      throw new IllegalStateException("The catalog file " + file + " is not a Tablegate catalog");
    long version = Long.parseLong(header.substring(HEADER.length()).trim());
    return new Stored(nl < 0 ? new byte[0] : Arrays.copyOfRange(all, nl + 1, all.length), version);
  }

  @Override
  public long version() {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(64);
      ch.read(buf);
      String head = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
      int nl = head.indexOf('\n');
      return Long.parseLong(head.substring(HEADER.length(), nl < 0 ? head.length() : nl).trim());
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the catalog file " + file, e);
    }
  }

  @Override
  public long write(byte[] content, long expectedVersion) {
    // an OS file lock is per JVM: serialize this JVM's writers first, then lock against other
    // processes
    synchronized (JVM_LOCKS.computeIfAbsent(file, f -> new Object())) {
      return writeLocked(content, expectedVersion);
    }
  }

  private long writeLocked(byte[] content, long expectedVersion) {
    try (FileChannel lockChannel =
            FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = lockChannel.lock()) {
      long current = version();
      if (current != expectedVersion) {
        throw new Conflict(
            "The catalog changed (version " + current + ", expected " + expectedVersion + ")");
      }
      long next = current + 1;
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try (FileChannel out =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        out.write(ByteBuffer.wrap((HEADER + next + "\n").getBytes(StandardCharsets.UTF_8)));
        out.write(ByteBuffer.wrap(content));
        out.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return next;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the catalog file " + file, e);
    }
  }

  private static int indexOf(byte[] a, byte b) {
    for (int i = 0; i < a.length; i++) if (a[i] == b) return i;
    return -1;
  }

  @Override
  public String toString() {
    return "file " + file;
  }
}
