package io.cairn.offload.pipeline;

import io.cairn.offload.ec.TooManyErasuresException;

/**
 * A range of a segment cannot be read: the data shard holding it is unavailable and fewer than k
 * other shards could be read to rebuild it. Carries the range and which shards failed; the cause
 * is the {@link TooManyErasuresException} of the decoder.
 */
public final class SegmentUnreadableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int offset;
  private final int lengthBytes;
  private final long unavailableShards;

  SegmentUnreadableException(int offset, int lengthBytes, long unavailableShards,
      TooManyErasuresException cause) {
    super("segment bytes [" + offset + ", " + (offset + lengthBytes) + ") unreadable: shards "
        + java.util.BitSet.valueOf(new long[] {unavailableShards}) + " missing or corrupt", cause);
    this.offset = offset;
    this.lengthBytes = lengthBytes;
    this.unavailableShards = unavailableShards;
  }

  /** First byte of the piece that could not be read, in segment coordinates. */
  public int offset() {
    return offset;
  }

  public int lengthBytes() {
    return lengthBytes;
  }

  /** Bit i set: shard i was reported missing or corrupt (or failed its CRC) during this read. */
  public long unavailableShards() {
    return unavailableShards;
  }
}
