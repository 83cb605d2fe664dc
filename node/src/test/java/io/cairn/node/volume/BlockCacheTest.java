package io.cairn.node.volume;

import static io.cairn.node.volume.VolumeRig.array;
import static io.cairn.node.volume.VolumeRig.await;
import static io.cairn.node.volume.VolumeRig.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The block cache never shows a block older than its newest acknowledged write, and what it
 * shows is what the stores hold: reads with the cache on, racing writes, trims and zeroes, are
 * checked against a model, then against the same volume reopened with the cache off.
 */
class BlockCacheTest {

  private static final int MiB = 1 << 20;
  private static final int BLOCK = 4096;

  @TempDir Path dir;

  private static VolumeRig rig(Path dir, String cacheBytes) throws Exception {
    return new VolumeRig(dir, VolumeRig.component("cairn.volume.cache-bytes = " + cacheBytes));
  }

  @Test
  void aCachedBlockIsReplacedByAWriteAndForgottenByTrim() {
    BlockCache cache = new BlockCache(MiB);
    long stamp = cache.stamp(1, 7);
    cache.fill(1, 7, stamp, ByteBuffer.wrap(new byte[] {1}));
    assertThat(cache.get(1, 7).get(0)).isEqualTo((byte) 1);

    cache.written(1, 7, ByteBuffer.wrap(new byte[] {2}));
    assertThat(cache.get(1, 7).get(0)).isEqualTo((byte) 2);
    cache.written(1, 7, null);
    assertThat(cache.get(1, 7)).isNull();
    assertThat(cache.get(2, 7)).isNull(); // blocks are per volume
  }

  @Test
  void aReadThatRacedAWriteDoesNotFillTheCacheWithWhatItRead() {
    BlockCache cache = new BlockCache(MiB);
    long before = cache.stamp(1, 7);
    // The reader looked the block up, then a write of it became durable, then the reader
    // offers what it read: older than the write, so it must not be kept.
    cache.written(1, 7, ByteBuffer.wrap(new byte[] {2}));
    cache.fill(1, 7, before, ByteBuffer.wrap(new byte[] {1}));
    assertThat(cache.get(1, 7).get(0)).isEqualTo((byte) 2);

    cache.written(1, 7, null);
    cache.fill(1, 7, before, ByteBuffer.wrap(new byte[] {1}));
    assertThat(cache.get(1, 7)).isNull();
  }

  @Test
  void aZeroSizedCacheHoldsNothing() {
    BlockCache cache = new BlockCache(0);
    cache.written(1, 7, ByteBuffer.wrap(new byte[] {2}));
    cache.fill(1, 8, cache.stamp(1, 8), ByteBuffer.wrap(new byte[] {1}));
    assertThat(cache.get(1, 7)).isNull();
    assertThat(cache.get(1, 8)).isNull();
  }

  /** Cache sizes: holds everything; holds about a tenth of the volume (evicting all the time). */
  @ParameterizedTest
  @ValueSource(strings = {"64 MiB", "400 KiB"})
  void readsRacingWritesSeeAcknowledgedContentAndTheStoresAgree(String cacheBytes)
      throws Exception {
    int volumeBytes = 4 * MiB;
    byte[] model = new byte[volumeBytes];
    Random r = new Random(11);
    try (VolumeRig rig = rig(dir, cacheBytes)) {
      LocalVolume v = rig.create("v", volumeBytes, VolumePolicy.DEFAULT);
      for (int round = 0; round < 40; round++) {
        // A burst of writes (aligned, unaligned, trims, zeroes) in flight together, with reads
        // of the same ranges racing them.
        List<CompletionStage<Void>> writes = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          int offset = r.nextBoolean() ? r.nextInt(volumeBytes / BLOCK) * BLOCK
              : r.nextInt(volumeBytes - 3 * BLOCK);
          int length = 1 + r.nextInt(3 * BLOCK);
          int kind = r.nextInt(8);
          ranges.add(new int[] {offset, length});
          if (kind == 0) {
            int start = (offset + BLOCK - 1) / BLOCK * BLOCK; // TRIM leaves partial blocks alone
            int end = (offset + length) / BLOCK * BLOCK;
            writes.add(v.trim(offset, length));
            if (end > start) {
              java.util.Arrays.fill(model, start, end, (byte) 0);
            }
          } else if (kind == 1) {
            writes.add(v.writeZeroes(offset, length));
            java.util.Arrays.fill(model, offset, offset + length, (byte) 0);
          } else {
            byte[] data = new byte[length];
            r.nextBytes(data);
            writes.add(v.write(offset, bytes(data), false));
            System.arraycopy(data, 0, model, offset, length);
          }
          int[] race = ranges.get(r.nextInt(ranges.size()));
          v.read(race[0], race[1]); // result unchecked: in flight with the writes
        }
        CompletableFuture.allOf(writes.stream().map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture[]::new)).get();
        // Every write is acknowledged: every read from now on must see all of them.
        for (int[] range : ranges) {
          assertThat(array(await(v.read(range[0], range[1]))))
              .isEqualTo(java.util.Arrays.copyOfRange(model, range[0], range[0] + range[1]));
        }
      }
      assertThat(array(await(v.read(0, volumeBytes)))).isEqualTo(model);
      double hits = rig.registry.get("cairn.volume.cache.hits").functionCounter().count();
      assertThat(hits).isPositive();
    }
    // The same volume, cache off: everything comes from the stores.
    try (VolumeRig rig = rig(dir, "0")) {
      LocalVolume v = rig.volumes.local("v").orElseThrow();
      assertThat(array(await(v.read(0, volumeBytes)))).isEqualTo(model);
    }
  }

  @Test
  void aDeletedVolumeLeavesNothingInTheCache() throws Exception {
    try (VolumeRig rig = rig(dir, "16 MiB")) {
      LocalVolume v = rig.create("v", MiB, VolumePolicy.DEFAULT);
      byte[] data = new byte[64 * 1024];
      new Random(5).nextBytes(data);
      await(v.write(0, bytes(data), false));
      assertThat(rig.registry.get("cairn.volume.cache.blocks").gauge().value()).isEqualTo(16);
      await(rig.volumes.delete("v"));
      assertThat(rig.registry.get("cairn.volume.cache.blocks").gauge().value()).isZero();
    }
  }
}
