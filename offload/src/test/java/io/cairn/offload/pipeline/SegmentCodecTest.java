package io.cairn.offload.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.offload.ec.ErasureArgumentException;
import io.cairn.offload.ec.ErasureArgumentException.Problem;
import io.cairn.offload.ec.ReedSolomon;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SegmentCodecTest {

  private static final int SEGMENT_BYTES_MAX = 1 << 20;

  private final SegmentCodec codec = new SegmentCodec(ReedSolomon.create(10, 4),
      SEGMENT_BYTES_MAX);

  /** The layout recorded by the last {@link #encode}. */
  private SegmentShards layout;

  /**
   * Shards kept in memory, with a fault-injecting side: shards can be made missing, reported
   * corrupt, or silently corrupt (wrong bytes, reported fine). Records every range it served.
   */
  private static final class MemoryShards implements ShardSource {
    final ByteBuffer[] shards;
    final Set<Integer> missing = new HashSet<>();
    final Set<Integer> silentlyCorrupt = new HashSet<>();
    final List<int[]> served = new ArrayList<>();

    MemoryShards(ByteBuffer[] shards) {
      this.shards = shards;
    }

    @Override
    public boolean read(int shardIndex, int fromByte, ByteBuffer out) {
      if (missing.contains(shardIndex)) {
        return false;
      }
      int lengthBytes = out.remaining();
      served.add(new int[] {shardIndex, fromByte, lengthBytes});
      out.put(shards[shardIndex].slice(fromByte, lengthBytes));
      if (silentlyCorrupt.contains(shardIndex)) {
        out.put(out.position() - 1, (byte) (out.get(out.position() - 1) ^ 1));
      }
      return true;
    }

    Set<Integer> shardsServed() {
      Set<Integer> indices = new HashSet<>();
      served.forEach(range -> indices.add(range[0]));
      return indices;
    }
  }

  private MemoryShards encode(byte[] segment) {
    int shardBytes = codec.shardBytes(segment.length);
    ByteBuffer[] shards = new ByteBuffer[14];
    for (int i = 0; i < shards.length; i++) {
      shards[i] = ByteBuffer.allocateDirect(shardBytes);
    }
    layout = codec.encode(ByteBuffer.wrap(segment), shards);
    return new MemoryShards(shards);
  }

  private static byte[] random(int lengthBytes, long seed) {
    byte[] bytes = new byte[lengthBytes];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private byte[] read(MemoryShards source, int offset, int lengthBytes) {
    ByteBuffer out = ByteBuffer.allocate(lengthBytes + 2).position(1);
    codec.read(layout, source, offset, lengthBytes, out);
    assertThat(out.position()).isEqualTo(1);
    return Arrays.copyOfRange(out.array(), 1, 1 + lengthBytes);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 9, 10, 11, 4095, 100_003, SEGMENT_BYTES_MAX})
  void segmentOfAnyLengthRoundTripsAndRecordsItsLength(int segmentBytes) {
    byte[] segment = random(segmentBytes, segmentBytes);
    MemoryShards source = encode(segment);
    assertThat(layout.segmentBytes()).isEqualTo(segmentBytes);
    assertThat(layout.shardBytes()).isEqualTo((segmentBytes + 9) / 10);
    assertThat(read(source, 0, segmentBytes)).isEqualTo(segment);
    for (int i = 0; i < 14; i++) {
      CRC32C crc = new CRC32C();
      crc.update(source.shards[i].duplicate());
      assertThat((int) crc.getValue()).as("crc of shard %d", i).isEqualTo(layout.crc32c(i));
      assertThat(codec.shardIntact(layout, i, source.shards[i])).isTrue();
    }
    assertThat(codec.code().verify(source.shards)).isTrue();
  }

  /**
   * encodeSharing gives the shards and layout encode gives, copying only what it must: the data
   * shards wholly inside the segment are views of it; the last, padded one and the parity shards
   * are new. The segment may sit at any offset of its array, and be read-only.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 9, 10, 11, 20, 4095, 100_003, SEGMENT_BYTES_MAX})
  void sharingEncodeMatchesEncodeAndCopiesOnlyWhatItMust(int segmentBytes) {
    byte[] segment = random(segmentBytes, segmentBytes + 1);
    MemoryShards copied = encode(segment);
    byte[] held = new byte[segmentBytes + 13];
    System.arraycopy(segment, 0, held, 5, segmentBytes);
    ByteBuffer view = ByteBuffer.wrap(held, 5, segmentBytes);

    ByteBuffer[] shared = new ByteBuffer[14];
    SegmentShards sharedLayout = codec.encodeSharing(view, shared);
    ByteBuffer[] fromReadOnly = new ByteBuffer[14];
    SegmentShards readOnlyLayout = codec.encodeSharing(view.asReadOnlyBuffer(), fromReadOnly);

    assertThat(view.position()).isEqualTo(5);
    assertThat(view.limit()).isEqualTo(5 + segmentBytes);
    int shardBytes = layout.shardBytes();
    for (SegmentShards l : List.of(sharedLayout, readOnlyLayout)) {
      assertThat(l.segmentBytes()).isEqualTo(segmentBytes);
      assertThat(l.shardBytes()).isEqualTo(shardBytes);
      for (int i = 0; i < 14; i++) {
        assertThat(l.crc32c(i)).as("crc of shard %d", i).isEqualTo(layout.crc32c(i));
      }
    }
    for (int i = 0; i < 14; i++) {
      for (ByteBuffer[] shards : List.of(shared, fromReadOnly)) {
        assertThat(shards[i].position()).isZero();
        assertThat(shards[i].remaining()).isEqualTo(shardBytes);
        assertThat(shards[i]).as("shard %d", i).isEqualTo(copied.shards[i]);
      }
      boolean inside = i < 10 && (i + 1) * shardBytes <= segmentBytes;
      assertThat(shared[i].hasArray() && shared[i].array() == held)
          .as("shard %d is a view of the segment", i).isEqualTo(inside);
    }
  }

  @Test
  void dataShardsHoldTheSegmentInOrderThenZeroPadding() {
    byte[] segment = random(95, 1);
    MemoryShards source = encode(segment);
    assertThat(layout.shardBytes()).isEqualTo(10);
    byte[] shard9 = new byte[10];
    source.shards[9].get(0, shard9);
    assertThat(Arrays.copyOf(shard9, 5)).isEqualTo(Arrays.copyOfRange(segment, 90, 95));
    assertThat(Arrays.copyOfRange(shard9, 5, 10)).containsOnly(0);
  }

  @Test
  void healthyRangeReadTouchesOnlyTheShardHoldingItAndOnlyThoseBytes() {
    byte[] segment = random(SEGMENT_BYTES_MAX, 2);
    MemoryShards source = encode(segment);
    int shardBytes = layout.shardBytes();
    int offset = 3 * shardBytes + 5000;
    assertThat(read(source, offset, 4096)).isEqualTo(Arrays.copyOfRange(segment, offset,
        offset + 4096));
    assertThat(source.served).hasSize(1);
    assertThat(source.served.get(0)).containsExactly(3, 5000, 4096);
  }

  @Test
  void rangeAcrossAShardBoundaryReadsJustTheTwoShards() {
    byte[] segment = random(SEGMENT_BYTES_MAX, 3);
    MemoryShards source = encode(segment);
    int offset = 5 * layout.shardBytes() - 100;
    assertThat(read(source, offset, 300)).isEqualTo(Arrays.copyOfRange(segment, offset,
        offset + 300));
    assertThat(source.served).extracting(r -> r[0]).containsExactly(4, 5);
  }

  @Test
  void missingShardIsRebuiltFromTheSameRangeOfKOtherShards() {
    byte[] segment = random(SEGMENT_BYTES_MAX, 4);
    MemoryShards source = encode(segment);
    source.missing.add(3);
    int offset = 3 * layout.shardBytes() + 777;
    assertThat(read(source, offset, 4096)).isEqualTo(Arrays.copyOfRange(segment, offset,
        offset + 4096));
    assertThat(source.served).hasSize(10);
    assertThat(source.served).allSatisfy(range -> {
      assertThat(range[1]).isEqualTo(777);
      assertThat(range[2]).isEqualTo(4096);
    });
    assertThat(source.shardsServed()).doesNotContain(3).hasSize(10);
  }

  @Test
  void lossOfFourShardsIncludingTheOneReadStillReads() {
    byte[] segment = random(200_000, 5);
    MemoryShards source = encode(segment);
    source.missing.addAll(List.of(0, 2, 7, 11));
    assertThat(read(source, 0, 200_000)).isEqualTo(segment);
  }

  @Test
  void wholeShardThatFailsItsCrcIsTreatedAsCorruptAndRebuilt() {
    byte[] segment = random(10_000, 6);
    MemoryShards source = encode(segment);
    source.silentlyCorrupt.add(4);
    int shardBytes = layout.shardBytes();
    assertThat(read(source, 4 * shardBytes, shardBytes))
        .isEqualTo(Arrays.copyOfRange(segment, 4 * shardBytes, 5 * shardBytes));
    ByteBuffer corrupt = ByteBuffer.allocate(shardBytes);
    source.read(4, 0, corrupt);
    assertThat(codec.shardIntact(layout, 4, corrupt.flip())).isFalse();
  }

  @Test
  void moreThanMUnavailableShardsIsATypedErrorNamingThem() {
    byte[] segment = random(10_000, 7);
    MemoryShards source = encode(segment);
    source.missing.addAll(List.of(1, 3, 5, 12, 13));
    assertThatThrownBy(() -> read(source, 1500, 10))
        .isInstanceOfSatisfying(SegmentUnreadableException.class, e -> {
          assertThat(e.offset()).isEqualTo(1500);
          assertThat(e.lengthBytes()).isEqualTo(10);
          assertThat(e.unavailableShards())
              .isEqualTo((1L << 1) | (1L << 3) | (1L << 5) | (1L << 12) | (1L << 13));
        });
  }

  /** Random segments, ranges and losses of up to m shards, seeded. */
  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
  void randomRangesUnderRandomLossesReadTheOriginalBytes(long seed) {
    Random random = new Random(seed);
    byte[] segment = random(1 + random.nextInt(300_000), seed);
    MemoryShards source = encode(segment);
    int losses = random.nextInt(5);
    while (source.missing.size() < losses) {
      source.missing.add(random.nextInt(14));
    }
    for (int round = 0; round < 20; round++) {
      int offset = random.nextInt(segment.length + 1);
      int lengthBytes = random.nextInt(Math.min(70_000, segment.length - offset) + 1);
      assertThat(read(source, offset, lengthBytes)).as("[%d,+%d)", offset, lengthBytes)
          .isEqualTo(Arrays.copyOfRange(segment, offset, offset + lengthBytes));
    }
  }

  private static void rejects(Runnable call, String argument, Problem problem) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(ErasureArgumentException.class, e -> {
      assertThat(e.argument()).isEqualTo(argument);
      assertThat(e.problem()).isEqualTo(problem);
    });
  }

  @Test
  void badArgumentsAreNamed() {
    MemoryShards source = encode(random(1000, 8));
    ByteBuffer out = ByteBuffer.allocate(100);
    rejects(() -> codec.read(layout, source, -1, 1, out), "offset", Problem.OUT_OF_RANGE);
    rejects(() -> codec.read(layout, source, 950, 51, out), "lengthBytes", Problem.OUT_OF_RANGE);
    rejects(() -> codec.read(layout, source, 0, 101, out), "out", Problem.WRONG_LENGTH);
    rejects(() -> codec.read(layout, source, 0, 1, out.asReadOnlyBuffer()), "out",
        Problem.READ_ONLY);
    rejects(() -> codec.read(layout, null, 0, 1, out), "source", Problem.NULL);
    rejects(() -> codec.read(new SegmentShards(1000, 100, new int[6]), source, 0, 1, out),
        "layout", Problem.WRONG_COUNT);
    rejects(() -> codec.read(new SegmentShards(1000, 99, new int[14]), source, 0, 1, out),
        "layout", Problem.WRONG_LENGTH);
    rejects(() -> codec.encode(ByteBuffer.allocate(SEGMENT_BYTES_MAX + 1), new ByteBuffer[14]),
        "segment", Problem.WRONG_LENGTH);
    ByteBuffer[] shards = new ByteBuffer[14];
    Arrays.setAll(shards, i -> ByteBuffer.allocate(100));
    shards[13] = ByteBuffer.allocate(99);
    rejects(() -> codec.encode(ByteBuffer.allocate(1000), shards), "shardsOut[13]",
        Problem.WRONG_LENGTH);
    rejects(() -> codec.encode(ByteBuffer.allocate(1000), new ByteBuffer[13]), "shardsOut",
        Problem.WRONG_COUNT);
    rejects(() -> codec.encodeSharing(null, new ByteBuffer[14]), "segment", Problem.NULL);
    rejects(() -> codec.encodeSharing(ByteBuffer.allocate(1000), null), "shardsOut",
        Problem.NULL);
    rejects(() -> codec.encodeSharing(ByteBuffer.allocate(1000), new ByteBuffer[15]),
        "shardsOut", Problem.WRONG_COUNT);
    rejects(() -> codec.encodeSharing(ByteBuffer.allocate(SEGMENT_BYTES_MAX + 1),
        new ByteBuffer[14]), "segment", Problem.WRONG_LENGTH);
    rejects(() -> new SegmentCodec(ReedSolomon.create(4, 2), 0), "segmentBytesMax",
        Problem.OUT_OF_RANGE);
  }
}
