package io.cairn.node.volume;

import io.cairn.node.SerialExecutor;
import io.cairn.node.meta.MetaStore;
import io.cairn.node.meta.MetaStore.Table;
import io.cairn.node.placement.Rendezvous;
import io.cairn.node.store.ShardStore;
import io.cairn.node.store.Stores;
import io.cairn.node.volume.VolumeData.SegmentDraft;
import io.cairn.node.volume.VolumeException.Kind;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.pipeline.Chunk;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.offload.pipeline.SegmentCodec;
import io.cairn.protocol.segment.SegmentRecord;
import io.cairn.protocol.segment.VolumeState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A volume served by this node: the {@link BlockVolume} frontends use, backed by its leader actor
 * (writes), its reader (reads), its lane (metadata), the DPU tier (engines) and the stores.
 *
 * <p>Background work per volume: sealing journaled chunks into erasure-coded segments (when a
 * segment's worth has accumulated, or the volume has been idle for a while) and compacting
 * segments whose live fraction fell below the threshold. One of each at a time.
 */
public final class LocalVolume implements BlockVolume {

  /** Tunables of the volume engine (cairn.volume in reference.conf). */
  public record Settings(int segmentBytes, int sealParallelism, double compactionLiveFraction,
      int stashCapacity, int groupMax, int inFlightMax, long cacheBytes, long journalTailBytes,
      int directWriteBytes, int rowCacheBlocks) {}

  private final long id;
  private final String name;
  private final AtomicLong sizeBytes;
  private final int blockBytes;
  private final VolumePolicy policy;
  private final long createdAtMillis;
  private final MetaStore meta;
  private final Stores stores;
  private final Dpu dpu;
  private final Executor ioExecutor;
  private final SerialExecutor lane;
  private final VolumeData data;
  private final VolumeReader reader;
  private final ChunkCodec chunkCodec;
  private final SegmentCodec segmentCodec;
  private final Settings settings;
  private final Supplier<Long> segmentIds;
  private final BlockCache cache;
  private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> sealing =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final AtomicBoolean compacting = new AtomicBoolean();
  private final AtomicLong lastWriteNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong degradedReads = new AtomicLong();
  private final java.util.concurrent.Semaphore inFlight;
  private final List<Meter> meters = new ArrayList<>();
  private final Timer readTimer;
  private final Timer writeTimer;
  private final Timer flushTimer;
  private final Timer trimTimer;
  private final Timer zeroTimer;
  private final Counter readBytes;
  private final Timer commitTimer;
  private final Timer sealTimer;
  private final Timer compactionTimer;
  private final Counter compactionMoved;
  private final Counter compactionReclaimed;
  private final io.micrometer.core.instrument.DistributionSummary commitGroup;
  private final Counter writeBytes;
  private volatile ActorRef<VolumeActor.Command> leader;

  LocalVolume(long id, String name, long sizeBytes, int blockBytes, VolumePolicy policy,
      long createdAtMillis, MetaStore meta, Stores stores, Dpu dpu, Executor ioExecutor,
      VolumeState state, ChunkCodec chunkCodec, Settings settings, Supplier<Long> segmentIds,
      BlockCache cache, MeterRegistry registry) {
    this.id = id;
    this.name = name;
    this.sizeBytes = new AtomicLong(sizeBytes);
    this.blockBytes = blockBytes;
    this.policy = policy;
    this.createdAtMillis = createdAtMillis;
    this.meta = meta;
    this.stores = stores;
    this.dpu = dpu;
    this.ioExecutor = ioExecutor;
    this.lane = new SerialExecutor(ioExecutor);
    // A segment left with no live chunk is dropped by the record that freed its last one, and
    // its shards deleted right after (their files are then reused by the next segments written:
    // see FileShardStore), not at the next compaction round.
    this.data = new VolumeData(id, policy.dedup(), meta, state, settings.journalTailBytes(),
        settings.rowCacheBlocks(), dead -> ioExecutor.execute(() -> deleteShards(dead)));
    this.chunkCodec = chunkCodec;
    this.segmentCodec = new SegmentCodec(
        io.cairn.offload.ec.ReedSolomon.create(policy.dataShards(), policy.parityShards()),
        settings.segmentBytes());
    this.reader = new VolumeReader(name, id, meta, stores, segmentCodec, dpu, degradedReads);
    this.settings = settings;
    this.segmentIds = segmentIds;
    this.cache = cache;
    this.inFlight = new java.util.concurrent.Semaphore(settings.inFlightMax());
    readTimer = timer(registry, "read");
    writeTimer = timer(registry, "write");
    flushTimer = timer(registry, "flush");
    trimTimer = timer(registry, "trim");
    zeroTimer = timer(registry, "write_zeroes");
    readBytes = counter(registry, "read");
    commitTimer = Timer.builder("cairn.volume.commit")
        .description("journal records: building one and making it durable (synced)")
        .tag("volume", name).publishPercentiles(0.5, 0.99).register(registry);
    meters.add(commitTimer);
    commitGroup = io.micrometer.core.instrument.DistributionSummary
        .builder("cairn.volume.commit.writes")
        .description("writes per journal record (group commit)")
        .tag("volume", name).publishPercentiles(0.5, 0.99).register(registry);
    meters.add(commitGroup);
    sealTimer = Timer.builder("cairn.volume.seal")
        .description("segments sealed: from draft to the segment's record being durable")
        .tag("volume", name).publishPercentiles(0.5, 0.99).register(registry);
    meters.add(sealTimer);
    compactionTimer = Timer.builder("cairn.volume.compaction")
        .description("segments compacted: from reading the survivors to the record that drops"
            + " the old segment being durable")
        .tag("volume", name).publishPercentiles(0.5, 0.99).register(registry);
    meters.add(compactionTimer);
    compactionMoved = compactionBytes(registry, "moved");
    compactionReclaimed = compactionBytes(registry, "reclaimed");
    meters.add(Gauge.builder("cairn.volume.journal.bytes", this, v -> v.journalBytes())
        .description("chunk bytes journaled, not yet sealed into segments")
        .tag("volume", name).baseUnit("bytes").register(registry));
    writeBytes = counter(registry, "write");
    meters.add(Gauge.builder("cairn.volume.logical.bytes", this, v -> v.logicalBytes())
        .tag("volume", name).baseUnit("bytes").register(registry));
    meters.add(Gauge.builder("cairn.volume.physical.bytes", this, v -> v.physicalBytes())
        .tag("volume", name).baseUnit("bytes").register(registry));
    meters.add(Gauge.builder("cairn.volume.degraded.reads", degradedReads, AtomicLong::get)
        .tag("volume", name).register(registry));
  }

  /**
   * Compaction's bytes: moved (survivors rewritten into new segments) and reclaimed (segment
   * bytes dropped, net of those moved). Their ratio is compaction's write amplification.
   */
  private Counter compactionBytes(MeterRegistry registry, String kind) {
    Counter c = Counter.builder("cairn.volume.compaction.bytes").tag("volume", name)
        .tag("kind", kind).baseUnit("bytes").register(registry);
    meters.add(c);
    return c;
  }

  private Timer timer(MeterRegistry registry, String op) {
    Timer t = Timer.builder("cairn.volume.ops").tag("volume", name).tag("op", op)
        .publishPercentiles(0.5, 0.99).register(registry);
    meters.add(t);
    return t;
  }

  private Counter counter(MeterRegistry registry, String op) {
    Counter c = Counter.builder("cairn.volume.bytes").tag("volume", name).tag("op", op)
        .baseUnit("bytes").register(registry);
    meters.add(c);
    return c;
  }

  /** The leader actor's view of this volume. */
  VolumeActor.Backend backend() {
    return new VolumeActor.Backend() {
      @Override public String name() {
        return name;
      }

      @Override public int blockBytes() {
        return blockBytes;
      }

      @Override public ChunkCodec chunkCodec() {
        return chunkCodec;
      }

      @Override public Dpu dpu() {
        return dpu;
      }

      @Override public SerialExecutor lane() {
        return lane;
      }

      @Override public VolumeData data() {
        return data;
      }

      @Override public long id() {
        return id;
      }

      @Override public BlockCache cache() {
        return cache;
      }

      @Override public CompletionStage<Map<Long, ByteBuffer>> readBlocks(List<Long> blocks) {
        return LocalVolume.this.readBlocks(blocks);
      }

      @Override public int directWriteBytes() {
        return settings.directWriteBytes();
      }

      @Override public CompletionStage<SegmentRecord> writeSegment(ByteBuffer bytes) {
        return LocalVolume.this.writeSegment(bytes);
      }

      @Override public void discard(SegmentRecord segment) {
        ioExecutor.execute(() -> deleteShards(segment));
      }

      @Override public void committed(int writes, long nanos) {
        commitTimer.record(nanos, TimeUnit.NANOSECONDS);
        commitGroup.record(writes);
        lastWriteNanos.set(System.nanoTime());
        if (data.state().getJournalBytes() >= settings.segmentBytes()) {
          maybeSeal(false);
        }
      }
    };
  }

  void attach(ActorRef<VolumeActor.Command> leader) {
    this.leader = leader;
  }

  VolumeData data() {
    return data;
  }

  SerialExecutor lane() {
    return lane;
  }

  long id() {
    return id;
  }

  public VolumePolicy policy() {
    return policy;
  }

  SegmentCodec segmentCodec() {
    return segmentCodec;
  }

  long createdAtMillis() {
    return createdAtMillis;
  }

  void grow(long newSizeBytes) {
    sizeBytes.set(newSizeBytes);
  }

  List<Meter> meters() {
    return meters;
  }

  long logicalBytes() {
    return data.state().getAllocatedBlocks() * blockBytes;
  }

  long physicalBytes() {
    VolumeState s = data.state();
    return s.getJournalBytes() + s.getSegmentBytes();
  }

  VolumeInfo info() {
    VolumeState s = data.state();
    double dedupRatio = s.getChunks() == 0 ? 1.0 : (double) s.getAllocatedBlocks() / s.getChunks();
    double compression = s.getStoredBytes() == 0 ? 1.0
        : (double) s.getPlainBytes() / s.getStoredBytes();
    return new VolumeInfo(id, name, sizeBytes.get(), blockBytes, policy, createdAtMillis,
        logicalBytes(), physicalBytes(), dedupRatio, compression,
        degradedReads.get() > 0 ? "degraded" : "healthy");
  }

  // ---- BlockVolume ---------------------------------------------------------------------------

  @Override
  public String name() {
    return name;
  }

  @Override
  public long sizeBytes() {
    return sizeBytes.get();
  }

  @Override
  public int blockBytes() {
    return blockBytes;
  }

  @Override
  public CompletionStage<ByteBuffer> read(long offset, int length) {
    return readShared(offset, length).thenApply(pieces -> {
      ByteBuffer out = ByteBuffer.allocate(length);
      for (Piece p : pieces) {
        if (p.array() != null) {
          out.put(p.array(), p.offset(), p.length());
        } else {
          out.position(out.position() + p.length());
        }
      }
      return out.flip();
    });
  }

  /**
   * The read's pieces are the blocks' buffers themselves: cached blocks (never written after
   * they were cached) and blocks just read from storage, each cut to the part the read covers;
   * unwritten blocks are zero pieces. Sending a 1 MiB read from the cache this way costs no
   * allocation of its size and no copy on this side of the socket.
   */
  @Override
  public CompletionStage<List<Piece>> readShared(long offset, int length) {
    VolumeException bad = check(offset, length);
    if (bad != null) {
      return CompletableFuture.failedFuture(bad);
    }
    if (length == 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    long start = System.nanoTime();
    long first = offset / blockBytes;
    long last = (offset + length - 1) / blockBytes;
    List<Long> blocks = new ArrayList<>();
    for (long b = first; b <= last; b++) {
      blocks.add(b);
    }
    return admitted(offset, length, () -> readBlocks(blocks).thenApply(contents -> {
      List<Piece> pieces = new ArrayList<>(blocks.size());
      for (long b = first; b <= last; b++) {
        long blockStart = b * blockBytes;
        int from = (int) Math.max(0, offset - blockStart);
        int to = (int) Math.min(blockBytes, offset + length - blockStart);
        ByteBuffer content = contents.get(b);
        pieces.add(content == null ? new Piece(null, 0, to - from)
            : Piece.of(content, from, to - from));
      }
      readTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      readBytes.increment(length);
      return pieces;
    }));
  }

  /**
   * Content of blocks, from the block cache where it has them, else from storage (which then
   * fills the cache); unallocated blocks are absent from the map (zeroes). The buffers are
   * shared: nobody writes into them.
   */
  CompletionStage<Map<Long, ByteBuffer>> readBlocks(List<Long> blocks) {
    if (!cache.enabled()) {
      return readStored(blocks);
    }
    Map<Long, ByteBuffer> out = new HashMap<>();
    List<Long> missing = new ArrayList<>();
    for (long b : blocks) {
      ByteBuffer cached = cache.get(id, b);
      if (cached != null) {
        out.put(b, cached);
      } else {
        missing.add(b);
      }
    }
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(out);
    }
    long[] stamps = new long[missing.size()];
    for (int i = 0; i < stamps.length; i++) {
      stamps[i] = cache.stamp(id, missing.get(i));
    }
    return readStored(missing).thenApply(stored -> {
      for (int i = 0; i < stamps.length; i++) {
        ByteBuffer content = stored.get(missing.get(i));
        if (content != null) {
          cache.fill(id, missing.get(i), stamps[i], content);
        }
      }
      out.putAll(stored);
      return out;
    });
  }

  /** Stored content of blocks; unallocated blocks are absent from the map (zeroes). */
  private CompletionStage<Map<Long, ByteBuffer>> readStored(List<Long> blocks) {
    return VolumeReader.onIo(ioExecutor, () -> reader.chunksOf(blocks)).thenCompose(stored -> {
      if (stored.isEmpty()) {
        return CompletableFuture.completedFuture(Map.<Long, ByteBuffer>of());
      }
      List<Chunk> chunks = new ArrayList<>();
      for (VolumeReader.StoredChunk c : stored.values()) {
        chunks.add(new Chunk(c.id(), c.bytes()));
      }
      return DpuBackpressure.submit(() -> dpu.decodeChunks(chunkCodec, chunks))
          .thenApply(decoded -> {
        Map<Long, ByteBuffer> out = new HashMap<>();
        int i = 0;
        for (long b : stored.keySet()) {
          out.put(b, decoded.get(i++));
        }
        return out;
      });
    }).exceptionallyCompose(t -> CompletableFuture.failedFuture(readError(blocks, t)));
  }

  @Override
  public CompletionStage<Void> write(long offset, ByteBuffer data, boolean fua) {
    VolumeException bad = check(offset, data.remaining()); // before allocating its size
    if (bad != null) {
      return CompletableFuture.failedFuture(bad);
    }
    // The caller may reuse its buffer once this returns: keep a copy.
    return writeOwned(offset, ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip(),
        fua);
  }

  /**
   * The buffer becomes the volume's: its whole blocks are encoded (and cached, when a block is
   * its whole array) straight from it. A read-only or direct buffer is copied first: the engines
   * read arrays.
   */
  @Override
  public CompletionStage<Void> writeOwned(long offset, ByteBuffer data, boolean fua) {
    int length = data.remaining();
    VolumeException bad = check(offset, length);
    if (bad != null) {
      return CompletableFuture.failedFuture(bad);
    }
    long start = System.nanoTime();
    ByteBuffer owned = data.hasArray() ? data.slice()
        : ByteBuffer.allocate(length).put(data.duplicate()).flip();
    CompletableFuture<Void> done = new CompletableFuture<>();
    return admitted(offset, length, () -> {
      leader.tell(new VolumeActor.Write(offset, owned, done));
      return done.thenRun(() -> {
        writeTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        writeBytes.increment(length);
      });
    });
  }

  @Override
  public CompletionStage<Void> flush() {
    long start = System.nanoTime();
    CompletableFuture<Void> done = new CompletableFuture<>();
    leader.tell(new VolumeActor.Flush(done));
    return done.thenRun(() -> flushTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  @Override
  public CompletionStage<Void> trim(long offset, long length) {
    return zero(offset, length, false, trimTimer);
  }

  @Override
  public CompletionStage<Void> writeZeroes(long offset, long length) {
    return zero(offset, length, true, zeroTimer);
  }

  private CompletionStage<Void> zero(long offset, long length, boolean partialToo, Timer timer) {
    VolumeException bad = check(offset, length);
    if (bad != null) {
      return CompletableFuture.failedFuture(bad);
    }
    long start = System.nanoTime();
    CompletableFuture<Void> done = new CompletableFuture<>();
    leader.tell(new VolumeActor.Zero(offset, length, partialToo, done));
    return done.thenRun(() -> timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  @Override
  public CompletionStage<List<Extent>> blockStatus(long offset, long length) {
    VolumeException bad = check(offset, length);
    if (bad != null) {
      return CompletableFuture.failedFuture(bad);
    }
    return VolumeReader.onIo(ioExecutor, () -> {
      long first = offset / blockBytes;
      long end = (offset + length + blockBytes - 1) / blockBytes;
      java.util.BitSet allocated = new java.util.BitSet();
      meta.scan(Table.BLOCK_MAP, VolumeKeys.volume(id), Long.MAX_VALUE, (k, v) -> {
        long b = VolumeKeys.second(k);
        if (b >= end) {
          return false;
        }
        if (b >= first) {
          allocated.set((int) (b - first));
        }
        return true;
      });
      List<Extent> extents = new ArrayList<>();
      long at = offset;
      long stop = offset + length;
      while (at < stop) {
        long b = at / blockBytes;
        boolean isAllocated = allocated.get((int) (b - first));
        long runEnd = at;
        while (runEnd < stop && allocated.get((int) (runEnd / blockBytes - first)) == isAllocated) {
          runEnd = Math.min(stop, (runEnd / blockBytes + 1) * blockBytes);
        }
        extents.add(new Extent(at, runEnd - at, isAllocated, !isAllocated));
        at = runEnd;
      }
      return extents;
    });
  }

  private VolumeException check(long offset, long length) {
    if (offset < 0 || length < 0) {
      return new VolumeException(Kind.INVALID_ARGUMENT, name, offset, length,
          "negative offset or length");
    }
    if (offset + length > sizeBytes.get() || offset + length < 0) {
      return new VolumeException(Kind.OUT_OF_RANGE, name, offset, length,
          "past the end of the volume (" + sizeBytes.get() + " bytes)");
    }
    return null;
  }

  /** Bounds the volume's requests in flight: beyond it, a request is refused as BUSY. */
  private <T> CompletionStage<T> admitted(long offset, long length,
      Supplier<CompletionStage<T>> work) {
    if (!inFlight.tryAcquire()) {
      return CompletableFuture.failedFuture(new VolumeException(Kind.BUSY, name, offset, length,
          "more than " + settings.inFlightMax() + " requests in flight"));
    }
    CompletionStage<T> stage;
    try {
      stage = work.get();
    } catch (RuntimeException e) {
      inFlight.release();
      return CompletableFuture.failedFuture(e);
    }
    return stage.whenComplete((r, e) -> inFlight.release());
  }

  private Throwable readError(List<Long> blocks, Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null
        ? t.getCause() : t;
    if (cause instanceof VolumeException) {
      return cause;
    }
    long first = blocks.get(0) * blockBytes;
    return new VolumeException(Kind.IO_ERROR, name, first, (long) blocks.size() * blockBytes,
        "read failed: " + cause, cause);
  }

  // ---- Background: sealing and compaction ------------------------------------------------------

  /** Seals if a segment's worth is journaled, or (idle) whatever is journaled. */
  void maybeSealIdle(long idleNanos) {
    if (data.state().getJournalBytes() > 0
        && System.nanoTime() - lastWriteNanos.get() >= idleNanos) {
      maybeSeal(true);
    }
  }

  /**
   * Seals segments from the journal: full ones, or with {@code evenIfPartial} whatever is
   * journaled. One round runs at a time; a call during a round waits for it and then seals again.
   * A round seals up to {@code seal-parallelism} segments at once (their shards go to the stores
   * together, so the stores' syncs are shared), so a journal that fell behind a burst of writes
   * catches up at the stores' bandwidth rather than one segment's latency at a time.
   */
  CompletionStage<Void> maybeSeal(boolean evenIfPartial) {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = sealing.compareAndExchange(null, mine);
    if (running != null) {
      return evenIfPartial
          ? running.handle((r, e) -> null).thenCompose(x -> maybeSeal(true))
          : running;
    }
    CompletionStage<Void> round = lane.submit(
        () -> data.draftSegments(settings.sealParallelism(), settings.segmentBytes()))
        .thenCompose(drafts -> {
          List<CompletableFuture<Void>> seals = new ArrayList<>();
          for (SegmentDraft draft : drafts) {
            if (evenIfPartial || draft.bytes().remaining() >= settings.segmentBytes() / 2) {
              seals.add(seal(draft).toCompletableFuture());
            }
          }
          return CompletableFuture.allOf(seals.toArray(CompletableFuture[]::new));
        });
    round.whenComplete((r, e) -> {
      sealing.set(null);
      if (e == null) {
        mine.complete(null);
      } else {
        mine.completeExceptionally(e);
      }
      if (e == null && data.state().getJournalBytes() >= settings.segmentBytes()) {
        maybeSeal(false);
      }
    });
    return mine;
  }

  /** Seals a draft: writes it as a segment, then records it in the volume's lane. */
  private CompletionStage<Void> seal(SegmentDraft draft) {
    long start = System.nanoTime();
    return writeSegment(draft.bytes())
        .thenCompose(record -> lane.submit(() -> {
          data.sealed(draft, record.toBuilder());
          sealTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          return null;
        }));
  }

  /**
   * Erasure-codes segment bytes (DPU tier) and writes the k+m shards to distinct stores in
   * parallel (I/O dispatcher). Completes with the segment's record, to be committed by the
   * caller (live bytes not yet set), once every shard is durable. No thread waits for another:
   * the shard writes are composed, not joined, so however many run at once they cannot hold every
   * I/O thread waiting for writes that need one. If a shard cannot be written, the ones that
   * were are deleted (best effort) and the stage fails.
   */
  CompletionStage<SegmentRecord> writeSegment(ByteBuffer bytes) {
    return DpuBackpressure.submit(() -> dpu.sealSegment(segmentCodec, bytes))
        .thenCompose(sealed -> VolumeReader.onIo(ioExecutor, () -> {
          long segmentId = segmentIds.get();
          return Map.entry(segmentId, Rendezvous.choose(segmentId,
              segmentCodec.code().totalShards(), stores.candidates()));
        })
        .thenCompose(placed -> {
          long segmentId = placed.getKey();
          List<String> placement = placed.getValue().stores();
          List<CompletableFuture<Void>> writes = new ArrayList<>();
          for (int i = 0; i < placement.size(); i++) {
            ShardStore store = stores.get(placement.get(i)).orElseThrow();
            int index = i;
            writes.add(VolumeReader.<Void>onIo(ioExecutor, () -> {
              store.put(segmentId, index, sealed.shards().get(index));
              return null;
            }).toCompletableFuture());
          }
          SegmentRecord.Builder record = SegmentRecord.newBuilder()
              .setSegmentId(segmentId).setVolumeId(id)
              .setDataShards(policy.dataShards()).setParityShards(policy.parityShards())
              .setSegmentBytes(sealed.layout().segmentBytes())
              .setShardBytes(sealed.layout().shardBytes())
              .addAllShardStore(placement)
              .setSealedAtMillis(System.currentTimeMillis());
          for (int i = 0; i < sealed.layout().shardCount(); i++) {
            record.addShardCrc32C(sealed.layout().crc32c(i));
          }
          return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
              .handle((written, failure) -> {
                if (failure != null) {
                  ioExecutor.execute(() -> deleteShards(record.build()));
                  throw new CompletionException(failure);
                }
                return record.build();
              });
        }));
  }

  /**
   * Compacts every segment whose live fraction is below the threshold, one after the other: see
   * {@link #compact(SegmentRecord)}. No thread waits for another on the way.
   *
   * @return the number of segments compacted
   */
  public CompletionStage<Integer> compact() {
    if (!compacting.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(0);
    }
    return VolumeReader.onIo(ioExecutor, data::segments).thenCompose(segments -> {
      CompletionStage<Integer> chain = CompletableFuture.completedFuture(0);
      for (SegmentRecord seg : segments) {
        if (seg.getSegmentBytes() > 0 && (double) seg.getLiveBytes() / seg.getSegmentBytes()
            < settings.compactionLiveFraction()) {
          chain = chain.thenCompose(n -> compact(seg).thenApply(done -> done ? n + 1 : n));
        }
      }
      return chain;
    }).whenComplete((n, e) -> compacting.set(false));
  }

  /**
   * Compacts one segment: its live chunks are read with one ranged read, packed densely into a
   * new segment, written like a seal (erasure-coded, every shard durable), and then one record
   * points them into the new segment and drops the old one, whose shards are deleted after.
   * Chunks freed in the meantime are dead bytes of the new segment. The journal is not involved:
   * live chunks do not pass through the metadata store's log a second time.
   *
   * @return false if the segment was already gone (the new one's shards are deleted), or went
   *     while its survivors were read (its last chunks freed: reclaimed with its shards)
   */
  CompletionStage<Boolean> compact(SegmentRecord seg) {
    long start = System.nanoTime();
    return VolumeReader.onIo(ioExecutor, () -> data.chunksOf(seg.getSegmentId()))
        .thenComposeAsync(live -> live.isEmpty()
            ? CompletableFuture.<Repacked>completedFuture(null)
            : repack(seg, live).thenCompose(draft -> writeSegment(draft.bytes())
                .thenApply(record -> new Repacked(draft, record))), ioExecutor)
        .handleAsync((repacked, failure) -> {
          if (failure == null) {
            return repacked;
          }
          if (segmentGone(seg.getSegmentId())) {
            return GONE;
          }
          throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        }, ioExecutor)
        .thenCompose(repacked -> repacked == GONE ? CompletableFuture.completedFuture(false)
            : lane.submit(() -> data.compacted(seg,
                repacked == null ? null : repacked.draft(),
                repacked == null ? null : repacked.record().toBuilder()))
            .handle((done, failure) -> {
              // One of the two segments is garbage now: the old one if the record committed,
              // else the new one (the segment was gone, or the record failed).
              if (failure == null && done) {
                deleteShards(seg);
                long moved = repacked == null ? 0 : repacked.record().getSegmentBytes();
                compactionTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                compactionMoved.increment(moved);
                compactionReclaimed.increment(seg.getSegmentBytes() - moved);
              } else if (repacked != null) {
                deleteShards(repacked.record());
              }
              if (failure != null) {
                throw failure instanceof CompletionException c
                    ? c : new CompletionException(failure);
              }
              return done;
            }));
  }

  /** A compacted segment's survivors, and the new segment they were written to. */
  private record Repacked(SegmentDraft draft, SegmentRecord record) {}

  /** What a compaction whose segment went while it read the survivors has to commit: nothing. */
  private static final Repacked GONE = new Repacked(null, null);

  /** {@link VolumeReader#segmentGone}, false if the row cannot be read. */
  private boolean segmentGone(long segmentId) {
    try {
      return reader.segmentGone(segmentId);
    } catch (org.rocksdb.RocksDBException e) {
      return false;
    }
  }

  /**
   * Reads the span of a segment that holds the given chunks (one ranged read, on the calling I/O
   * thread; a damaged shard is rebuilt by the DPU tier) and packs the chunks, in segment order,
   * into a draft.
   */
  CompletionStage<SegmentDraft> repack(SegmentRecord seg, Map<Long, ChunkRecord> live) {
    List<Map.Entry<Long, ChunkRecord>> chunks = new ArrayList<>(live.entrySet());
    chunks.sort(Comparator.comparingInt(e -> e.getValue().segmentOffset()));
    int from = chunks.get(0).getValue().segmentOffset();
    int to = 0;
    int total = 0;
    for (Map.Entry<Long, ChunkRecord> e : chunks) {
      to = Math.max(to, e.getValue().segmentOffset() + e.getValue().storedBytes());
      total += e.getValue().storedBytes();
    }
    int base = from;
    int bytesTotal = total;
    return reader.readSegmentRange(seg, from, to - from).thenApply(span -> {
      ByteBuffer bytes = ByteBuffer.allocate(bytesTotal);
      List<Long> numbers = new ArrayList<>(chunks.size());
      List<Integer> offsets = new ArrayList<>(chunks.size());
      List<Integer> lengths = new ArrayList<>(chunks.size());
      for (Map.Entry<Long, ChunkRecord> e : chunks) {
        ChunkRecord rec = e.getValue();
        numbers.add(e.getKey());
        offsets.add(bytes.position());
        lengths.add(rec.storedBytes());
        bytes.put(span.slice(span.position() + rec.segmentOffset() - base, rec.storedBytes()));
      }
      return new SegmentDraft(numbers, offsets, lengths, bytes.flip());
    });
  }

  void deleteShards(SegmentRecord seg) {
    for (int i = 0; i < seg.getShardStoreCount(); i++) {
      Optional<ShardStore> store = stores.get(seg.getShardStore(i));
      if (store.isPresent()) {
        try {
          store.get().delete(seg.getSegmentId(), i);
        } catch (ShardStore.StoreException e) {
          // An orphan shard costs space, not correctness; scrub reports stores with errors.
        }
      }
    }
  }

  /** What one scrub of a volume found and fixed. */
  public record ScrubResult(long shardsChecked, long shardsBad, long shardsRepaired,
      long segmentsUnrecoverable) {}

  /** Shards a scrub of this volume will check. */
  public long shardCount() {
    long n = 0;
    for (SegmentRecord seg : data.segments()) {
      n += seg.getShardStoreCount();
    }
    return n;
  }

  /**
   * Reads every shard of every segment, checks it against its recorded CRC32C, and rebuilds the
   * missing or corrupt ones from the others (DPU tier), writing each back to its store — or, if
   * that store has failed, to a healthy store that holds no other shard of the segment.
   *
   * @param onShard called once per shard checked (progress)
   */
  public CompletionStage<ScrubResult> scrub(Runnable onShard) {
    return VolumeReader.onIo(ioExecutor, () -> {
      long checked = 0;
      long bad = 0;
      long repaired = 0;
      long lost = 0;
      for (SegmentRecord seg : data.segments()) {
        int total = seg.getShardStoreCount();
        List<ByteBuffer> shards = new ArrayList<>(total);
        boolean[] present = new boolean[total];
        io.cairn.offload.pipeline.SegmentShards layout = VolumeReader.layout(seg);
        for (int i = 0; i < total; i++) {
          ByteBuffer buf = ByteBuffer.allocate(seg.getShardBytes());
          Optional<ShardStore> store = stores.get(seg.getShardStore(i));
          boolean ok = store.isPresent() && store.get().healthy()
              && store.get().read(seg.getSegmentId(), i, 0, buf.duplicate());
          if (ok) {
            int shardIndex = i;
            ok = DpuBackpressure.submit(() -> dpu.shardIntact(segmentCodec, layout, shardIndex, buf))
                .toCompletableFuture().get();
          }
          present[i] = ok;
          shards.add(buf);
          checked++;
          onShard.run();
        }
        int missing = 0;
        for (boolean p : present) {
          missing += p ? 0 : 1;
        }
        if (missing == 0) {
          continue;
        }
        bad += missing;
        if (total - missing < seg.getDataShards()) {
          lost++;
          continue;
        }
        List<ByteBuffer> rebuilt = DpuBackpressure.submit(
            () -> dpu.reconstructShards(segmentCodec, shards, present)).toCompletableFuture().get();
        for (int i = 0; i < total; i++) {
          if (present[i]) {
            continue;
          }
          String target = repairTarget(seg, i);
          if (target == null) {
            continue;
          }
          stores.get(target).orElseThrow().put(seg.getSegmentId(), i, rebuilt.get(i));
          if (!target.equals(seg.getShardStore(i))) {
            long segmentId = seg.getSegmentId();
            int index = i;
            lane.submit(() -> {
              data.moveShard(segmentId, index, target);
              return null;
            }).toCompletableFuture().get();
          }
          repaired++;
        }
      }
      if (lost == 0 && bad == repaired) {
        degradedReads.set(0);
      }
      return new ScrubResult(checked, bad, repaired, lost);
    });
  }

  /** The store a rebuilt shard goes to: its own if healthy, else a healthy unused one. */
  private String repairTarget(SegmentRecord seg, int index) {
    Optional<ShardStore> own = stores.get(seg.getShardStore(index));
    if (own.isPresent() && own.get().healthy()) {
      return own.get().id();
    }
    java.util.Set<String> used = new java.util.HashSet<>(seg.getShardStoreList());
    List<Rendezvous.Candidate> free = stores.candidates().stream()
        .filter(c -> !used.contains(c.storeId())).toList();
    if (free.isEmpty()) {
      return null;
    }
    return Rendezvous.choose(seg.getSegmentId(), 1, free).stores().get(0);
  }

  /** Journaled bytes not yet sealed (for tests and status). */
  long journalBytes() {
    return data.state().getJournalBytes();
  }

  VolumeReader reader() {
    return reader;
  }
}
