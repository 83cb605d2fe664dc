package io.cairn.node.meta;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The node's metadata database (RocksDB): the volume catalog, and for each volume it leads its
 * block map, chunk table, dedup index, journal and segment table.
 *
 * <p>Every change is a {@link WriteBatch} written with the WAL synced ({@link #commit}): one batch
 * is one journal record, atomic and durable when commit returns. Blocking — call it from the I/O
 * dispatcher only.
 */
public final class MetaStore implements AutoCloseable {

  static {
    RocksDB.loadLibrary();
  }

  /** The column families, one per table. Keys are big-endian so that prefixes scan in order. */
  /** Block cache shared by the metadata tables. */
  private static final long METADATA_CACHE_BYTES = 64L << 20;
  /** Memtable of the journal table (up to four of them fill while one flushes). */
  private static final long JOURNAL_MEMTABLE_BYTES = 64L << 20;
  /** Memtable of the dedup index (see {@link #open}). */
  private static final long DEDUP_MEMTABLE_BYTES = 8L << 20;
  /** Journal payloads at least this large go to blob files when flushed (see {@link #open}). */
  private static final long JOURNAL_MIN_BLOB_BYTES = 512;
  /** Bound on the write-ahead log files kept (see {@link #open}). */
  private static final long MAX_WAL_BYTES = 256L << 20;

  public enum Table {
    /** "next-id" counters. */
    COUNTERS,
    /** volume name → VolumeEntry (protobuf). */
    CATALOG,
    /** volume id → VolumeState (protobuf). */
    VOLUME_STATE,
    /** (volume id, block index) → chunk number. */
    BLOCK_MAP,
    /** (volume id, chunk number) → chunk record. */
    CHUNKS,
    /** (volume id, fingerprint) → chunk number, for volumes with dedup. */
    DEDUP,
    /** (volume id, chunk number) → chunk payload, until the chunk is sealed into a segment. */
    JOURNAL,
    /** (volume id, segment id) → SegmentRecord (protobuf). */
    SEGMENTS,
    /**
     * (segment id, 0) → the numbers of the chunks placed in the segment when it was recorded
     * (ChunkList); the chunk table says which are still there. Segments of the first format
     * have (segment id, chunk number) → empty instead, one row per chunk it holds.
     */
    SEGMENT_CHUNKS;

    String cfName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final DBOptions dbOptions;
  /** Column family options and what they hold (block cache, filter): closed with the store. */
  private final List<AutoCloseable> cfResources;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final Map<Table, ColumnFamilyHandle> byTable = new EnumMap<>(Table.class);
  private final WriteOptions sync = new WriteOptions().setSync(true);
  /** After close, calls fail with {@link RocksDBException} instead of crashing the JVM. */
  private final RocksLifecycle lifecycle = new RocksLifecycle();

  private MetaStore(DBOptions dbOptions, List<AutoCloseable> cfResources, RocksDB db,
      List<ColumnFamilyHandle> handles) {
    this.dbOptions = dbOptions;
    this.cfResources = cfResources;
    this.db = db;
    this.handles = handles;
    for (Table t : Table.values()) {
      byTable.put(t, handles.get(t.ordinal() + 1));
    }
  }

  public static MetaStore open(Path directory) throws RocksDBException, java.io.IOException {
    Files.createDirectories(directory);
    // Flushes and compactions write back as they go (bytes-per-sync) instead of leaving it all
    // to one big writeback that the next synced commit would queue behind.
    DBOptions dbOptions = new DBOptions().setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true).setKeepLogFileNum(2)
        .setMaxBackgroundJobs(4).setBytesPerSync(1 << 20)
        // A log file is kept until every table with rows in it has flushed. The small tables
        // fill their memtables slowly, so without a bound the logs of a busy journal pile up
        // (measured: 1 GiB of them after 20 s of sequential writes), and so would the replay
        // after a crash. Past the bound RocksDB flushes the tables that hold the oldest log.
        .setMaxTotalWalSize(MAX_WAL_BYTES);
    // Metadata tables: point lookups on every write and read. A shared block cache, and bloom
    // filters so that a lookup of an absent key (a new fingerprint, an unwritten block) does not
    // read a data block.
    LRUCache blockCache = new LRUCache(METADATA_CACHE_BYTES);
    BloomFilter bloom = new BloomFilter(10);
    ColumnFamilyOptions tables = new ColumnFamilyOptions()
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache)
            .setFilterPolicy(bloom).setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true))
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        // Most lookups on the write path miss (a new fingerprint, a block never written): a
        // bloom filter over each memtable answers those without walking its skip list.
        .setMemtablePrefixBloomSizeRatio(0.1).setMemtableWholeKeyFiltering(true);
    // The dedup index: its keys are fingerprints, random, so each insert walks the memtable's
    // skip list from the top, a cache miss per level; with the default 64 MiB memtable (about
    // 800,000 rows) those inserts were half of a 1 MiB write's record. A small memtable keeps
    // the walk short and mostly in cache; lookups of flushed rows are answered by bloom filters.
    ColumnFamilyOptions dedupTable = new ColumnFamilyOptions(tables)
        .setWriteBufferSize(DEDUP_MEMTABLE_BYTES);
    // The journal: chunk payloads, already compressed and encrypted (compressing them again
    // wastes CPU), each deleted again once sealed. Large memtables let the put and the delete
    // meet in memory, so that a payload seldom reaches a table file at all. When sealing falls
    // behind (sustained large writes) payloads do reach table files: they go to blob files
    // (key-value separation), so that compaction moves keys and blob references only, never
    // the payloads again (measured with them inline: flush and compaction of the journal took
    // about a third of the node's CPU under sustained 1 MiB writes).
    ColumnFamilyOptions journal = new ColumnFamilyOptions()
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache)
            .setFilterPolicy(bloom))
        .setCompressionType(CompressionType.NO_COMPRESSION)
        .setWriteBufferSize(JOURNAL_MEMTABLE_BYTES).setMaxWriteBufferNumber(4)
        .setEnableBlobFiles(true).setMinBlobSize(JOURNAL_MIN_BLOB_BYTES)
        .setBlobCompressionType(CompressionType.NO_COMPRESSION)
        .setEnableBlobGarbageCollection(true);
    List<AutoCloseable> resources = List.of(tables, dedupTable, journal, bloom, blockCache);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, tables));
    for (Table t : Table.values()) {
      descriptors.add(new ColumnFamilyDescriptor(t.cfName().getBytes(),
          t == Table.JOURNAL ? journal : t == Table.DEDUP ? dedupTable : tables));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
      return new MetaStore(dbOptions, resources, db, handles);
    } catch (RocksDBException e) {
      closeAll(resources);
      dbOptions.close();
      throw e;
    }
  }

  public ColumnFamilyHandle cf(Table table) {
    return byTable.get(table);
  }

  public byte[] get(Table table, byte[] key) throws RocksDBException {
    return whileOpen(() -> db.get(cf(table), key));
  }

  /**
   * The values of many keys of one table in one call (null where absent), in the keys' order.
   * One native call for a whole journal record's lookups instead of one per key.
   */
  public List<byte[]> multiGet(Table table, List<byte[]> keys) throws RocksDBException {
    if (keys.isEmpty()) {
      return List.of();
    }
    return whileOpen(() -> db.multiGetAsList(Collections.nCopies(keys.size(), cf(table)), keys));
  }

  /** Writes a batch atomically with the WAL synced: durable when this returns. */
  public void commit(WriteBatch batch) throws RocksDBException {
    whileOpen(() -> {
      db.write(sync, batch);
      return null;
    });
  }

  /** A call into RocksDB. */
  @FunctionalInterface
  public interface RocksCall<T> {
    T call() throws RocksDBException;
  }

  /**
   * Runs {@code call} unless the store is closed, and keeps it from closing meanwhile. Callers
   * that build a {@link WriteBatch} use it around building and committing: a batch's puts take
   * the column family handles, and a handle used after close is a native crash (seen when a seal
   * was still recording its segment as the node shut down). Re-entrant: the calls inside it
   * take the same guard again.
   */
  public <T> T whileOpen(RocksCall<T> call) throws RocksDBException {
    lifecycle.enter();
    try {
      if (lifecycle.closed()) {
        throw new RocksDBException("the metadata store is closed");
      }
      return call.call();
    } finally {
      lifecycle.exit();
    }
  }

  /** Visits every (key, value) of {@code table} whose key starts with {@code prefix}, in order. */
  public void scan(Table table, byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
    scan(table, prefix, Long.MAX_VALUE, (k, v) -> {
      visitor.accept(k, v);
      return true;
    });
  }

  /** Like {@link #scan(Table, byte[], BiConsumer)}, stopping when the visitor returns false. */
  public void scan(Table table, byte[] prefix, long limit, Visitor visitor) {
    scanFrom(table, prefix, prefix, limit, visitor);
  }

  /**
   * Like {@link #scan(Table, byte[], long, Visitor)}, but starting at {@code from} (a key with
   * this prefix, or before it). A caller that knows no live key lies below {@code from} uses it
   * to seek past deleted rows: RocksDB steps over every tombstone between the seek key and the
   * first live key, so a scan of a table that is appended at one end and trimmed at the other
   * (the journal) costs time proportional to everything ever trimmed unless it starts later.
   */
  public void scanFrom(Table table, byte[] prefix, byte[] from, long limit, Visitor visitor) {
    lifecycle.enter();
    try {
      if (lifecycle.closed()) {
        throw new IllegalStateException("the metadata store is closed");
      }
      scanOpen(table, prefix, from, limit, visitor);
    } finally {
      lifecycle.exit();
    }
  }

  private void scanOpen(Table table, byte[] prefix, byte[] from, long limit, Visitor visitor) {
    byte[] upper = upperBound(prefix);
    try (Slice bound = upper == null ? null : new Slice(upper);
        ReadOptions options = new ReadOptions()) {
      if (bound != null) {
        options.setIterateUpperBound(bound);
      }
      try (RocksIterator it = db.newIterator(cf(table), options)) {
        long seen = 0;
        for (it.seek(from); it.isValid() && seen < limit; it.next(), seen++) {
          if (!visitor.visit(it.key(), it.value())) {
            return;
          }
        }
      }
    }
  }

  /** A scan's callback; returning false stops the scan. */
  @FunctionalInterface
  public interface Visitor {
    boolean visit(byte[] key, byte[] value);
  }

  /** Bytes of the database's files, for status. */
  public long approximateBytes() {
    try {
      return Long.parseLong(db.getProperty("rocksdb.total-sst-files-size"))
          + Long.parseLong(db.getProperty("rocksdb.size-all-mem-tables"));
    } catch (RocksDBException | NumberFormatException e) {
      return 0;
    }
  }

  /** The smallest key greater than every key with this prefix, or null if there is none. */
  static byte[] upperBound(byte[] prefix) {
    byte[] upper = prefix.clone();
    for (int i = upper.length - 1; i >= 0; i--) {
      if (upper[i] != (byte) 0xff) {
        upper[i]++;
        return java.util.Arrays.copyOf(upper, i + 1);
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (!lifecycle.markClosed()) {
      return;
    }
    sync.close();
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    closeAll(cfResources);
    dbOptions.close();
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // native handles: close cannot fail in a way that matters here
      }
    }
  }
}
