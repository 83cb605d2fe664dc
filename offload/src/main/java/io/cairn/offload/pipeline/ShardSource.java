package io.cairn.offload.pipeline;

import java.nio.ByteBuffer;

/**
 * Where {@link SegmentCodec#read} gets shard bytes from, one range at a time and only when it
 * needs them: the node implements it over its stores (RocksDB, the fabric), tests over arrays or
 * a fault-injecting twin.
 *
 * <p>The codec asks for the data shards that hold a range first and for other shards only when
 * one of those is unavailable, so a healthy read touches one or two shards.
 */
@FunctionalInterface
public interface ShardSource {

  /**
   * Copies bytes [fromByte, fromByte + out.remaining()) of shard {@code shardIndex} into
   * {@code out}, starting at its position.
   *
   * <p>Returns false when the shard is missing (store lost, node unreachable) or corrupt (its
   * store's checksum failed); the codec then reconstructs the range from other shards, and the
   * content of {@code out} is ignored. A source should verify what it can (a store typically
   * checks the shard's CRC32C, {@link SegmentShards#crc32c}); the codec itself re-checks the CRC
   * whenever a whole shard is read.
   *
   * @return true if out now holds the requested bytes
   */
  boolean read(int shardIndex, int fromByte, ByteBuffer out);
}
