package io.cairn.node.store;

import java.nio.ByteBuffer;

/**
 * A store of shards: in production one disk. Blocking calls — run them on the I/O dispatcher,
 * never on an actor's thread.
 *
 * <p>Guarantees: {@link #put} returns only once the shard is durable (synced); {@link #read}
 * never returns bytes it has not verified against the checksum they were written with — a
 * missing or corrupt range reads as {@code false}, never as wrong bytes. A fault-injecting twin
 * implements the same interface for tests.
 */
public interface ShardStore extends AutoCloseable {

  /** The store's cluster-wide id, e.g. "node-1/store-3". */
  String id();

  /** Stores a whole shard durably, replacing any shard of the same key. */
  void put(long segmentId, int shardIndex, ByteBuffer shard) throws StoreException;

  /**
   * Copies shard bytes [fromByte, fromByte + out.remaining()) into {@code out} at its position.
   *
   * @return false when the shard or part of the range is missing or fails its checksum (counted
   *     as a read error); {@code out}'s content is then undefined
   */
  boolean read(long segmentId, int shardIndex, int fromByte, ByteBuffer out);

  /** Removes a shard; removing an absent shard is not an error. */
  void delete(long segmentId, int shardIndex) throws StoreException;

  /** Whether the store is usable: false once it has failed (its disk is gone or unwritable). */
  boolean healthy();

  /** Bytes the store's files take on disk. */
  long usedBytes();

  /** Bytes still free on the store's file system. */
  long freeBytes();

  /** Size of the store's file system. */
  long capacityBytes();

  /** Reads that failed or found corrupt data since start. */
  long readErrors();

  /** Writes that failed since start. */
  long writeErrors();

  /** Shards the store holds (a scan: for status, not the data path). */
  long shardCount();

  /** The store's directory. */
  java.nio.file.Path path();

  @Override
  void close();

  /** A store operation that failed; the store and the reason are in the message. */
  final class StoreException extends Exception {
    private final String storeId;

    public StoreException(String storeId, String message, Throwable cause) {
      super(storeId + ": " + message, cause);
      this.storeId = storeId;
    }

    public String storeId() {
      return storeId;
    }
  }
}
