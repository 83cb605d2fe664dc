package io.cairn.offload.ec;

import io.cairn.offload.ec.ErasureArgumentException.Problem;
import java.nio.ByteBuffer;

/**
 * Every argument check of the erasure coder, in one place, so the kernels can run unchecked.
 * Each failure is an {@link ErasureArgumentException} naming the argument as the public method
 * calls it. A shard's region is its buffer's [position, limit); positions are never moved.
 */
final class ShardChecks {

  private ShardChecks() {}

  static void code(int dataShards, int parityShards) {
    if (dataShards < 1 || dataShards > ReedSolomon.TOTAL_SHARDS_MAX) {
      throw new ErasureArgumentException("dataShards", Problem.OUT_OF_RANGE,
          dataShards + " not in 1.." + ReedSolomon.TOTAL_SHARDS_MAX);
    }
    if (parityShards < 0 || dataShards + parityShards > ReedSolomon.TOTAL_SHARDS_MAX) {
      throw new ErasureArgumentException("parityShards", Problem.OUT_OF_RANGE,
          parityShards + " not in 0.." + (ReedSolomon.TOTAL_SHARDS_MAX - dataShards)
              + " for " + dataShards + " data shards");
    }
  }

  static void positive(String argument, int value) {
    if (value < 1) {
      throw new ErasureArgumentException(argument, Problem.OUT_OF_RANGE, value + " < 1");
    }
  }

  static void shardArray(ByteBuffer[] shards, int totalShards) {
    if (shards == null) {
      throw new ErasureArgumentException("shards", Problem.NULL, "null array");
    }
    if (shards.length != totalShards) {
      throw new ErasureArgumentException("shards", Problem.WRONG_COUNT,
          shards.length + " buffers, code has " + totalShards + " shards");
    }
  }

  static void presentArray(boolean[] present, int totalShards) {
    if (present == null) {
      throw new ErasureArgumentException("present", Problem.NULL, "null array");
    }
    if (present.length != totalShards) {
      throw new ErasureArgumentException("present", Problem.WRONG_COUNT,
          present.length + " flags, code has " + totalShards + " shards");
    }
  }

  static void shardIndex(String argument, int index, int totalShards) {
    if (index < 0 || index >= totalShards) {
      throw new ErasureArgumentException(argument, Problem.OUT_OF_RANGE,
          index + " not in 0.." + (totalShards - 1));
    }
  }

  /**
   * A region to read: non-null, and when lengthBytes >= 0, exactly that long.
   *
   * @return the region's length in bytes
   */
  static int readable(String argument, ByteBuffer buffer, int lengthBytes) {
    if (buffer == null) {
      throw new ErasureArgumentException(argument, Problem.NULL, "null buffer");
    }
    int remaining = buffer.remaining();
    if (lengthBytes >= 0 && remaining != lengthBytes) {
      throw new ErasureArgumentException(argument, Problem.WRONG_LENGTH,
          remaining + " bytes remaining, other shards have " + lengthBytes);
    }
    return remaining;
  }

  /** A region to write: readable's checks, and not read-only. */
  static void writable(String argument, ByteBuffer buffer, int lengthBytes) {
    readable(argument, buffer, lengthBytes);
    if (buffer.isReadOnly()) {
      throw new ErasureArgumentException(argument, Problem.READ_ONLY, "read-only buffer");
    }
  }

  static String shard(int index) {
    return "shards[" + index + "]";
  }
}
