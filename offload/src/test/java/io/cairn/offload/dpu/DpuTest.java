package io.cairn.offload.dpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.offload.compress.Codec;
import io.cairn.offload.ec.ReedSolomon;
import io.cairn.offload.pipeline.SegmentCodec;
import io.cairn.offload.pipeline.ShardSource;
import io.cairn.offload.pipeline.Chunk;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.offload.pipeline.ChunkCorruptException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;

class DpuTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Throwable failureOf(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("stage did not fail but " + e, e);
    }
    throw new AssertionError("stage completed normally");
  }

  private static List<ByteBuffer> blocks(int count, long seed) {
    Random random = new Random(seed);
    List<ByteBuffer> blocks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] b = new byte[4096];
      // Half random, half repetitive: compressible but not trivially.
      for (int j = 0; j < b.length; j++) {
        b[j] = j % 2 == 0 ? (byte) random.nextInt() : (byte) (j / 64);
      }
      blocks.add(ByteBuffer.wrap(b));
    }
    return blocks;
  }

  @Test
  void engineWorkRunsOnlyOnDpuDispatcherThreads() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(2, 16)) {
      String caller = Thread.currentThread().getName();
      List<CompletionStage<String>> names = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        Engine engine = Engine.values()[i % Engine.values().length];
        names.add(kit.dpu.submit(engine, 0, () -> Thread.currentThread().getName(), s -> 0));
      }
      for (CompletionStage<String> name : names) {
        assertThat(await(name))
            .contains(DpuSettings.DISPATCHER)
            .doesNotContain("default-dispatcher")
            .isNotEqualTo(caller);
      }
    }
  }

  @Test
  void blocksRoundTripThroughTheChunkPipelineAsOneJob() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 8)) {
      ChunkCodec codec = DpuTestKit.codec(Codec.LZ4);
      List<ByteBuffer> blocks = blocks(16, 1);

      List<Chunk> chunks = await(kit.dpu.encodeBlocks(codec, blocks));

      assertThat(chunks).hasSize(16);
      for (int i = 0; i < chunks.size(); i++) {
        ByteBuffer block = await(kit.dpu.decodeChunk(codec, chunks.get(i).bytes(),
            chunks.get(i).id()));
        assertThat(block).isEqualTo(blocks.get(i).duplicate().rewind());
      }
      assertThat(kit.registry.get("cairn.dpu.operations").tag("engine", "chunk-encode")
          .counter().count()).isEqualTo(1.0);
      assertThat(kit.registry.get("cairn.dpu.bytes.in").tag("engine", "chunk-encode")
          .counter().count()).isEqualTo(16 * 4096.0);
      assertThat(kit.registry.get("cairn.dpu.operations").tag("engine", "chunk-decode")
          .counter().count()).isEqualTo(16.0);
      assertThat(kit.registry.get("cairn.dpu.cpu.seconds").tag("engine", "chunk-encode")
          .functionCounter().count()).isPositive();
    }
  }

  @Test
  void aFullQueueRefusesAtOnceAndNeverHoldsMoreThanItsDepth() throws Exception {
    int depth = 8;
    try (DpuTestKit kit = new DpuTestKit(1, depth)) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger ran = new AtomicInteger();
      List<CompletionStage<Integer>> accepted = new ArrayList<>();
      int refused = 0;
      for (int i = 0; i < depth * 10; i++) {
        // Each job would pin 1 MiB if it were queued; refused ones must not be kept.
        ByteBuffer payload = ByteBuffer.allocate(1 << 20);
        CompletionStage<Integer> stage = kit.dpu.submit(Engine.SEGMENT_ENCODE, payload.capacity(),
            () -> {
              release.await();
              ran.incrementAndGet();
              return payload.capacity();
            }, n -> n);
        if (stage.toCompletableFuture().isCompletedExceptionally()) {
          assertThat(failureOf(stage)).isInstanceOf(DpuException.QueueFull.class);
          refused++;
        } else {
          accepted.add(stage);
        }
        assertThat(kit.dpu.queueDepth(Engine.SEGMENT_ENCODE)).isLessThanOrEqualTo(depth);
      }
      release.countDown();
      for (CompletionStage<Integer> stage : accepted) {
        assertThat(await(stage)).isEqualTo(1 << 20);
      }

      assertThat(accepted).hasSize(depth);
      assertThat(refused).isEqualTo(depth * 9);
      assertThat(ran.get()).isEqualTo(depth);
      assertThat(kit.registry.get("cairn.dpu.refusals").tag("engine", "segment-encode")
          .counter().count()).isEqualTo(depth * 9.0);
      assertThat(kit.dpu.queueDepth(Engine.SEGMENT_ENCODE)).isZero();
    }
  }

  @Test
  void aFullEngineDoesNotRefuseTheOthers() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 2)) {
      CountDownLatch release = new CountDownLatch(1);
      List<CompletionStage<Integer>> busy = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        busy.add(kit.dpu.submit(Engine.RECONSTRUCT, 0, () -> {
          release.await();
          return 1;
        }, n -> 0));
      }
      CompletionStage<Integer> other = kit.dpu.submit(Engine.CHECKSUM, 0, () -> 2, n -> 0);
      assertThat(other.toCompletableFuture().isCompletedExceptionally()).isFalse();
      release.countDown();
      assertThat(await(other)).isEqualTo(2);
      for (CompletionStage<Integer> b : busy) {
        assertThat(await(b)).isEqualTo(1);
      }
    }
  }

  @Test
  void aFlowBackPressuresInsteadOfOverflowingTheQueue() throws Exception {
    int depth = 4;
    try (DpuTestKit kit = new DpuTestKit(1, depth)) {
      AtomicInteger maxDepthSeen = new AtomicInteger();
      List<Integer> out = await(Source.range(1, 500)
          .via(kit.dpu.flow(Engine.CHECKSUM, 1000, (Integer i) ->
              kit.dpu.submit(Engine.CHECKSUM, 4, () -> {
                maxDepthSeen.accumulateAndGet(kit.dpu.queueDepth(Engine.CHECKSUM), Math::max);
                return i * 2;
              }, n -> 4)))
          .runWith(Sink.seq(), kit.testKit.system()));

      assertThat(out).hasSize(500);
      assertThat(out.get(0)).isEqualTo(2);
      assertThat(out.get(499)).isEqualTo(1000);
      assertThat(maxDepthSeen.get()).isBetween(1, depth);
      assertThat(kit.registry.get("cairn.dpu.refusals").tag("engine", "checksum")
          .counter().count()).isZero();
    }
  }

  @Test
  void anEngineExceptionFailsOnlyThatJobWithItsOwnType() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 8)) {
      ChunkCodec codec = DpuTestKit.codec(Codec.ZSTD);
      List<Chunk> chunks = await(kit.dpu.encodeBlocks(codec, blocks(2, 2)));
      ByteBuffer tampered = ByteBuffer.allocate(chunks.get(0).bytes().remaining())
          .put(chunks.get(0).bytes().duplicate()).flip();
      tampered.put(tampered.limit() - 1, (byte) (tampered.get(tampered.limit() - 1) ^ 1));

      Throwable failure = failureOf(kit.dpu.decodeChunk(codec, tampered, chunks.get(0).id()));
      ByteBuffer fine = await(kit.dpu.decodeChunk(codec, chunks.get(1).bytes(),
          chunks.get(1).id()));

      assertThat(failure).isInstanceOf(ChunkCorruptException.class);
      assertThat(fine.remaining()).isEqualTo(4096);
      assertThat(kit.registry.get("cairn.dpu.failures").tag("engine", "chunk-decode")
          .counter().count()).isEqualTo(1.0);
    }
  }

  @Test
  void anEngineErrorFailsTheJobAndTheRestartedWorkerKeepsServing() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 8)) {
      CompletionStage<Integer> crashed = kit.dpu.submit(Engine.RECONSTRUCT, 0, () -> {
        throw new AssertionError("simulated engine bug");
      }, n -> 0);

      assertThat(failureOf(crashed)).isInstanceOf(DpuException.EngineCrashed.class)
          .hasCauseInstanceOf(AssertionError.class);
      for (int i = 0; i < 10; i++) {
        int n = i;
        assertThat(await(kit.dpu.submit(Engine.RECONSTRUCT, 0, () -> n, x -> 0))).isEqualTo(n);
      }
    }
  }

  @Test
  void shutdownFailsJobsThatDoNotFinishInTimeAndRefusesNewOnes() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 8, "300ms")) {
      CountDownLatch never = new CountDownLatch(1);
      CompletionStage<Integer> stuck = kit.dpu.submit(Engine.SEGMENT_ENCODE, 0, () -> {
        never.await(20, TimeUnit.SECONDS);
        return 1;
      }, n -> 0);
      CompletionStage<Integer> queued = kit.dpu.submit(Engine.SEGMENT_ENCODE, 0, () -> 2, n -> 0);

      await(kit.dpu.shutdown());

      assertThat(failureOf(stuck)).isInstanceOf(DpuException.ShutDown.class);
      assertThat(failureOf(queued)).isInstanceOf(DpuException.ShutDown.class);
      assertThat(failureOf(kit.dpu.submit(Engine.CHECKSUM, 0, () -> 3, n -> 0)))
          .isInstanceOf(DpuException.ShutDown.class);
      never.countDown();
    }
  }

  @Test
  void shutdownLetsJobsInFlightFinish() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 8)) {
      CompletionStage<Integer> slow = kit.dpu.submit(Engine.SEGMENT_ENCODE, 0, () -> {
        Thread.sleep(200);
        return 7;
      }, n -> 0);

      await(kit.dpu.shutdown());

      assertThat(await(slow)).isEqualTo(7);
    }
  }

  /** Starting the tier warms the erasure-coding kernel, and the warm-up's parity is right. */
  @Test
  void startWarmsTheErasureCodingKernelWithCorrectParity() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 8)) {
      var result = await(kit.dpu.ecWarmUp());

      assertThat(result.rounds()).isBetween(1, kit.dpu.settings().ecWarmUpRoundsMax());
      assertThat(result.parityMatchesScalar()).isTrue();
      assertThat(kit.dpu.queueDepth(Engine.SEGMENT_ENCODE)).isZero();
    }
  }

  @Test
  void invalidArgumentsAreNamed() {
    try (DpuTestKit kit = new DpuTestKit(1, 8)) {
      assertThatThrownBy(() -> kit.dpu.encodeBlocks(null, List.of()))
          .isInstanceOf(NullPointerException.class).hasMessage("codec");
      assertThatThrownBy(() -> kit.dpu.flow(Engine.CHECKSUM, 0, x -> CompletableFuture.completedFuture(x)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
      assertThatThrownBy(() -> new DpuSettings(0, 8, Duration.ofSeconds(1), 0, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cairn.dpu.threads");
    }
  }

  @Test
  void cpuAccountingSplitsProcessTimeBetweenDpuAndApplication() {
    long[] dpu = {0};
    long[] process = {0};
    CpuAccounting cpu = new CpuAccounting(() -> dpu[0], () -> process[0]);
    dpu[0] = 3_000_000_000L;
    process[0] = 5_000_000_000L;

    assertThat(cpu.dpuCpuNanos()).isEqualTo(3_000_000_000L);
    assertThat(cpu.applicationCpuNanos()).isEqualTo(2_000_000_000L);
    cpu.sample();
    assertThat(cpu.dpuCores()).isPositive();
    assertThat(cpu.dpuCores() / cpu.applicationCores()).isCloseTo(1.5, org.assertj.core.data.Offset.offset(0.01));
  }


  @Test
  void aSealedSegmentReadsBackWithALostShardReconstructed() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 8)) {
      SegmentCodec codec = new SegmentCodec(ReedSolomon.create(4, 2), 1 << 20);
      byte[] data = new byte[300_000];
      new Random(5).nextBytes(data);

      Dpu.SealedSegment sealed = await(kit.dpu.sealSegment(codec, ByteBuffer.wrap(data)));
      List<ByteBuffer> shards = sealed.shards();
      // Shard 1 is lost: the source says so, and the range it held comes back anyway.
      ShardSource withoutShard1 = (index, from, out) -> {
        if (index == 1) {
          return false;
        }
        out.put(shards.get(index).duplicate().position(from).limit(from + out.remaining()));
        return true;
      };
      int offset = sealed.layout().shardBytes() - 100;
      ByteBuffer range = await(kit.dpu.readSegment(codec, sealed.layout(), withoutShard1,
          offset, 5000));

      assertThat(shards).hasSize(6);
      assertThat(range).isEqualTo(ByteBuffer.wrap(data, offset, 5000));
      assertThat(await(kit.dpu.shardIntact(codec, sealed.layout(), 2, shards.get(2)))).isTrue();
      shards.get(2).put(7, (byte) (shards.get(2).get(7) ^ 0x10));
      assertThat(await(kit.dpu.shardIntact(codec, sealed.layout(), 2, shards.get(2)))).isFalse();
    }
  }
}
