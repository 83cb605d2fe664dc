package io.cairn.node.volume;

import static io.cairn.node.volume.VolumeRig.array;
import static io.cairn.node.volume.VolumeRig.await;
import static io.cairn.node.volume.VolumeRig.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.node.SerialExecutor;
import io.cairn.offload.dedup.Fingerprint;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.pipeline.Chunk;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.protocol.segment.SegmentRecord;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The leader's read-modify-write with its timing pinned: a second leader runs over a real
 * volume's parts, the test holds the volume's lane (so a write stays in flight) and the loads of
 * stored blocks (so a write waits for one while the other commits).
 */
class VolumeActorTest {

  private static final int BLOCK = 4096;

  @TempDir
  Path dir;

  /**
   * A large write's segment bytes are its chunks back to back: a view of the DPU tier's output
   * when the chunks lie one after the other in one array (they do: one job encodes them into one
   * buffer), else a copy; the same bytes either way.
   */
  @Test
  void aLargeWritesChunksBecomeItsSegmentWithoutACopyWhenTheyAreAdjacent() {
    byte[] encoded = random(3 * 1000 + 17, 7);
    Fingerprint id = new Fingerprint(1, 2, 3, 4);
    List<Chunk> adjacent = List.of(
        new Chunk(id, ByteBuffer.wrap(encoded, 17, 1000).slice()),
        new Chunk(id, ByteBuffer.wrap(encoded, 1017, 900).slice()),
        new Chunk(id, ByteBuffer.wrap(encoded, 1917, 1100).slice()));
    byte[] expected = Arrays.copyOfRange(encoded, 17, 3017);

    ByteBuffer view = VolumeActor.backToBack(adjacent);
    assertThat(array(view)).isEqualTo(expected);
    assertThat(view.array()).isSameAs(encoded);

    // A gap between two chunks, or a chunk in another array: copied.
    List<Chunk> gap = List.of(adjacent.get(0), adjacent.get(2));
    ByteBuffer copied = VolumeActor.backToBack(gap);
    assertThat(copied.array()).isNotSameAs(encoded);
    assertThat(array(copied)).isEqualTo(ByteBuffer.allocate(2100)
        .put(0, encoded, 17, 1000).put(1000, encoded, 1917, 1100).array());
    List<Chunk> elsewhere = List.of(adjacent.get(0),
        new Chunk(id, ByteBuffer.wrap(Arrays.copyOfRange(encoded, 1017, 1917))),
        adjacent.get(2));
    ByteBuffer joined = VolumeActor.backToBack(elsewhere);
    assertThat(joined.array()).isNotSameAs(encoded);
    assertThat(array(joined)).isEqualTo(expected);
  }

  /**
   * Write A changes block 1; B (a write, or zeroes) changes the end of block 1 and the start of
   * block 3, so it takes block 1's old content from A (in flight) and loads block 3's. A commits
   * while B's load is held. B must still keep A's bytes at the start of block 1.
   */
  @ParameterizedTest(name = "B is a {0}")
  @ValueSource(strings = {"write", "zero"})
  void aPartialBlockKeepsTheWriteInFlightItWasBuiltOnEvenIfThatCommitsDuringTheLoad(String b)
      throws Exception {
    try (VolumeRig rig = new VolumeRig(dir)) {
      LocalVolume v = rig.create("v", 1 << 20, VolumePolicy.DEFAULT);
      HeldLoads backend = new HeldLoads(v.backend());
      ActorRef<VolumeActor.Command> leader = rig.kit.spawn(VolumeActor.create(backend, 16, 64));

      CountDownLatch laneHeld = VolumeRig.holdLane(v);
      byte[] a = random(BLOCK, 1);
      CompletableFuture<Void> doneA = new CompletableFuture<>();
      leader.tell(new VolumeActor.Write(BLOCK, ByteBuffer.wrap(a), doneA));
      byte[] bytesB = b.equals("write") ? random(2 * BLOCK, 2) : new byte[2 * BLOCK];
      CompletableFuture<Void> doneB = new CompletableFuture<>();
      leader.tell(b.equals("write")
          ? new VolumeActor.Write(BLOCK + 100, ByteBuffer.wrap(bytesB), doneB)
          : new VolumeActor.Zero(BLOCK + 100, bytesB.length, true, doneB));
      await().atMost(Duration.ofSeconds(30)).until(() -> !backend.loads.isEmpty());
      assertThat(backend.loads).containsExactly(List.of(3L));

      laneHeld.countDown();
      await(doneA);
      await(v.lane().submit(() -> null)); // A's turn is over: its Committed is in the mailbox
      backend.release.complete(null);
      await(doneB);

      byte[] expected = new byte[3 * BLOCK];
      System.arraycopy(a, 0, expected, 0, BLOCK);
      System.arraycopy(bytesB, 0, expected, 100, bytesB.length);
      assertThat(array(await(v.read(BLOCK, 3 * BLOCK)))).isEqualTo(expected);
    }
  }

  /** A volume's own backend, except that loads of stored blocks wait for {@link #release}. */
  private static final class HeldLoads implements VolumeActor.Backend {
    final VolumeActor.Backend real;
    final List<List<Long>> loads = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> release = new CompletableFuture<>();

    HeldLoads(VolumeActor.Backend real) {
      this.real = real;
    }

    @Override public CompletionStage<Map<Long, ByteBuffer>> readBlocks(List<Long> blocks) {
      loads.add(List.copyOf(blocks));
      return release.thenCompose(x -> real.readBlocks(blocks));
    }

    @Override public String name() {
      return real.name();
    }

    @Override public int blockBytes() {
      return real.blockBytes();
    }

    @Override public ChunkCodec chunkCodec() {
      return real.chunkCodec();
    }

    @Override public Dpu dpu() {
      return real.dpu();
    }

    @Override public SerialExecutor lane() {
      return real.lane();
    }

    @Override public VolumeData data() {
      return real.data();
    }

    @Override public long id() {
      return real.id();
    }

    @Override public BlockCache cache() {
      return real.cache();
    }

    @Override public int directWriteBytes() {
      return real.directWriteBytes();
    }

    @Override public CompletionStage<SegmentRecord> writeSegment(ByteBuffer bytes) {
      return real.writeSegment(bytes);
    }

    @Override public void discard(SegmentRecord segment) {
      real.discard(segment);
    }

    @Override public void committed(int writes, long nanos) {
      real.committed(writes, nanos);
    }
  }
}
