package io.cairn.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import io.cairn.node.meta.RocksLifecycle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A shard store on RocksDB, in its store directory.
 *
 * <p>Layout: a shard is cut into pages of {@code pageBytes}; each page is one value, keyed by
 * (segment id, shard index, page number), followed by the CRC32C of the page. A range read
 * fetches and verifies only the pages it touches, so a 4 KiB read of a healthy shard costs one
 * page, and corruption anywhere is caught before a byte leaves the store. Pages are large values:
 * RocksDB keeps them in blob files (key-value separation), so compaction does not rewrite them.
 *
 * <p>Durability: a shard's pages are written in one batch with the WAL synced before
 * {@link #put} returns.
 *
 * <p>The page size is the store's own: recorded in it when it is created (under a key no shard
 * page can have) and used from then on, whatever {@code cairn.store.page-bytes} says later — a
 * changed setting applies to new stores only, so shards written earlier stay readable.
 */
public final class RocksShardStore implements ShardStore {

  static {
    RocksDB.loadLibrary();
  }

  /** The directory, inside a store directory, that marks and holds a RocksDB shard store. */
  public static final String DIRECTORY = "shards";

  private static final int KEY_BYTES = Long.BYTES + 1 + Integer.BYTES;
  private static final int CRC_BYTES = Integer.BYTES;
  /** Where a store records its page size: one byte, shorter than any page key. */
  private static final byte[] PAGE_BYTES_KEY = {'P'};

  private final String id;
  private final Path dbPath;
  private final StoreDirectory directory;
  private final int pageBytes;
  private final Options options;
  private final RocksDB db;
  private final WriteOptions syncWrites;
  private final AtomicLong readErrors = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  private volatile boolean healthy = true;
  /** No RocksDB call may run after close (a native crash otherwise). */
  private final RocksLifecycle lifecycle = new RocksLifecycle();

  private RocksShardStore(StoreDirectory directory, int pageBytes, Options options, RocksDB db) {
    this.id = directory.id();
    this.directory = directory;
    this.dbPath = directory.path().resolve(DIRECTORY);
    this.pageBytes = pageBytes;
    this.options = options;
    this.db = db;
    this.syncWrites = new WriteOptions().setSync(true);
  }

  /**
   * Opens (creating if needed) the shard database inside an opened store directory.
   *
   * @param pageBytes the page size of a store created now; an existing store keeps its own
   */
  public static RocksShardStore open(StoreDirectory directory, int pageBytes)
      throws StoreException {
    if (pageBytes < 512 || pageBytes > (8 << 20)) {
      throw new IllegalArgumentException("pageBytes must be in 512..8 MiB, got " + pageBytes);
    }
    Options options = new Options()
        .setCreateIfMissing(true)
        .setEnableBlobFiles(true)
        .setMinBlobSize(4096)
        .setEnableBlobGarbageCollection(true)
        .setCompressionType(CompressionType.NO_COMPRESSION)
        .setBlobCompressionType(CompressionType.NO_COMPRESSION)
        .setMaxOpenFiles(256)
        .setKeepLogFileNum(2);
    try {
      RocksDB db = RocksDB.open(options, directory.path().resolve(DIRECTORY).toString());
      try {
        return new RocksShardStore(directory, recordedPageBytes(db, pageBytes), options, db);
      } catch (RocksDBException | RuntimeException e) {
        db.close();
        throw e;
      }
    } catch (RocksDBException e) {
      options.close();
      throw new StoreException(directory.id(), "cannot open its database: " + e.getMessage(), e);
    }
  }

  /** Whether a store directory holds a RocksDB shard store. */
  public static boolean isIn(Path storeDirectory) {
    return Files.exists(storeDirectory.resolve(DIRECTORY).resolve("CURRENT"));
  }

  /** The page size recorded in the store; a store without one records {@code pageBytes}. */
  private static int recordedPageBytes(RocksDB db, int pageBytes) throws RocksDBException {
    byte[] recorded = db.get(PAGE_BYTES_KEY);
    if (recorded != null && recorded.length == Integer.BYTES) {
      return ByteBuffer.wrap(recorded).getInt();
    }
    try (WriteOptions sync = new WriteOptions().setSync(true)) {
      db.put(sync, PAGE_BYTES_KEY, ByteBuffer.allocate(Integer.BYTES).putInt(pageBytes).array());
    }
    return pageBytes;
  }

  /** The size of this store's pages (fixed when the store was created). */
  public int pageBytes() {
    return pageBytes;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void put(long segmentId, int shardIndex, ByteBuffer shard) throws StoreException {
    lifecycle.enter();
    try {
      if (lifecycle.closed()) {
        throw new StoreException(id, "the store is closed", null);
      }
      putOpen(segmentId, shardIndex, shard);
    } finally {
      lifecycle.exit();
    }
  }

  private void putOpen(long segmentId, int shardIndex, ByteBuffer shard) throws StoreException {
    ByteBuffer src = shard.duplicate();
    int length = src.remaining();
    CRC32C crc = new CRC32C();
    try (WriteBatch batch = new WriteBatch()) {
      // Replace, not merge: a shard rewritten shorter must not keep stale tail pages.
      batch.deleteRange(key(segmentId, shardIndex, 0), key(segmentId, shardIndex, Integer.MAX_VALUE));
      int page = 0;
      for (int from = 0; from < length; from += pageBytes, page++) {
        int n = Math.min(pageBytes, length - from);
        byte[] value = new byte[n + CRC_BYTES];
        src.get(src.position(), value, 0, n);
        src.position(src.position() + n);
        crc.reset();
        crc.update(value, 0, n);
        ByteBuffer.wrap(value, n, CRC_BYTES).order(ByteOrder.BIG_ENDIAN)
            .putInt((int) crc.getValue());
        batch.put(key(segmentId, shardIndex, page), value);
      }
      db.write(syncWrites, batch);
    } catch (RocksDBException e) {
      writeErrors.incrementAndGet();
      healthy = false;
      throw new StoreException(id, "cannot write shard " + segmentId + "/" + shardIndex + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public boolean read(long segmentId, int shardIndex, int fromByte, ByteBuffer out) {
    lifecycle.enter();
    try {
      return !lifecycle.closed() && readOpen(segmentId, shardIndex, fromByte, out);
    } finally {
      lifecycle.exit();
    }
  }

  private boolean readOpen(long segmentId, int shardIndex, int fromByte, ByteBuffer out) {
    int remaining = out.remaining();
    int at = fromByte;
    int pos = out.position();
    CRC32C crc = new CRC32C();
    try {
      while (remaining > 0) {
        int page = at / pageBytes;
        int inPage = at % pageBytes;
        byte[] value = db.get(key(segmentId, shardIndex, page));
        if (value == null || value.length < CRC_BYTES) {
          readErrors.incrementAndGet();
          return false;
        }
        int n = value.length - CRC_BYTES;
        crc.reset();
        crc.update(value, 0, n);
        int stored = ByteBuffer.wrap(value, n, CRC_BYTES).order(ByteOrder.BIG_ENDIAN).getInt();
        if (stored != (int) crc.getValue() || inPage >= n) {
          readErrors.incrementAndGet();
          return false;
        }
        int take = Math.min(remaining, n - inPage);
        out.put(pos, value, inPage, take);
        pos += take;
        at += take;
        remaining -= take;
      }
      return true;
    } catch (RocksDBException e) {
      readErrors.incrementAndGet();
      return false;
    }
  }

  @Override
  public void delete(long segmentId, int shardIndex) throws StoreException {
    lifecycle.enter();
    try {
      if (lifecycle.closed()) {
        throw new StoreException(id, "the store is closed", null);
      }
      db.deleteRange(syncWrites, key(segmentId, shardIndex, 0),
          key(segmentId, shardIndex, Integer.MAX_VALUE));
    } catch (RocksDBException e) {
      writeErrors.incrementAndGet();
      throw new StoreException(id, "cannot delete shard " + segmentId + "/" + shardIndex + ": "
          + e.getMessage(), e);
    } finally {
      lifecycle.exit();
    }
  }

  /**
   * Overwrites one stored page's bytes without fixing its checksum: what bit rot does. For fault
   * tests and the chaos tooling only; returns false if the page does not exist.
   */
  public boolean corruptPage(long segmentId, int shardIndex, int page) throws StoreException {
    try {
      byte[] key = key(segmentId, shardIndex, page);
      byte[] value = db.get(key);
      if (value == null) {
        return false;
      }
      value[0] ^= 0x5a;
      db.put(syncWrites, key, value);
      return true;
    } catch (RocksDBException e) {
      throw new StoreException(id, "cannot corrupt page: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean healthy() {
    return healthy;
  }

  @Override
  public long usedBytes() {
    try (Stream<Path> files = Files.walk(dbPath)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  @Override
  public long freeBytes() {
    try {
      return directory.usableBytes();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public long capacityBytes() {
    try {
      return directory.capacityBytes();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public long readErrors() {
    return readErrors.get();
  }

  @Override
  public long writeErrors() {
    return writeErrors.get();
  }

  @Override
  public long shardCount() {
    lifecycle.enter();
    try {
      return lifecycle.closed() ? 0 : shardCountOpen();
    } finally {
      lifecycle.exit();
    }
  }

  private long shardCountOpen() {
    long count = 0;
    long lastSegment = -1;
    int lastShard = -1;
    try (var it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (it.key().length != KEY_BYTES) {
          continue; // the recorded page size
        }
        ByteBuffer k = ByteBuffer.wrap(it.key());
        long segment = k.getLong();
        int shard = k.get() & 0xff;
        if (segment != lastSegment || shard != lastShard) {
          count++;
          lastSegment = segment;
          lastShard = shard;
        }
      }
    }
    return count;
  }

  @Override
  public Path path() {
    return directory.path();
  }

  @Override
  public void close() {
    if (!lifecycle.markClosed()) {
      return;
    }
    syncWrites.close();
    db.close();
    options.close();
  }

  private static byte[] key(long segmentId, int shardIndex, int page) {
    return ByteBuffer.allocate(KEY_BYTES).putLong(segmentId).put((byte) shardIndex).putInt(page)
        .array();
  }
}
