package io.cairn.node.volume;

import static io.cairn.node.volume.VolumeRig.array;
import static io.cairn.node.volume.VolumeRig.await;
import static io.cairn.node.volume.VolumeRig.awaitAll;
import static io.cairn.node.volume.VolumeRig.bytes;
import static io.cairn.node.volume.VolumeRig.holdLane;
import static io.cairn.node.volume.VolumeRig.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import com.typesafe.config.Config;
import io.cairn.node.maintenance.LocalMaintenance;
import io.cairn.node.maintenance.MaintenanceService;
import io.cairn.node.meta.MetaStore.Table;
import io.cairn.node.volume.BlockVolume.Extent;
import io.cairn.protocol.segment.SegmentRecord;
import io.cairn.protocol.segment.VolumeState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class LocalVolumeTest {

  private static final long MiB = 1 << 20;

  @TempDir Path dir;

  /** Compressible but not uniform: what a VM's disk looks like more than random bytes do. */
  private static byte[] texty(int n, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + r.nextInt(8));
    }
    return b;
  }

  @Test
  void unwrittenBlocksReadAsZeroes() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 16 * MiB, VolumePolicy.DEFAULT);

      assertThat(array(await(v.read(5 * MiB + 3, 10_000)))).containsOnly(0);
    }
  }

  @Test
  void alignedAndUnalignedWritesReadBackExactly() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 16 * MiB, VolumePolicy.DEFAULT);
      byte[] model = new byte[(int) (16 * MiB)];
      Random r = new Random(3);
      for (int i = 0; i < 60; i++) {
        int offset = r.nextInt((int) (16 * MiB) - 70_000);
        byte[] data = i % 2 == 0 ? random(1 + r.nextInt(70_000), i) : texty(1 + r.nextInt(70_000), i);
        await(v.write(offset, bytes(data), false));
        System.arraycopy(data, 0, model, offset, data.length);
      }

      assertThat(array(await(v.read(0, (int) (16 * MiB))))).isEqualTo(model);
    }
  }

  @Test
  void sharedReadsArePiecesOfBlocksThatLaterWritesLeaveAlone() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 16 * MiB, VolumePolicy.DEFAULT);
      int block = v.blockBytes();
      byte[] written = new byte[5 * block]; // blocks 10-14; 13 stays unwritten
      System.arraycopy(random(3 * block, 1), 0, written, 0, 3 * block);
      System.arraycopy(random(block, 2), 0, written, 4 * block, block);
      await(v.write(10L * block, bytes(Arrays.copyOf(written, 3 * block)), false));
      await(v.write(14L * block, bytes(Arrays.copyOfRange(written, 4 * block, 5 * block)), false));
      long offset = 10L * block + 100;
      int length = 5 * block - 200;
      byte[] expected = Arrays.copyOfRange(written, 100, 100 + length);
      assertThat(array(await(v.read(offset, length)))).isEqualTo(expected);

      List<BlockVolume.Piece> pieces = await(v.readShared(offset, length));
      byte[] sent = join(pieces);

      assertThat(sent).isEqualTo(expected);
      assertThat(pieces).hasSize(5);
      assertThat(pieces.get(3).array()).isNull(); // block 13: zeroes, no array
      assertThat(pieces.get(3).length()).isEqualTo(block);
      // The pieces are the cached blocks themselves, and a newer write replaces a block's
      // entry instead of writing into it: what was handed out still says what it said.
      await(v.write(10L * block, bytes(random(3 * block, 3)), false));
      assertThat(join(pieces)).isEqualTo(expected);
      assertThat(array(await(v.read(offset, length)))).isNotEqualTo(expected);
    }
  }

  @Test
  void writeCopiesTheCallersBufferAndWriteOwnedTakesItsOwn() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 16 * MiB, VolumePolicy.DEFAULT);
      byte[] reused = random(3 * v.blockBytes() + 5, 4);
      byte[] first = reused.clone();
      CompletionStage<Void> written = v.write(MiB + 7, ByteBuffer.wrap(reused), false);
      Arrays.fill(reused, (byte) 1); // the caller's again once write returned, done or not
      await(written);
      byte[] owned = random(2 * v.blockBytes(), 5);
      await(v.writeOwned(2 * MiB, ByteBuffer.wrap(owned.clone()), false));
      byte[] readOnly = random(v.blockBytes() + 9, 6);
      await(v.writeOwned(3 * MiB - 9, ByteBuffer.wrap(readOnly).asReadOnlyBuffer(), false));

      assertThat(array(await(v.read(MiB + 7, first.length)))).isEqualTo(first);
      assertThat(array(await(v.read(2 * MiB, owned.length)))).isEqualTo(owned);
      assertThat(array(await(v.read(3 * MiB - 9, readOnly.length)))).isEqualTo(readOnly);
    }
  }

  private static byte[] join(List<BlockVolume.Piece> pieces) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (BlockVolume.Piece p : pieces) {
      if (p.array() == null) {
        out.writeBytes(new byte[p.length()]);
      } else {
        out.write(p.array(), p.offset(), p.length());
      }
    }
    return out.toByteArray();
  }

  @Test
  void concurrentWritesToOneBlockEndWithTheLastAcknowledged() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", MiB, VolumePolicy.DEFAULT);
      List<CompletionStage<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        byte[] block = new byte[4096];
        Arrays.fill(block, (byte) i);
        // Partial writes too: they must merge onto the newest content, not a stale one.
        writes.add(v.write(i % 3 == 0 ? 100 : 0, bytes(i % 3 == 0 ? Arrays.copyOf(block, 50)
            : block), false));
      }
      awaitAll(writes);
      byte[] expected = new byte[4096];
      Arrays.fill(expected, (byte) 98);
      Arrays.fill(expected, 100, 150, (byte) 99);

      assertThat(array(await(v.read(0, 4096)))).isEqualTo(expected);
    }
  }

  @Test
  void sealedSegmentsReadBackAndSurviveALostStoreAndACorruptPage() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 16 * MiB, VolumePolicy.DEFAULT);
      byte[] data = random((int) (4 * MiB), 9);
      await(v.write(0, bytes(data), false));
      await(rig.volumes.sealAll());
      while (v.journalBytes() > 0) {
        await(v.maybeSeal(true));
      }
      List<SegmentRecord> segments = v.data().segments();
      assertThat(segments).isNotEmpty();

      // Store 1 loses everything; a page of store 2 rots.
      SegmentRecord first = segments.get(0);
      for (SegmentRecord s : segments) {
        for (int i = 0; i < s.getShardStoreCount(); i++) {
          if (s.getShardStore(i).equals("node-1/store-1")) {
            rig.shardStores.get(0).delete(s.getSegmentId(), i);
          }
        }
      }
      int onStore2 = first.getShardStoreList().indexOf("node-1/store-2");
      assertThat(rig.corruptPage(1, first.getSegmentId(), onStore2, 0)).isTrue();

      assertThat(array(await(v.read(0, (int) (4 * MiB))))).isEqualTo(data);
      assertThat(v.info().health()).isEqualTo("degraded");

      LocalMaintenance maintenance = new LocalMaintenance(rig.volumes, rig.registry);
      MaintenanceService.Run run = maintenance.scrubNow();
      assertThat(run.state()).isEqualTo(MaintenanceService.State.COMPLETED);
      assertThat(run.found()).isPositive();
      assertThat(run.repaired()).isEqualTo(run.found());
      assertThat(maintenance.scrubNow().found()).as("a second scrub finds nothing").isZero();
      assertThat(v.info().health()).isEqualTo("healthy");
      assertThat(rig.registry.get("cairn.scrub.shards").tag("result", "repaired").counter()
          .count()).isEqualTo(run.repaired());
      assertThat(array(await(v.read(0, (int) (4 * MiB))))).isEqualTo(data);
    }
  }

  @Test
  void moreLostShardsThanParityIsAnIoErrorNotGarbage() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 4 * MiB, VolumePolicy.DEFAULT);
      await(v.write(0, bytes(random((int) MiB, 1)), false));
      await(v.maybeSeal(true));
      SegmentRecord s = v.data().segments().get(0);
      for (int i = 0; i < 3; i++) {
        rig.stores.get(s.getShardStore(i)).orElseThrow().delete(s.getSegmentId(), i);
      }

      assertThatThrownBy(() -> await(v.read(0, 4096)))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(VolumeException.class)
          .cause().matches(e -> ((VolumeException) e).kind() == VolumeException.Kind.IO_ERROR);
    }
  }

  @Test
  void identicalBlocksAreStoredOnce() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 64 * MiB, VolumePolicy.DEFAULT);
      byte[][] distinct = new byte[4][];
      for (int i = 0; i < 4; i++) {
        distinct[i] = random(4096, 100 + i);
      }
      for (int i = 0; i < 2000; i++) {
        await(v.write(i * 4096L, bytes(distinct[i % 4]), false));
      }
      VolumeInfo info = v.info();

      assertThat(info.logicalBytes()).isEqualTo(2000 * 4096L);
      assertThat(info.physicalBytes()).isLessThan(4 * 4096 + 4 * 200);
      assertThat(info.dedupRatio()).isEqualTo(500.0);
      assertThat(array(await(v.read(1999 * 4096L, 4096)))).isEqualTo(distinct[3]);
    }
  }

  @Test
  void overwritingFiveTimesKeepsPhysicalUseBounded() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      byte[] last = null;
      for (int pass = 0; pass < 5; pass++) {
        last = random((int) (8 * MiB), 1000 + pass);
        for (int off = 0; off < 8 * MiB; off += (int) MiB) {
          await(v.write(off, ByteBuffer.wrap(last, off, (int) MiB), false));
        }
        await(v.maybeSeal(true));
        await(v.compact());
      }
      while (v.journalBytes() > 0) {
        await(v.maybeSeal(true));
      }

      // Random data does not compress: physical is about 8 MiB of chunks plus headers. Without
      // reclamation it would be five times that.
      assertThat(v.physicalBytes()).isLessThan(12 * MiB);
      assertThat(array(await(v.read(0, (int) (8 * MiB))))).isEqualTo(last);
    }
  }

  @Test
  void trimAndWriteZeroesChangeOnlyTheBlockMapAndShowAsHoles() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", MiB, VolumePolicy.DEFAULT);
      await(v.write(0, bytes(random(64 * 1024, 7)), false));

      await(v.trim(8192, 8192));
      await(v.writeZeroes(30_000, 10_000));
      List<Extent> extents = await(v.blockStatus(0, 64 * 1024));
      byte[] after = array(await(v.read(0, 64 * 1024)));

      assertThat(Arrays.copyOfRange(after, 8192, 16384)).containsOnly(0);
      assertThat(Arrays.copyOfRange(after, 30_000, 40_000)).containsOnly(0);
      assertThat(after[29_999]).isNotZero();
      assertThat(extents).contains(new Extent(8192, 8192, false, true));
      assertThat(extents.get(0)).isEqualTo(new Extent(0, 8192, true, false));
      assertThat(extents.stream().mapToLong(Extent::length).sum()).isEqualTo(64 * 1024);
    }
  }

  @Test
  void outOfRangeAndNegativeRequestsAreRefusedWithTheirKind() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", MiB, VolumePolicy.DEFAULT);

      assertThatThrownBy(() -> await(v.read(MiB - 10, 11))).cause()
          .matches(e -> ((VolumeException) e).kind() == VolumeException.Kind.OUT_OF_RANGE);
      assertThatThrownBy(() -> await(v.write(-1, bytes(new byte[1]), false))).cause()
          .matches(e -> ((VolumeException) e).kind() == VolumeException.Kind.INVALID_ARGUMENT);
      assertThatThrownBy(() -> await(v.writeZeroes(MiB, 1))).cause()
          .matches(e -> ((VolumeException) e).kind() == VolumeException.Kind.OUT_OF_RANGE);
    }
  }

  @Test
  void withEncryptionNoPlaintextReachesAnyFile() throws Exception {
    byte[] pattern = "CAIRN-PLAINTEXT-CANARY-0123456789".getBytes(StandardCharsets.US_ASCII);
    byte[] block = new byte[4096];
    for (int i = 0; i + pattern.length <= block.length; i += pattern.length) {
      System.arraycopy(pattern, 0, block, i, pattern.length);
    }
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 4 * MiB, VolumePolicy.DEFAULT);
      for (int i = 0; i < 300; i++) {
        block[0] = (byte) i; // distinct blocks: no dedup, so the journal and segments hold many
        await(v.write(i * 4096L, bytes(block.clone()), false));
      }
      await(v.maybeSeal(true));
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(f);
        assertThat(indexOf(content, pattern)).as("plaintext in " + f).isEqualTo(-1);
      }
    }
  }

  /**
   * Sealing takes the journal's newest payloads from memory (journal-tail-bytes) and older ones
   * from the database: with no tail, with one smaller than a segment (it overflows all the time)
   * and with the default, across a restart (which leaves the journal in the database only) and
   * overwrites (which free journaled chunks), every journaled chunk is sealed once and reads back.
   */
  @ParameterizedTest
  @ValueSource(strings = {"0", "96 KiB", "32 MiB"})
  void sealingFromTheJournalTailAndTheDatabaseLosesAndRepeatsNothing(String tailBytes)
      throws Exception {
    Config config = VolumeRig.component("cairn.volume.journal-tail-bytes = " + tailBytes);
    byte[] expected = new byte[(int) (8 * MiB)];
    try (VolumeRig rig = new VolumeRig(dir, config)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      writeInPieces(v, expected, 0, random((int) (3 * MiB), 21));
    }
    try (VolumeRig rig = new VolumeRig(dir, config)) {
      LocalVolume v = rig.volumes.local("v").orElseThrow();
      writeInPieces(v, expected, 4 * MiB, random((int) (3 * MiB), 22));
      writeInPieces(v, expected, MiB, random((int) MiB, 23)); // frees journaled chunks
      await(v.maybeSeal(false));
      while (v.journalBytes() > 0) {
        await(v.maybeSeal(true));
      }

      assertThat(v.data().journalTailBytes()).isZero();
      assertThat(rig.journalRows(v)).as("journal rows left after sealing").isZero();
      long live = v.data().segments().stream().mapToLong(SegmentRecord::getLiveBytes).sum();
      assertThat(live).as("live bytes of the segments").isEqualTo(v.data().state().getStoredBytes());
      assertThat(array(await(v.read(0, (int) (8 * MiB))))).isEqualTo(expected);
    }
  }

  /** Writes {@code data} at {@code offset} in 64 KiB pieces, several in flight at once. */
  private static void writeInPieces(LocalVolume v, byte[] expected, long offset, byte[] data)
      throws Exception {
    List<CompletionStage<Void>> writes = new ArrayList<>();
    for (int at = 0; at < data.length; at += 65536) {
      writes.add(v.write(offset + at, ByteBuffer.wrap(data, at, 65536), false));
      if (writes.size() == 16) {
        awaitAll(writes);
      }
    }
    awaitAll(writes);
    System.arraycopy(data, 0, expected, (int) offset, data.length);
  }

  /**
   * Large writes skip the journal (direct-write-bytes), small ones are journaled, in any mix and
   * order, several in flight, overlapping each other, with dedup: the volume always reads as the
   * writes applied in the order they were made, before sealing, after sealing and compaction, and
   * after a restart; the segments' live bytes are what the chunk table says they hold.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void largeWritesSkipTheJournalAndMixWithSmallOnesInOrder(long seed) throws Exception {
    int size = (int) (8 * MiB);
    byte[] expected = new byte[size];
    Random random = new Random(seed);
    byte[] reused = random(512 * 1024, seed + 100); // written again elsewhere: deduplicated
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", size, VolumePolicy.DEFAULT);
      List<CompletionStage<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        int kind = random.nextInt(4);
        int length = switch (kind) {
          case 0 -> 1 + random.nextInt(8192);                     // small, unaligned
          case 1 -> 4096 * (1 + random.nextInt(16));              // small, aligned
          case 2 -> reused.length;                                // large, seen before
          default -> 256 * 1024 + random.nextInt(1024 * 1024);    // large, unaligned end
        };
        long offset = kind == 1 || kind == 2
            ? 4096L * random.nextInt((size - length) / 4096)
            : random.nextInt(size - length);
        byte[] data = kind == 2 ? reused : random(length, seed * 1000 + i);
        writes.add(v.write(offset, ByteBuffer.wrap(data), false));
        System.arraycopy(data, 0, expected, (int) offset, length);
        if (writes.size() == 8 || i == 59) {
          awaitAll(writes);
        }
      }
      assertThat(array(await(v.read(0, size)))).isEqualTo(expected);
      assertThat(v.data().segments()).as("segments written by large writes").isNotEmpty();
      assertLiveBytesMatchTheChunks(v);
    }
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.volumes.local("v").orElseThrow();
      assertThat(array(await(v.read(0, size)))).isEqualTo(expected);
      while (v.journalBytes() > 0) {
        await(v.maybeSeal(true));
      }
      await(v.compact());
      assertLiveBytesMatchTheChunks(v);
      assertThat(array(await(v.read(0, size)))).isEqualTo(expected);
    }
  }

  /**
   * The row cache (row-cache-blocks) only saves lookups. With none, with one so small that every
   * record evicts from it, and with the default, the same mix of small and large writes, dedup
   * hits, trims and zeroes, sealing and compaction leaves the same bytes and a consistent
   * database, before and after a restart.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 3, 131072})
  void theRowCacheChangesNothingButTheLookups(int cacheBlocks) throws Exception {
    int size = (int) (4 * MiB);
    byte[] expected = new byte[size];
    Random random = new Random(42);
    byte[][] shared = new byte[6][];
    for (int i = 0; i < shared.length; i++) {
      shared[i] = random(4096, 500 + i);
    }
    Config config = VolumeRig.component("cairn.volume.row-cache-blocks = " + cacheBlocks);
    try (VolumeRig rig = new VolumeRig(dir, config)) {
      LocalVolume v = rig.create("v", size, VolumePolicy.DEFAULT);
      List<CompletionStage<Void>> writes = new ArrayList<>();
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 60; i++) {
          int kind = random.nextInt(5);
          if (kind >= 3) { // a trim or zeroes: after the writes in flight
            awaitAll(writes);
            int offset = random.nextInt(size - 4096);
            int length = 1 + random.nextInt(Math.min(64 * 1024, size - offset));
            await(kind == 3 ? v.trim(offset, length) : v.writeZeroes(offset, length));
            // A trim zeroes the whole blocks in its range; a partial block keeps its bytes.
            int from = kind == 3 ? (offset + 4095) / 4096 * 4096 : offset;
            int to = kind == 3 ? (offset + length) / 4096 * 4096 : offset + length;
            if (to > from) {
              Arrays.fill(expected, from, to, (byte) 0);
            }
            continue;
          }
          byte[] data;
          int offset;
          if (kind == 0) { // whole blocks of shared content: dedup hits, and frees of them
            data = new byte[4096 * (1 + random.nextInt(4))];
            for (int b = 0; b < data.length / 4096; b++) {
              System.arraycopy(shared[random.nextInt(shared.length)], 0, data, b * 4096, 4096);
            }
            offset = 4096 * random.nextInt((size - data.length) / 4096);
          } else {
            int length = kind == 1 ? 1 + random.nextInt(12_000) : 256 * 1024 + random.nextInt(
                512 * 1024);
            data = random(length, round * 1000L + i);
            offset = random.nextInt(size - length);
          }
          writes.add(v.write(offset, ByteBuffer.wrap(data), false));
          System.arraycopy(data, 0, expected, offset, data.length);
          if (writes.size() == 8) {
            awaitAll(writes);
          }
        }
        awaitAll(writes);
        assertThat(array(await(v.read(0, size)))).as("round %d", round).isEqualTo(expected);
        await(v.maybeSeal(true));
        if (round % 2 == 1) {
          await(v.compact());
        }
      }
      assertRowsAgree(rig, v);
      assertLiveBytesMatchTheChunks(v);
    }
    try (VolumeRig rig = new VolumeRig(dir, config)) {
      LocalVolume v = rig.volumes.local("v").orElseThrow();
      assertThat(array(await(v.read(0, size)))).isEqualTo(expected);
      assertRowsAgree(rig, v);
    }
  }

  /**
   * The volume's rows agree with each other and with its state: a chunk's refs is the number of
   * blocks mapping to it, a dedup row names a chunk with that fingerprint and each chunk has one.
   */
  private static void assertRowsAgree(VolumeRig rig, LocalVolume v) throws Exception {
    Map<Long, Integer> refs = new HashMap<>();
    rig.meta.scan(Table.BLOCK_MAP, VolumeKeys.volume(v.id()),
        (k, value) -> refs.merge(VolumeKeys.longOf(value), 1, Integer::sum));
    Map<Long, ChunkRecord> chunks = new HashMap<>();
    rig.meta.scan(Table.CHUNKS, VolumeKeys.volume(v.id()),
        (k, value) -> chunks.put(VolumeKeys.second(k), ChunkRecord.decode(value)));
    Map<Long, Integer> counted = new HashMap<>();
    chunks.forEach((cn, rec) -> counted.put(cn, rec.refs()));
    assertThat(counted).as("refs of each chunk").isEqualTo(refs);
    List<Long> dedupRows = new ArrayList<>();
    List<Long> misnamed = new ArrayList<>();
    rig.meta.scan(Table.DEDUP, VolumeKeys.volume(v.id()), (k, value) -> {
      long cn = VolumeKeys.longOf(value);
      ChunkRecord rec = chunks.get(cn);
      dedupRows.add(cn);
      if (rec == null || !Arrays.equals(k, VolumeKeys.dedup(v.id(), rec.id()))) {
        misnamed.add(cn);
      }
    });
    assertThat(misnamed).as("dedup rows naming no chunk of their content").isEmpty();
    assertThat(dedupRows).as("one dedup row per chunk").hasSameSizeAs(chunks.keySet());
    // Every chunk in a segment is named by the segment's rows of the segment-chunk table (its
    // list, or one row per chunk for a segment of the first format), and no row outlives its
    // segment.
    Map<Long, SegmentRecord> segments = new HashMap<>();
    v.data().segments().forEach(s -> segments.put(s.getSegmentId(), s));
    Map<Long, List<Long>> named = new HashMap<>();
    List<Long> orphans = new ArrayList<>();
    List<Long> stale = new ArrayList<>();
    rig.meta.scan(Table.SEGMENT_CHUNKS, new byte[0], (k, value) -> {
      long seg = VolumeKeys.longOf(k);
      SegmentRecord rec = segments.get(seg);
      if (rec == null) {
        orphans.add(seg);
        return;
      }
      assertThat(value.length == 0 ? VolumeKeys.second(k) > 0 : VolumeKeys.second(k) == 0)
          .as("segment %d: a list row is chunk 0, a chunk's row is empty", seg).isTrue();
      assertThat(rec.getChunkList()).as("segment %d has a list", seg).isEqualTo(value.length > 0);
      // A chunk's own row goes when the chunk leaves its segment; a list stays as it was.
      ChunkRecord chunk = value.length == 0 ? chunks.get(VolumeKeys.second(k)) : null;
      if (value.length == 0 && (chunk == null || chunk.segmentId() != seg)) {
        stale.add(VolumeKeys.second(k));
      }
      named.computeIfAbsent(seg, id -> new ArrayList<>())
          .addAll(value.length == 0 ? List.of(VolumeKeys.second(k)) : ChunkList.decode(value));
    });
    assertThat(orphans).as("segment-chunk rows of segments gone").isEmpty();
    assertThat(stale).as("rows of chunks no longer in their segment").isEmpty();
    chunks.forEach((cn, rec) -> {
      if (!rec.inJournal()) {
        assertThat(named.getOrDefault(rec.segmentId(), List.of()))
            .as("chunk %d named by its segment %d", cn, rec.segmentId()).contains(cn);
      }
    });
    VolumeState state = v.data().state();
    assertThat(state.getChunks()).isEqualTo(chunks.size());
    assertThat(state.getAllocatedBlocks()).isEqualTo(refs.values().stream()
        .mapToLong(Integer::longValue).sum());
  }

  private static void assertLiveBytesMatchTheChunks(LocalVolume v) {
    long live = v.data().segments().stream().mapToLong(SegmentRecord::getLiveBytes).sum();
    assertThat(live + v.journalBytes()).as("live segment bytes and journaled bytes")
        .isEqualTo(v.data().state().getStoredBytes());
  }

  @Test
  void aLargeWriteIsOneSegmentAndNothingJournaled() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      byte[] data = random((int) MiB, 31);
      await(v.write(MiB, bytes(data), false));

      assertThat(v.journalBytes()).isZero();
      List<SegmentRecord> segments = v.data().segments();
      assertThat(segments).hasSize(1);
      assertThat(segments.get(0).getLiveBytes()).isEqualTo(v.data().state().getStoredBytes());
      assertThat(rig.journalRows(v)).isZero();
      assertThat(array(await(v.read(MiB, (int) MiB)))).isEqualTo(data);

      // The same content again elsewhere: every chunk is deduplicated, so its segment holds
      // nothing live, and it and its shards are reclaimed at once, without a compaction round.
      long first = segments.get(0).getSegmentId();
      await(v.write(4 * MiB, bytes(data), false));
      Awaitility.await().atMost(VolumeRig.WAIT).until(() -> v.data().segments().size() == 1);
      assertThat(v.data().segments().get(0).getSegmentId()).isEqualTo(first);
      Awaitility.await().atMost(VolumeRig.WAIT).until(() -> rig.shardCount() == 6);
      assertThat(await(v.compact())).isZero();
      assertThat(array(await(v.read(4 * MiB, (int) MiB)))).isEqualTo(data);
    }
  }

  /**
   * A segment whose chunks are all overwritten is reclaimed as soon as the overwrite commits, and
   * the next segments overwrite its shards' files rather than creating new ones.
   */
  @Test
  void aSegmentLeftWithNothingLiveIsReclaimedAtOnceAndItsFilesReused() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      byte[] data = null;
      for (int pass = 0; pass < 4; pass++) {
        data = random((int) MiB, 70 + pass);
        await(v.write(2 * MiB, bytes(data), false));
        SegmentRecord newest = v.data().segments().get(v.data().segments().size() - 1);
        Awaitility.await().atMost(VolumeRig.WAIT)
            .until(() -> v.data().segments().size() == 1 && rig.shardCount() == 6);
        assertThat(v.data().segments().get(0).getSegmentId())
            .isEqualTo(newest.getSegmentId());
        assertThat(v.data().segments().get(0).getLiveBytes())
            .isEqualTo(newest.getSegmentBytes());
      }
      long recycled = rig.shardStores.stream()
          .mapToLong(s -> ((io.cairn.node.store.FileShardStore) s).recycledFiles()).sum();
      assertThat(recycled).as("shard files of the three reclaimed segments, reused")
          .isGreaterThanOrEqualTo(12);
      assertThat(rig.registry.get("cairn.volume.compaction.bytes").tag("kind", "moved")
          .counter().count()).isZero();
      assertThat(array(await(v.read(2 * MiB, (int) MiB)))).isEqualTo(data);
      assertLiveBytesMatchTheChunks(v);
    }
  }

  /**
   * Readers racing overwrites of what they read, whose old segments are reclaimed and whose files
   * are reused under them: every read returns, for each block, one version that was written
   * whole, and none fails.
   */
  @Test
  void readsRacingReclaimedSegmentsSeeWholeVersionsAndNeverFail() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      List<byte[]> versions = new java.util.concurrent.CopyOnWriteArrayList<>();
      versions.add(random((int) MiB, 100));
      await(v.write(0, bytes(versions.get(0)), false));
      java.util.concurrent.atomic.AtomicBoolean writing =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
      List<java.util.concurrent.CompletableFuture<Void>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
          while (writing.get()) {
            byte[] got;
            try {
              got = array(await(v.read(0, (int) MiB)));
            } catch (Exception e) {
              throw new AssertionError("a read failed", e);
            }
            for (int block = 0; block < 256; block++) {
              int from = block * 4096;
              boolean whole = versions.stream().anyMatch(w ->
                  Arrays.equals(got, from, from + 4096, w, from, from + 4096));
              assertThat(whole).as("block %d is one written version", block).isTrue();
            }
            reads.incrementAndGet();
          }
        }));
      }
      for (int pass = 1; pass <= 30; pass++) {
        byte[] next = random((int) MiB, 100 + pass);
        versions.add(next);
        await(v.write(0, bytes(next), false));
      }
      Awaitility.await().atMost(VolumeRig.WAIT).until(() -> reads.get() >= 4);
      writing.set(false);
      for (java.util.concurrent.CompletableFuture<Void> r : readers) {
        r.get();
      }
      assertThat(array(await(v.read(0, (int) MiB)))).isEqualTo(versions.get(30));
    }
  }

  /**
   * Compaction moves a sparse segment's survivors into a new segment of their own, without the
   * journal, and reads the old one through the DPU tier's rebuild when one of its data shards is
   * gone.
   */
  @Test
  void compactionRepacksSurvivorsIntoANewSegmentWithoutTheJournal() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      byte[] model = random((int) MiB, 41);
      await(v.write(0, bytes(model), false));
      SegmentRecord old = v.data().segments().get(0);
      // Three blocks in four overwritten: the segment's live fraction falls to a quarter.
      for (int block = 0; block < 256; block++) {
        if (block % 4 != 0) {
          overwriteBlock(v, model, block, 1000 + block);
        }
      }
      while (v.journalBytes() > 0) {
        await(v.maybeSeal(true));
      }
      long journalRowsBefore = rig.journalRows(v);
      rig.stores.get(old.getShardStore(0)).orElseThrow().delete(old.getSegmentId(), 0);

      assertThat(await(v.compact())).isEqualTo(1);

      assertThat(rig.registry.get("cairn.volume.degraded.reads").gauge().value())
          .as("the old segment was read around its missing shard").isPositive();
      assertThat(v.journalBytes()).isZero();
      assertThat(rig.journalRows(v)).isEqualTo(journalRowsBefore);
      List<Long> ids = v.data().segments().stream().map(SegmentRecord::getSegmentId).toList();
      assertThat(ids).doesNotContain(old.getSegmentId());
      SegmentRecord repacked = v.data().segments().get(ids.size() - 1);
      assertThat(repacked.getLiveBytes()).isEqualTo(repacked.getSegmentBytes())
          .isCloseTo(old.getSegmentBytes() / 4, withPercentage(5));
      assertThat(rig.registry.get("cairn.volume.compaction").timer().count()).isEqualTo(1);
      assertThat(compactionBytes(rig, "moved")).isEqualTo(repacked.getSegmentBytes());
      assertThat(compactionBytes(rig, "reclaimed"))
          .isEqualTo(old.getSegmentBytes() - repacked.getSegmentBytes());
      assertLiveBytesMatchTheChunks(v);
      assertRowsAgree(rig, v);
      for (int i = 1; i < old.getShardStoreCount(); i++) {
        assertThat(rig.stores.get(old.getShardStore(i)).orElseThrow()
            .read(old.getSegmentId(), i, 0, ByteBuffer.allocate(16))).isFalse();
      }
      assertThat(array(await(v.read(0, (int) MiB)))).isEqualTo(model);
    }
  }

  /**
   * A chunk freed while its segment is being compacted (after the survivors were read and
   * written, before the record) is a dead byte of the new segment, not a live one; and a segment
   * already compacted is not compacted again.
   */
  @Test
  void chunksFreedDuringACompactionAreDeadBytesOfTheNewSegment() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      byte[] model = random((int) MiB, 47);
      await(v.write(0, bytes(model), false));
      SegmentRecord old = v.data().segments().get(0);
      VolumeData.SegmentDraft draft = await(v.repack(old, v.data().chunksOf(old.getSegmentId())));
      SegmentRecord into = await(v.writeSegment(draft.bytes()));
      for (int block = 0; block < 64; block++) {
        overwriteBlock(v, model, block, 3000 + block);
      }

      assertThat(await(v.lane().submit(() -> v.data().compacted(old, draft, into.toBuilder()))))
          .isTrue();
      assertThat(await(v.lane().submit(() -> v.data().compacted(old, null, null)))).isFalse();

      v.deleteShards(old);
      SegmentRecord repacked = v.data().segments().stream()
          .filter(s -> s.getSegmentId() == into.getSegmentId()).findFirst().orElseThrow();
      assertThat(draft.chunkNumbers()).hasSize(256);
      assertThat(repacked.getLiveBytes()).isLessThan(repacked.getSegmentBytes())
          .isCloseTo(repacked.getSegmentBytes() * 3 / 4, withPercentage(5));
      assertLiveBytesMatchTheChunks(v);
      assertThat(array(await(v.read(0, (int) MiB)))).isEqualTo(model);
    }
  }

  /**
   * Two compactions of one segment race to their records: the first repoints the chunks and the
   * old shards go; the second finds the segment gone, and the segment it wrote is deleted, so no
   * shard outlives its record.
   */
  @Test
  void aCompactionThatLosesTheRaceDeletesTheSegmentItWrote() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      byte[] model = random((int) MiB, 53);
      await(v.write(0, bytes(model), false));
      SegmentRecord old = v.data().segments().get(0);
      long shardsBefore = rig.shardCount();

      CountDownLatch laneHeld = holdLane(v);
      CompletionStage<Boolean> first = v.compact(old);
      CompletionStage<Boolean> second = v.compact(old);
      // Both have written their new segment and wait for the lane.
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> rig.shardCount() == shardsBefore + 12);
      laneHeld.countDown();

      assertThat(List.of(await(first), await(second))).containsExactlyInAnyOrder(true, false);
      assertThat(v.data().segments()).hasSize(1)
          .noneMatch(s -> s.getSegmentId() == old.getSegmentId());
      assertThat(rig.registry.get("cairn.volume.compaction").timer().count())
          .as("only the winner is counted").isEqualTo(1);
      assertThat(compactionBytes(rig, "moved"))
          .isEqualTo(v.data().segments().get(0).getSegmentBytes());
      assertThat(rig.shardCount()).isEqualTo(6);
      assertLiveBytesMatchTheChunks(v);
      assertThat(array(await(v.read(0, (int) MiB)))).isEqualTo(model);
    }
  }

  /**
   * A volume deleted while a compaction writes its new segment: the deletion reclaims the old
   * shards, the compaction (which finds its segment gone) its new ones, and nothing is left.
   */
  @Test
  void aCompactionOfAVolumeDeletedMeanwhileDeletesTheSegmentItWrote() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      await(v.write(0, bytes(random((int) MiB, 59)), false));
      SegmentRecord old = v.data().segments().get(0);

      CountDownLatch laneHeld = holdLane(v);
      CompletionStage<Void> deleted = rig.volumes.delete("v");
      // The deletion left the catalog and queued its purge in the lane, ahead of the compaction,
      // which reaches the lane only once its segment is written.
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> rig.volumes.local("v").isEmpty());
      CompletionStage<Boolean> compaction = v.compact(old);
      Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> rig.shardCount() == 12);
      laneHeld.countDown();

      await(deleted);
      assertThat(await(compaction)).isFalse();
      assertThat(rig.shardCount()).isZero();
    }
  }

  /**
   * A compaction that cannot read its segment's survivors fails, unless the segment went
   * meanwhile (its last chunks freed, its row dropped, its shards deleted): then there is nothing
   * to compact, and it says so instead of failing the round.
   */
  @Test
  void aCompactionWhoseSegmentWentWhileItReadIsNotAFailure() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      await(v.write(0, bytes(random((int) MiB, 61)), false));
      SegmentRecord seg = v.data().segments().get(0);
      v.deleteShards(seg);

      assertThatThrownBy(() -> await(v.compact(seg))).isInstanceOf(ExecutionException.class);

      // What a reclaim leaves a compaction that was reading: the row gone, the shards gone (the
      // chunk rows are left here, so that the compaction still finds survivors to read).
      assertThat(await(v.lane().submit(() -> v.data().compacted(seg, null, null)))).isTrue();
      assertThat(await(v.compact(seg))).isFalse();
      assertThat(rig.shardCount()).isZero();
      assertThat(rig.registry.get("cairn.volume.compaction").timer().count()).isZero();
    }
  }

  /** The volume's compaction bytes of one kind (moved, reclaimed) so far. */
  private static double compactionBytes(VolumeRig rig, String kind) {
    return rig.registry.get("cairn.volume.compaction.bytes").tag("kind", kind).counter().count();
  }

  /** Overwrites one 4 KiB block with seeded random bytes, in the volume and in the model. */
  private static void overwriteBlock(LocalVolume v, byte[] model, int block, long seed)
      throws Exception {
    byte[] b = random(4096, seed);
    await(v.write(block * 4096L, bytes(b), false));
    System.arraycopy(b, 0, model, block * 4096, 4096);
  }

  @Test
  void aLargeWriteWhoseSegmentCannotBeWrittenIsJournaledInstead() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      // Two stores fail: four are left for RS(4,2)'s six shards, so no segment can be placed.
      for (int i = 0; i < 2; i++) {
        Path shards = rig.shardStores.get(i).path().resolve("segments");
        try (Stream<Path> files = Files.walk(shards)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      byte[] data = random((int) MiB, 32);
      await(v.write(0, bytes(data), false)); // a shard write fails: the stores are marked failed
      byte[] more = random((int) MiB, 33);
      await(v.write(2 * MiB, bytes(more), false)); // no placement at all

      assertThat(v.journalBytes()).isPositive();
      assertThat(v.data().segments()).isEmpty();
      assertThat(array(await(v.read(0, (int) MiB)))).isEqualTo(data);
      assertThat(array(await(v.read(2 * MiB, (int) MiB)))).isEqualTo(more);
      // The shards the first write did manage to write are deleted again.
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertThat(rig.shardCount()).isZero());
    }
  }

  @Test
  void acknowledgedWritesSurviveARestart() throws Exception {
    byte[] data = texty((int) (3 * MiB), 5);
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      await(v.write(4096, bytes(data), true));
      await(v.maybeSeal(true));
      await(v.write(5 * MiB, bytes(Arrays.copyOf(data, 8192)), false));
    }
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.volumes.local("v").orElseThrow();

      assertThat(array(await(v.read(4096, data.length)))).isEqualTo(data);
      assertThat(array(await(v.read(5 * MiB, 8192)))).isEqualTo(Arrays.copyOf(data, 8192));
      assertThat(v.data().state().getEpoch()).isEqualTo(2);
    }
  }

  /**
   * Segments recorded before chunk lists have one segment-chunk row per chunk. After a restart
   * they are still reclaimed when nothing in them is live, and compacted: a chunk that leaves
   * such a segment takes its row along, and nothing of the segment is left in the table once it
   * is gone. New segments get a list.
   */
  @Test
  void segmentsOfTheFirstFormatAreStillCompactedAndLeaveNoRows() throws Exception {
    byte[] model = random((int) (2 * MiB), 43);
    List<SegmentRecord> firstFormat = new ArrayList<>();
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 8 * MiB, VolumePolicy.DEFAULT);
      await(v.write(0, bytes(Arrays.copyOf(model, (int) MiB)), false)); // large: one segment
      writeInPieces(v, new byte[model.length], MiB, Arrays.copyOfRange(model, (int) MiB,
          model.length)); // small: journaled, then sealed
      while (v.journalBytes() > 0) {
        await(v.maybeSeal(true));
      }
      // Rewrite the rows as the first format had them.
      try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
        for (SegmentRecord seg : v.data().segments()) {
          for (long cn : v.data().chunksOf(seg.getSegmentId()).keySet()) {
            batch.put(rig.meta.cf(Table.SEGMENT_CHUNKS), VolumeKeys.segmentChunk(
                seg.getSegmentId(), cn), new byte[0]);
          }
          batch.delete(rig.meta.cf(Table.SEGMENT_CHUNKS),
              VolumeKeys.segmentChunk(seg.getSegmentId(), 0));
          SegmentRecord old = seg.toBuilder().clearChunkList().build();
          batch.put(rig.meta.cf(Table.SEGMENTS), VolumeKeys.segment(v.id(), seg.getSegmentId()),
              old.toByteArray());
          firstFormat.add(old);
        }
        rig.meta.commit(batch);
      }
    }
    assertThat(firstFormat).hasSizeGreaterThanOrEqualTo(2);
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.volumes.local("v").orElseThrow();
      assertRowsAgree(rig, v);
      // The first MiB (the large write's segment) overwritten whole: that segment goes at once,
      // with nothing live. Three blocks in four of the second: its segment falls to a quarter.
      for (int block = 0; block < 512; block++) {
        if (block < 256 || block % 4 != 0) {
          overwriteBlock(v, model, block, 2000 + block);
        }
      }
      while (v.journalBytes() > 0) {
        await(v.maybeSeal(true));
      }
      assertThat(v.data().segments()).extracting(SegmentRecord::getSegmentId)
          .doesNotContain(firstFormat.get(0).getSegmentId());
      assertRowsAgree(rig, v);

      assertThat(await(v.compact())).isGreaterThanOrEqualTo(1);

      List<Long> ids = v.data().segments().stream().map(SegmentRecord::getSegmentId).toList();
      for (SegmentRecord old : firstFormat) {
        assertThat(ids).doesNotContain(old.getSegmentId());
      }
      assertThat(v.data().segments()).allMatch(SegmentRecord::getChunkList);
      assertRowsAgree(rig, v); // no row of the old segments is left
      assertLiveBytesMatchTheChunks(v);
      assertThat(array(await(v.read(0, model.length)))).isEqualTo(model);
    }
  }

  @Test
  void theCatalogCreatesListsGrowsAndDeletesAndRefusesConflicts() throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      rig.create("a", MiB, VolumePolicy.DEFAULT);
      LocalVolume b = rig.create("b", MiB, VolumePolicy.PLAIN);
      await(b.write(0, bytes(random(100_000, 1)), false));
      await(b.maybeSeal(true));

      assertThat(await(rig.volumes.list())).extracting(VolumeInfo::name).containsExactly("a", "b");
      assertThat(await(rig.volumes.grow("a", 2 * MiB)).sizeBytes()).isEqualTo(2 * MiB);
      assertThatThrownBy(() -> await(rig.volumes.create("a", MiB, 4096, VolumePolicy.DEFAULT)))
          .cause().isInstanceOf(VolumeAdminException.class)
          .matches(e -> ((VolumeAdminException) e).kind() == VolumeAdminException.Kind.CONFLICT);
      assertThatThrownBy(() -> await(rig.volumes.create("big", MiB, 4096,
          new VolumePolicy(6, 3, VolumePolicy.Compression.LZ4, true, true))))
          .cause().matches(e -> ((VolumeAdminException) e).kind()
              == VolumeAdminException.Kind.UNPLACEABLE);
      assertThatThrownBy(() -> await(rig.volumes.create("../etc", MiB, 4096,
          VolumePolicy.DEFAULT)))
          .cause().matches(e -> ((VolumeAdminException) e).field().equals("name"));
      assertThatThrownBy(() -> await(rig.volumes.grow("a", MiB))).cause()
          .matches(e -> ((VolumeAdminException) e).kind() == VolumeAdminException.Kind.CONFLICT);

      await(rig.volumes.delete("b"));

      assertThat(await(rig.volumes.list())).extracting(VolumeInfo::name).containsExactly("a");
      assertThat(rig.shardCount()).isZero();
      assertThatThrownBy(() -> await(rig.volumes.get("b"))).cause()
          .matches(e -> ((VolumeAdminException) e).kind() == VolumeAdminException.Kind.NOT_FOUND);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
