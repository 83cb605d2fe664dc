package io.cairn.offload.pipeline;

import io.cairn.offload.ec.ErasureArgumentException;
import io.cairn.offload.ec.ErasureArgumentException.Problem;
import java.util.Arrays;

/**
 * What a sealed segment's shards need remembered next to them (in the segment table): the
 * segment's true length, the length of every shard, and each shard's CRC32C over its whole
 * {@code shardBytes}. Immutable.
 */
public final class SegmentShards {

  private final int segmentBytes;
  private final int shardBytes;
  private final int[] shardCrc32c;

  /**
   * @param segmentBytes the segment's length before padding
   * @param shardBytes every shard's length: ceil(segmentBytes / k)
   * @param shardCrc32c one CRC32C per shard, data shards first; copied
   */
  public SegmentShards(int segmentBytes, int shardBytes, int[] shardCrc32c) {
    if (segmentBytes < 0) {
      throw new ErasureArgumentException("segmentBytes", Problem.OUT_OF_RANGE, segmentBytes + " < 0");
    }
    if (shardBytes < 0) {
      throw new ErasureArgumentException("shardBytes", Problem.OUT_OF_RANGE, shardBytes + " < 0");
    }
    if (shardCrc32c == null) {
      throw new ErasureArgumentException("shardCrc32c", Problem.NULL, "null array");
    }
    this.segmentBytes = segmentBytes;
    this.shardBytes = shardBytes;
    this.shardCrc32c = shardCrc32c.clone();
  }

  public int segmentBytes() {
    return segmentBytes;
  }

  public int shardBytes() {
    return shardBytes;
  }

  /** k + m. */
  public int shardCount() {
    return shardCrc32c.length;
  }

  /** The CRC32C of shard {@code shardIndex}'s whole {@link #shardBytes()} bytes. */
  public int crc32c(int shardIndex) {
    return shardCrc32c[shardIndex];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SegmentShards that
        && segmentBytes == that.segmentBytes
        && shardBytes == that.shardBytes
        && Arrays.equals(shardCrc32c, that.shardCrc32c);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * segmentBytes + shardBytes) + Arrays.hashCode(shardCrc32c);
  }

  @Override
  public String toString() {
    return "SegmentShards[segmentBytes=" + segmentBytes + ", shardBytes=" + shardBytes
        + ", shards=" + shardCrc32c.length + "]";
  }
}
