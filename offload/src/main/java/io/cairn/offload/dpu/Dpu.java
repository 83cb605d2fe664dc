package io.cairn.offload.dpu;

import io.cairn.offload.dedup.Fingerprint;
import io.cairn.offload.ec.KernelWarmUp;
import io.cairn.offload.pipeline.Chunk;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.offload.pipeline.SegmentCodec;
import io.cairn.offload.pipeline.SegmentShards;
import io.cairn.offload.pipeline.ShardSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Routers;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The DPU tier's facade: the only way the node gets engine work done.
 *
 * <p>Every operation returns a {@link CompletionStage} at once. The work runs on DPU actors on
 * {@value DpuSettings#DISPATCHER} — a fixed pool of {@code cairn.dpu.threads} threads that runs
 * nothing else — never on the caller's thread or the default dispatcher. Each {@link Engine} has
 * a submission queue bounded by {@code cairn.dpu.queue-depth}: a submission beyond it fails at
 * once with {@link DpuException.QueueFull} (nothing is buffered without bound), and
 * {@link #flow} gives Pekko Streams callers back-pressure instead.
 *
 * <p>Failures: an engine's own exception (a corrupt chunk, too many lost shards) fails that job
 * with that exception, unwrapped; an engine {@link Error} fails the job with
 * {@link DpuException.EngineCrashed} and its worker is restarted by its supervisor. Shutdown
 * (coordinated shutdown, phase service-stop) refuses new work, waits up to
 * {@code cairn.dpu.shutdown-timeout} for jobs in flight, then fails the rest with
 * {@link DpuException.ShutDown}: no stage is left pending.
 *
 * <p>The facade keeps no per-volume state; the node passes the volume's codecs with each call.
 * The same interface could therefore be served by a DPU in another process later.
 */
public final class Dpu {

  private final DpuSettings settings;
  private final DpuMeters meters;
  private final CpuAccounting cpu;
  private final Map<Engine, ActorRef<DpuWorker.Run>> routers = new EnumMap<>(Engine.class);
  private final Map<Engine, AtomicInteger> inFlight = new EnumMap<>(Engine.class);
  private final Set<DpuJob<?>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean accepting = true;
  private volatile CompletionStage<KernelWarmUp.Result> ecWarmUp =
      CompletableFuture.completedFuture(null);

  private Dpu(ActorSystem<?> system, DpuSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.meters = new DpuMeters(registry);
    this.cpu = new CpuAccounting(meters::totalCpuNanos);
    cpu.register(registry);
    DispatcherSelector dispatcher = DispatcherSelector.fromConfig(DpuSettings.DISPATCHER);
    for (Engine engine : Engine.values()) {
      // One worker per DPU thread and engine: an engine can use every DPU thread when the others
      // are idle, and the dispatcher's fixed pool bounds what all of them use together.
      var pool = Routers.pool(settings.threads(), DpuWorker.create(engine))
          .withRoundRobinRouting()
          .withRouteeProps(dispatcher);
      routers.put(engine, system.systemActorOf(pool, "dpu-" + engine.tag(), dispatcher));
      inFlight.put(engine, meters.of(engine).queueDepth);
    }
  }

  /**
   * Starts the DPU tier in {@code system}, whose configuration must have passed through
   * {@link DpuSettings#applyTo}. Its drain is registered with the system's coordinated shutdown.
   */
  public static Dpu start(ActorSystem<?> system, MeterRegistry registry) {
    DpuSettings settings = DpuSettings.from(system.settings().config());
    Dpu dpu = new Dpu(system, settings, registry);
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseServiceStop(), "dpu-drain",
        () -> dpu.shutdown().thenApply(ignored -> Done.getInstance()));
    if (settings.ecWarmUpRoundsMax() > 0) {
      // On a thread of its own, not through an engine queue: it is not a job of anyone's and
      // must not show in the engines' meters, and on a DPU thread it would hold every real job
      // (the first writes after a restart) behind it for seconds. What it leaves behind is the
      // compiled kernel, which every thread shares.
      dpu.ecWarmUp = CompletableFuture.supplyAsync(
          () -> KernelWarmUp.run(settings.ecWarmUpRoundsMax(), settings.ecWarmUpBudget()),
          task -> {
            Thread t = new Thread(task, "cairn-dpu-ec-warm-up");
            t.setDaemon(true);
            t.start();
          });
    }
    // Core figures are per interval: sample once a second, off the DPU threads.
    system.scheduler().scheduleAtFixedRate(
        Duration.ofSeconds(1), Duration.ofSeconds(1), dpu.cpu::sample, system.executionContext());
    return dpu;
  }

  /**
   * The erasure-coding warm-up started with the tier: completes with what it did, or with null
   * if it is turned off ({@code cairn.dpu.ec-warm-up.rounds = 0}).
   */
  public CompletionStage<KernelWarmUp.Result> ecWarmUp() {
    return ecWarmUp;
  }

  public DpuSettings settings() {
    return settings;
  }

  public CpuAccounting cpu() {
    return cpu;
  }

  /** Jobs of {@code engine} accepted and not yet completed. */
  public int queueDepth(Engine engine) {
    return inFlight.get(engine).get();
  }

  // ---- Chunk pipeline -------------------------------------------------------------------------

  /**
   * block → chunk for all blocks of one write, as one job: fingerprint, compress, encrypt under
   * the codec's policy. The chunks are slices of one buffer allocated for the batch.
   */
  public CompletionStage<List<Chunk>> encodeBlocks(ChunkCodec codec, List<ByteBuffer> blocks) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(blocks, "blocks");
    long bytesIn = 0;
    int dstBytes = 0;
    for (ByteBuffer block : blocks) {
      bytesIn += block.remaining();
      dstBytes += codec.maxChunkBytes(block.remaining());
    }
    int capacity = dstBytes;
    return submit(Engine.CHUNK_ENCODE, bytesIn, () -> {
      ByteBuffer dst = ByteBuffer.allocate(capacity);
      List<ByteBuffer> views = new ArrayList<>(blocks.size());
      for (ByteBuffer block : blocks) {
        views.add(block.duplicate());
      }
      return codec.encodeAll(views, dst);
    }, chunks -> {
      long out = 0;
      for (Chunk c : chunks) {
        out += c.bytes().remaining();
      }
      return out;
    });
  }

  /** chunk → block: decrypt, decompress, verify that the block's fingerprint is {@code id}. */
  public CompletionStage<ByteBuffer> decodeChunk(ChunkCodec codec, ByteBuffer chunk, Fingerprint id) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(chunk, "chunk");
    ByteBuffer view = chunk.duplicate();
    return submit(Engine.CHUNK_DECODE, view.remaining(), () -> {
      ByteBuffer dst = ByteBuffer.allocate(ChunkCodec.decodedBytes(view.duplicate()));
      codec.decode(view, id, dst);
      return dst.flip();
    }, ByteBuffer::remaining);
  }

  /**
   * chunk → block for several chunks (the blocks of one read), as one job. Each block is verified
   * against its chunk's id; the first failure fails the job with the engine's exception.
   */
  public CompletionStage<List<ByteBuffer>> decodeChunks(ChunkCodec codec, List<Chunk> chunks) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(chunks, "chunks");
    long bytesIn = 0;
    List<Chunk> views = new ArrayList<>(chunks.size());
    for (Chunk c : chunks) {
      bytesIn += c.bytes().remaining();
      views.add(new Chunk(c.id(), c.bytes().duplicate()));
    }
    return submit(Engine.CHUNK_DECODE, bytesIn, () -> {
      List<ByteBuffer> blocks = new ArrayList<>(views.size());
      for (Chunk c : views) {
        ByteBuffer dst = ByteBuffer.allocate(ChunkCodec.decodedBytes(c.bytes().duplicate()));
        codec.decode(c.bytes(), c.id(), dst);
        blocks.add(dst.flip());
      }
      return blocks;
    }, blocks -> {
      long out = 0;
      for (ByteBuffer b : blocks) {
        out += b.remaining();
      }
      return out;
    });
  }

  // ---- Segments -------------------------------------------------------------------------------

  /** A sealed segment: its k+m shards and the lengths and CRC32C to record with them. */
  public record SealedSegment(SegmentShards layout, List<ByteBuffer> shards) {}

  /**
   * segment → k+m shards + CRC32C each (Reed-Solomon encode), as one job. A data shard that lies
   * wholly inside the segment is a view of it ({@link SegmentCodec#encodeSharing}: the segment
   * must not change while the shards are in use); the others are fresh buffers.
   */
  public CompletionStage<SealedSegment> sealSegment(SegmentCodec codec, ByteBuffer segment) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(segment, "segment");
    ByteBuffer view = segment.duplicate();
    int shardCount = codec.code().totalShards();
    return submit(Engine.SEGMENT_ENCODE, view.remaining(), () -> {
      ByteBuffer[] shards = new ByteBuffer[shardCount];
      SegmentShards layout = codec.encodeSharing(view, shards);
      return new SealedSegment(layout, List.of(shards));
    }, sealed -> (long) sealed.layout().shardBytes() * shardCount);
  }

  /**
   * Reads segment bytes [offset, offset + lengthBytes) from shard bytes the caller has already
   * fetched (the source must not do I/O: it runs on a DPU thread), reconstructing any piece whose
   * shard the source reports missing or corrupt.
   */
  public CompletionStage<ByteBuffer> readSegment(SegmentCodec codec, SegmentShards layout,
      ShardSource fetched, int offset, int lengthBytes) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(fetched, "fetched");
    return submit(Engine.RECONSTRUCT, lengthBytes, () -> {
      ByteBuffer out = ByteBuffer.allocate(lengthBytes);
      codec.read(layout, fetched, offset, lengthBytes, out);
      return out;
    }, ByteBuffer::remaining);
  }

  /**
   * Rebuilds the shards marked absent in {@code present} from the others (scrub and repair): the
   * absent entries of {@code shards} must be writable buffers of the shard size.
   */
  public CompletionStage<List<ByteBuffer>> reconstructShards(
      SegmentCodec codec, List<ByteBuffer> shards, boolean[] present) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(shards, "shards");
    boolean[] presentCopy = present.clone();
    ByteBuffer[] array = shards.toArray(new ByteBuffer[0]);
    long bytesIn = 0;
    for (int i = 0; i < array.length; i++) {
      if (presentCopy[i]) {
        bytesIn += array[i].remaining();
      }
    }
    return submit(Engine.RECONSTRUCT, bytesIn, () -> {
      codec.code().reconstruct(array, presentCopy);
      return List.of(array);
    }, rebuilt -> 0);
  }

  /** Whether a whole shard still matches its recorded CRC32C (scrub). */
  public CompletionStage<Boolean> shardIntact(
      SegmentCodec codec, SegmentShards layout, int shardIndex, ByteBuffer shard) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(shard, "shard");
    ByteBuffer view = shard.duplicate();
    return submit(Engine.CHECKSUM, view.remaining(),
        () -> codec.shardIntact(layout, shardIndex, view), ok -> 0);
  }

  // ---- Streams ----------------------------------------------------------------------------------

  /**
   * A flow that runs {@code job} for each element on the DPU tier, in order, with at most
   * {@code parallelism} (capped at the queue depth) in flight: a full engine back-pressures the
   * stream upstream instead of buffering. A job the DPU refuses fails the stream with its
   * {@link DpuException}.
   */
  public <I, O> Flow<I, O, NotUsed> flow(
      Engine engine, int parallelism, Function<I, CompletionStage<O>> job) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    int bounded = Math.min(parallelism, settings.queueDepthMax());
    return Flow.<I>create().mapAsync(bounded, job::apply);
  }

  // ---- Submission ------------------------------------------------------------------------------

  /**
   * Submits engine work. Package-private: the node reaches engines only through the typed
   * operations above, so that what runs here stays the DPU tier's business.
   */
  <T> CompletionStage<T> submit(
      Engine engine, long bytesIn, Callable<T> work, ToLongFunction<T> bytesOut) {
    DpuMeters.EngineMeters m = meters.of(engine);
    if (!accepting) {
      return CompletableFuture.failedFuture(
          new DpuException.ShutDown(engine, "the DPU tier is shutting down"));
    }
    var depth = inFlight.get(engine);
    if (depth.incrementAndGet() > settings.queueDepthMax()) {
      depth.decrementAndGet();
      m.refusals.increment();
      return CompletableFuture.failedFuture(
          new DpuException.QueueFull(engine, settings.queueDepthMax()));
    }
    DpuJob<T> job = new DpuJob<>(engine, bytesIn, work, bytesOut, m, done -> {
      depth.decrementAndGet();
      pending.remove(done);
    });
    pending.add(job);
    routers.get(engine).tell(new DpuWorker.Run(job));
    return job.result();
  }

  /**
   * Stops accepting work, waits for the jobs in flight (at most the shutdown timeout), then fails
   * whatever is left. Completes when every job has completed one way or the other.
   */
  public CompletionStage<Void> shutdown() {
    accepting = false;
    CompletableFuture<?>[] inFlightNow = pending.stream()
        .map(DpuJob::result).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(inFlightNow)
        .orTimeout(settings.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle((ok, timeout) -> {
          for (DpuJob<?> job : List.copyOf(pending)) {
            job.abandon(new DpuException.ShutDown(job.engine(),
                "not finished within " + settings.shutdownTimeout() + " of shutdown"));
          }
          return null;
        });
  }
}
