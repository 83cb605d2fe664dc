package io.cairn.offload.ec;

import java.nio.ByteBuffer;
import java.util.Random;

/** Test fixtures: stripes of random shards in heap or direct buffers, at non-zero positions. */
final class Shards {

  private Shards() {}

  /**
   * k + m buffers of shardBytes each, data random from the seed, parity zero; every region starts
   * at a seeded offset inside a larger buffer, to catch code that assumes position 0.
   */
  static ByteBuffer[] stripe(int k, int m, int shardBytes, boolean direct, long seed) {
    Random random = new Random(seed);
    ByteBuffer[] shards = new ByteBuffer[k + m];
    for (int i = 0; i < shards.length; i++) {
      int lead = random.nextInt(8);
      ByteBuffer buffer = direct
          ? ByteBuffer.allocateDirect(lead + shardBytes + 5)
          : ByteBuffer.allocate(lead + shardBytes + 5);
      buffer.position(lead).limit(lead + shardBytes);
      if (i < k) {
        byte[] data = new byte[shardBytes];
        random.nextBytes(data);
        buffer.duplicate().put(data);
      }
      shards[i] = buffer;
    }
    return shards;
  }

  static byte[][] copy(ByteBuffer[] shards) {
    byte[][] copy = new byte[shards.length][];
    for (int i = 0; i < shards.length; i++) {
      copy[i] = SlowGf.bytes(shards[i]);
    }
    return copy;
  }

  /** Overwrites a region with a junk pattern, so a decode that writes nothing is caught. */
  static void smash(ByteBuffer buffer) {
    for (int p = buffer.position(); p < buffer.limit(); p++) {
      buffer.put(p, (byte) 0xA5);
    }
  }
}
