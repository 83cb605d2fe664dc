package io.cairn.node.volume;

import io.cairn.node.SerialExecutor;
import io.cairn.node.volume.VolumeData.BlockUpdate;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.pipeline.Chunk;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.protocol.segment.SegmentRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * A volume's leader: orders its writes and commits them (DESIGN.md, "The data path").
 *
 * <p>Each write is given the next sequence number when it arrives and becomes whole blocks at
 * once: a partial block is merged onto the newest content of that block — an earlier write still
 * in flight, or the stored block, which is read first (while it is read, newer commands wait in a
 * bounded stash, so nothing can overtake the merge). Block content then goes to the DPU tier
 * (fingerprint, compress, encrypt: one job per write), writes are encoded concurrently, and each
 * encoded write goes from the DPU tier's completion straight to the volume's {@link GroupCommit},
 * which takes writes into records strictly in sequence order (a write encoded early waits there
 * for the ones before it). The actor is not on that path: a hop through its mailbox per write
 * would cost a thread wake-up each, and on this hypervisor switching threads was a quarter of
 * all CPU samples under 4 KiB writes. The group commit turns whatever has queued into one journal
 * record and one synced RocksDB write (while one sync is in flight the next group accumulates)
 * and acknowledges those writes once the record is durable, so per-block last-writer-wins holds
 * in acknowledgement order. FLUSH completes when every write accepted before it has completed.
 * The actor never blocks: storage work runs in the volume's lane on the I/O dispatcher, engine
 * work in the DPU tier.
 */
final class VolumeActor {

  /** What the volume's leader does. Promises complete with the outcome of each command. */
  sealed interface Command permits Write, Zero, Flush, Stop, Loaded, Committed {}

  /**
   * Write {@code data} at {@code offset} (already validated against the volume's size). The data
   * is handed over: nobody else may touch it again (the actor keeps views of it as block contents).
   */
  record Write(long offset, ByteBuffer data, CompletableFuture<Void> done) implements Command {}

  /**
   * Make a range read as zeroes. {@code partialToo}: WRITE_ZEROES zeroes partial blocks by
   * read-modify-write; TRIM (false) is advisory and leaves partial blocks alone.
   */
  record Zero(long offset, long length, boolean partialToo, CompletableFuture<Void> done)
      implements Command {}

  record Flush(CompletableFuture<Void> done) implements Command {}

  /** The volume was deleted: stop. Requests still in flight fail as NOT_AVAILABLE. */
  record Stop() implements Command {}

  private record Loaded(Command waiting, Map<Long, ByteBuffer> blocks, Throwable failure)
      implements Command {}

  private record Committed(GroupCommit.Outcome outcome) implements Command {}

  /** What the actor needs of its volume; all thread-safe. */
  interface Backend {
    String name();

    int blockBytes();

    ChunkCodec chunkCodec();

    Dpu dpu();

    SerialExecutor lane();

    VolumeData data();

    /** The volume's id (its blocks' key in the block cache). */
    long id();

    /** The node's block cache, filled through by every durable write. */
    BlockCache cache();

    /** The stored content of these blocks (zeroes where unallocated); async. */
    CompletionStage<Map<Long, ByteBuffer>> readBlocks(List<Long> blockIndexes);

    /**
     * Writes whose new block content is at least this many bytes skip the journal: their chunks
     * are written as a segment of their own before the record that maps the blocks to them.
     * 0: every write is journaled.
     */
    int directWriteBytes();

    /** Writes bytes as a segment: durable in its stores, not yet recorded; async. */
    CompletionStage<SegmentRecord> writeSegment(ByteBuffer bytes);

    /** Deletes the shards of a written segment no record will name (best effort, async). */
    void discard(SegmentRecord segment);

    /**
     * Called after every durable journal record, from the lane: meters, and the sealer's cue.
     *
     * @param writes the writes the journal record held
     * @param nanos how long the record took to build and make durable
     */
    void committed(int writes, long nanos);
  }

  /**
   * One accepted write, until it is acknowledged. Filled in by the actor before its encoding
   * starts and never changed after, so the encoding's completion may read it on another thread.
   */
  private static final class Op {
    final long seq;
    final CompletableFuture<Void> done;
    final List<Long> blocks = new ArrayList<>();
    final List<ByteBuffer> contents = new ArrayList<>(); // null entry: zero block

    Op(long seq, CompletableFuture<Void> done) {
      this.seq = seq;
      this.done = done;
    }
  }

  private record PendingBlock(long seq, ByteBuffer content) {}

  static Behavior<Command> create(Backend backend, int stashCapacity, int groupMax) {
    return Behaviors.withStash(stashCapacity, stash -> Behaviors.setup(
        ctx -> new VolumeActor(backend, ctx, stash, groupMax).accepting()));
  }

  private final Backend backend;
  private final ActorContext<Command> ctx;
  private final StashBuffer<Command> stash;
  private final GroupCommit groupCommit;
  private final int blockBytes;
  private final TreeMap<Long, Op> inFlight = new TreeMap<>();
  private final Map<Long, PendingBlock> pending = new HashMap<>();
  private final List<Map.Entry<Long, CompletableFuture<Void>>> flushes = new ArrayList<>();
  private long nextSeq = 1;

  private VolumeActor(Backend backend, ActorContext<Command> ctx, StashBuffer<Command> stash,
      int groupMax) {
    this.backend = backend;
    this.ctx = ctx;
    this.stash = stash;
    this.blockBytes = backend.blockBytes();
    this.groupCommit = new GroupCommit(backend.lane(), backend.data(), groupMax,
        backend::committed, backend.id(), backend.cache(), this::asVolumeError,
        outcome -> ctx.getSelf().tell(new Committed(outcome)));
  }

  private Behavior<Command> accepting() {
    return Behaviors.receive(Command.class)
        .onMessage(Write.class, w -> accept(w, w.offset(), w.data().remaining()))
        .onMessage(Zero.class, z -> accept(z, z.offset(), z.length()))
        .onMessage(Flush.class, this::onFlush)
        .onMessage(Stop.class, this::onStop)
        .onMessage(Committed.class, this::onCommitted)
        .onMessage(Loaded.class, l -> Behaviors.same()) // cannot happen while accepting
        .build();
  }

  /** While a read-modify-write reads stored blocks: every new command waits its turn. */
  private Behavior<Command> loading() {
    return Behaviors.receive(Command.class)
        .onMessage(Loaded.class, this::onLoaded)
        .onMessage(Committed.class, this::onCommitted)
        .onAnyMessage(cmd -> {
          if (stash.isFull()) {
            fail(cmd, new VolumeException(VolumeException.Kind.BUSY, backend.name(), 0, 0,
                "too many requests waiting for a read-modify-write"));
          } else {
            stash.stash(cmd);
          }
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> accept(Command cmd, long offset, long length) {
    if (length == 0) {
      complete(cmd);
      return Behaviors.same();
    }
    boolean zero = cmd instanceof Zero;
    boolean partialToo = !(cmd instanceof Zero z) || z.partialToo();
    long first = offset / blockBytes;
    long last = (offset + length - 1) / blockBytes;
    List<Long> toLoad = new ArrayList<>();
    Map<Long, ByteBuffer> inFlightBases = new HashMap<>(); // null value: a hole
    for (long b : new long[] {first, last}) {
      boolean partial = b * blockBytes < offset || (b + 1) * blockBytes > offset + length;
      if (!partial || !partialToo) {
        continue;
      }
      PendingBlock newer = pending.get(b);
      if (newer != null) {
        inFlightBases.put(b, newer.content());
      } else if (!toLoad.contains(b)) {
        toLoad.add(b);
      }
    }
    if (!toLoad.isEmpty()) {
      // A partial block that a write in flight is changing takes that write's content, as it is
      // now: the write may be committed, and forgotten here, before the load completes, and
      // nothing newer can be admitted while it loads.
      ctx.pipeToSelf(backend.readBlocks(toLoad), (blocks, failure) -> {
        if (failure != null) {
          return new Loaded(cmd, null, failure);
        }
        Map<Long, ByteBuffer> bases = new HashMap<>(blocks);
        bases.putAll(inFlightBases);
        return new Loaded(cmd, bases, null);
      });
      return loading();
    }
    admit(cmd, offset, length, zero, partialToo, Map.of());
    return Behaviors.same();
  }

  private Behavior<Command> onLoaded(Loaded loaded) {
    Command cmd = loaded.waiting();
    if (loaded.failure() != null) {
      fail(cmd, loaded.failure());
    } else {
      long offset = cmd instanceof Write w ? w.offset() : ((Zero) cmd).offset();
      long length = cmd instanceof Write w ? w.data().remaining() : ((Zero) cmd).length();
      boolean partialToo = !(cmd instanceof Zero z) || z.partialToo();
      admit(cmd, offset, length, cmd instanceof Zero, partialToo, loaded.blocks());
    }
    return stash.unstashAll(accepting());
  }

  /**
   * Turns a command into whole-block contents, registers them, and starts encoding. A partial
   * block's old content is the newest write in flight's, else {@code loaded}'s (absent or null:
   * zeroes).
   */
  private void admit(Command cmd, long offset, long length, boolean zero, boolean partialToo,
      Map<Long, ByteBuffer> loaded) {
    Op op = new Op(nextSeq++, doneOf(cmd));
    long first = offset / blockBytes;
    long last = (offset + length - 1) / blockBytes;
    ByteBuffer data = cmd instanceof Write w ? w.data() : null;
    List<ByteBuffer> toEncode = new ArrayList<>();
    for (long b = first; b <= last; b++) {
      long blockStart = b * blockBytes;
      int from = (int) Math.max(0, offset - blockStart);
      int to = (int) Math.min(blockBytes, offset + length - blockStart);
      boolean partial = from > 0 || to < blockBytes;
      if (partial && !partialToo) {
        continue;
      }
      ByteBuffer content;
      if (!partial) {
        // The write's data is already this volume's own (BlockVolume.write copied it, or
        // writeOwned took it over), so a whole block is a view of it, not another copy.
        content = zero ? null : data.slice(data.position() + (int) (blockStart - offset), blockBytes);
      } else {
        PendingBlock newer = pending.get(b);
        ByteBuffer base = newer != null ? newer.content() : loaded.get(b);
        content = ByteBuffer.allocate(blockBytes);
        if (base != null) {
          content.put(0, base.duplicate().rewind(), 0, blockBytes);
        }
        if (!zero) {
          content.put(from, data, data.position() + (int) (blockStart + from - offset), to - from);
        } else {
          content.put(from, new byte[to - from]);
        }
      }
      if (content != null && isZero(content)) {
        content = null; // an all-zero block is stored as a hole: reads as zeroes, costs nothing
      }
      op.blocks.add(b);
      op.contents.add(content);
      pending.put(b, new PendingBlock(op.seq, content));
      if (content != null) {
        toEncode.add(content);
      }
    }
    inFlight.put(op.seq, op);
    if (toEncode.isEmpty()) {
      groupCommit.offer(entry(op, List.of(), null, null));
      return;
    }
    CompletionStage<List<Chunk>> encoding;
    try {
      encoding = DpuBackpressure.submit(
          () -> backend.dpu().encodeBlocks(backend.chunkCodec(), toEncode));
    } catch (RuntimeException e) {
      encoding = CompletableFuture.failedFuture(e);
    }
    // Runs on the thread that completes the encoding (a DPU thread): only the group commit's
    // ordering and a hand-off to the lane (for a large write: one copy of its chunks, handed to
    // the DPU tier and the stores), nothing that could hold the DPU tier up. Every number must
    // reach the group commit, or every later write would wait for it: a write whose result
    // cannot be turned into updates goes there as failed.
    long contentBytes = (long) toEncode.size() * blockBytes;
    encoding.whenComplete((chunks, failure) -> {
      int directBytes = backend.directWriteBytes();
      if (failure == null && directBytes > 0 && contentBytes >= directBytes) {
        direct(op, chunks);
        return;
      }
      offerEncoded(op, chunks, failure, null);
    });
  }

  /** Offers an encoded write to the group commit; never throws, so every number gets there. */
  private void offerEncoded(Op op, List<Chunk> chunks, Throwable failure,
      SegmentRecord segment) {
    GroupCommit.Entry encoded;
    try {
      encoded = entry(op, chunks, failure, segment);
    } catch (RuntimeException e) {
      if (segment != null) {
        backend.discard(segment);
      }
      encoded = entry(op, null, e, null);
    }
    groupCommit.offer(encoded);
  }

  /**
   * A large write skips the journal: its chunks, back to back, are written as a segment of their
   * own (erasure-coded, every shard durable), and its record then maps the blocks straight to
   * them. The bytes reach the disks once instead of twice (journal, then the segment sealed from
   * it), and the record stays small. Later writes wait in the group commit's order meanwhile, as
   * for any write still encoding. If the segment cannot be written (say a store failed) the write
   * is journaled as usual; if the record then fails, the segment's shards are deleted.
   */
  private void direct(Op op, List<Chunk> chunks) {
    ByteBuffer bytes;
    try {
      bytes = backToBack(chunks);
    } catch (RuntimeException e) {
      offerEncoded(op, chunks, null, null);
      return;
    }
    CompletionStage<SegmentRecord> written;
    try {
      written = backend.writeSegment(bytes);
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    written.whenComplete((segment, failure) ->
        offerEncoded(op, chunks, null, failure == null ? segment : null));
  }

  /**
   * The chunks' bytes back to back. The DPU tier encodes a write's blocks one after the other
   * into one array, so this is usually a view of that array; otherwise a copy.
   */
  static ByteBuffer backToBack(List<Chunk> chunks) {
    ByteBuffer first = chunks.get(0).bytes();
    boolean adjacent = first.hasArray();
    int start = adjacent ? first.arrayOffset() + first.position() : 0;
    int total = 0;
    for (Chunk c : chunks) {
      ByteBuffer b = c.bytes();
      adjacent &= b.hasArray() && b.array() == first.array()
          && b.arrayOffset() + b.position() == start + total;
      total += b.remaining();
    }
    if (adjacent) {
      return ByteBuffer.wrap(first.array(), start, total).slice();
    }
    ByteBuffer copy = ByteBuffer.allocate(total);
    for (Chunk c : chunks) {
      copy.put(c.bytes().duplicate());
    }
    return copy.flip();
  }

  /**
   * An encoded (or failed) write as the group commit takes it: one block update per block, in
   * order, the chunks following the blocks that have content.
   */
  private GroupCommit.Entry entry(Op op, List<Chunk> chunks, Throwable failure,
      SegmentRecord segment) {
    List<BlockUpdate> updates = null;
    if (failure == null) {
      updates = new ArrayList<>(op.blocks.size());
      Iterator<Chunk> next = chunks.iterator();
      int offset = 0;
      for (int i = 0; i < op.blocks.size(); i++) {
        if (op.contents.get(i) == null) {
          updates.add(new BlockUpdate(op.blocks.get(i), null, 0));
          continue;
        }
        Chunk chunk = next.next();
        VolumeData.Placed placed = segment == null ? null : new VolumeData.Placed(segment, offset);
        offset += chunk.bytes().remaining();
        updates.add(new BlockUpdate(op.blocks.get(i), chunk, blockBytes, placed));
      }
    }
    Runnable undo = segment == null ? null : () -> backend.discard(segment);
    return new GroupCommit.Entry(op.seq, updates, op.contents, failure, op.done, undo);
  }

  /** The group commit answered these writes: they are no longer in flight. */
  private Behavior<Command> onCommitted(Committed c) {
    for (long seq : c.outcome().seqs()) {
      Op op = inFlight.remove(seq);
      for (int i = 0; i < op.blocks.size(); i++) {
        long b = op.blocks.get(i);
        PendingBlock p = pending.get(b);
        if (p != null && p.seq() == seq) {
          pending.remove(b);
        }
      }
    }
    completeFlushes();
    return Behaviors.same();
  }

  private Behavior<Command> onStop(Stop stop) {
    VolumeException gone = new VolumeException(VolumeException.Kind.NOT_AVAILABLE, backend.name(),
        0, 0, "the volume was deleted");
    for (Op op : inFlight.values()) {
      op.done.completeExceptionally(gone);
    }
    for (Map.Entry<Long, CompletableFuture<Void>> f : flushes) {
      f.getValue().completeExceptionally(gone);
    }
    return Behaviors.stopped();
  }

  private Behavior<Command> onFlush(Flush f) {
    flushes.add(Map.entry(nextSeq - 1, f.done()));
    completeFlushes();
    return Behaviors.same();
  }

  private void completeFlushes() {
    long oldestInFlight = inFlight.isEmpty() ? Long.MAX_VALUE : inFlight.firstKey();
    flushes.removeIf(f -> {
      if (f.getKey() < oldestInFlight) {
        f.getValue().complete(null);
        return true;
      }
      return false;
    });
  }

  private static boolean isZero(ByteBuffer b) {
    for (int i = 0; i + 8 <= b.limit(); i += 8) {
      if (b.getLong(i) != 0) {
        return false;
      }
    }
    for (int i = b.limit() & ~7; i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private Throwable asVolumeError(Throwable t) {
    Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause() : t;
    if (cause instanceof VolumeException) {
      return cause;
    }
    if (cause instanceof io.cairn.offload.dpu.DpuException.QueueFull) {
      return new VolumeException(VolumeException.Kind.BUSY, backend.name(), 0, 0,
          "the DPU tier is saturated", cause);
    }
    return new VolumeException(VolumeException.Kind.IO_ERROR, backend.name(), 0, 0,
        "write failed: " + cause, cause);
  }

  private static CompletableFuture<Void> doneOf(Command cmd) {
    if (cmd instanceof Write w) {
      return w.done();
    }
    if (cmd instanceof Zero z) {
      return z.done();
    }
    if (cmd instanceof Flush f) {
      return f.done();
    }
    throw new IllegalArgumentException("no promise in " + cmd);
  }

  private void complete(Command cmd) {
    doneOf(cmd).complete(null);
  }

  private void fail(Command cmd, Throwable failure) {
    if (cmd instanceof Write || cmd instanceof Zero || cmd instanceof Flush) {
      doneOf(cmd).completeExceptionally(asVolumeError(failure));
    }
  }
}
