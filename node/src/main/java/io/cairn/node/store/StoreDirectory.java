package io.cairn.node.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One store's data directory, opened and locked for the life of the node.
 *
 * <p>Guarantees: the directory exists and is writable, and no other process holds it (an
 * exclusive lock on {@code store.lock}); two nodes pointed at the same disk fail at start-up
 * instead of corrupting each other.
 */
public final class StoreDirectory implements AutoCloseable {

  private final String id;
  private final Path path;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private StoreDirectory(String id, Path path, FileChannel lockChannel, FileLock lock) {
    this.id = id;
    this.path = path;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed and locks it.
   *
   * @param id the store's cluster-wide id ("node-1/store-3")
   * @throws StoreOpenException naming the path and the reason
   */
  public static StoreDirectory open(String id, Path path) throws StoreOpenException {
    try {
      Files.createDirectories(path);
    } catch (IOException | SecurityException e) {
      throw new StoreOpenException(path, "cannot be created (" + describe(e) + ")", e);
    }
    if (!Files.isDirectory(path) || !Files.isWritable(path)) {
      throw new StoreOpenException(path, "is not a writable directory", null);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(path.resolve("store.lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new StoreOpenException(path, "is in use by another process", null);
      }
      return new StoreDirectory(id, path, channel, lock);
    } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new StoreOpenException(path, "cannot be locked (" + describe(e) + ")", e);
    }
  }

  public String id() {
    return id;
  }

  public Path path() {
    return path;
  }

  /** Total bytes of the file system that holds the store. */
  public long capacityBytes() throws IOException {
    FileStore fs = Files.getFileStore(path);
    return fs.getTotalSpace();
  }

  /** Bytes still free for this store on its file system. */
  public long usableBytes() throws IOException {
    return Files.getFileStore(path).getUsableSpace();
  }

  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      lockChannel.close();
    }
  }

  private static String describe(Exception e) {
    String kind = e.getClass().getSimpleName().replace("Exception", "");
    return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Already failing; the original error is the one to report.
      }
    }
  }

  /** A store directory that cannot be used; the message names the path and the reason. */
  public static final class StoreOpenException extends Exception {
    private final Path path;

    StoreOpenException(Path path, String reason, Throwable cause) {
      super("store " + path + " " + reason, cause);
      this.path = path;
    }

    public Path path() {
      return path;
    }
  }
}
