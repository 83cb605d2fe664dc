package io.cairn.node.volume;

import io.cairn.node.SerialExecutor;
import io.cairn.node.volume.VolumeData.BlockUpdate;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A volume's group commit, on its lane: encoded writes arrive in any order (each as its encoding
 * completes), queue here in sequence order, and each turn of the lane takes every write queued so
 * far (up to {@code groupMax}) into one journal record, makes it durable, and acknowledges those
 * writes at once.
 *
 * <p>Why it lives on the lane and not in the leader actor: the next record can start the moment
 * the previous one is durable, without a round trip through the actor's mailbox, and writes are
 * acknowledged from the thread that saw them become durable. Both hops sat on the critical path
 * of every write (measured: about as long as the sync itself on a loaded two-core machine). The
 * leader still decides the order (it numbers the writes, 1, 2, 3, ... with none skipped, and
 * every number is offered exactly once, encoded or failed) and keeps its own bookkeeping, told by
 * {@code onCommitted} after the acknowledgements.
 *
 * <p>One turn commits one record and, if more writes are queued, queues the next turn behind
 * whatever else waits for the lane (sealing), so a steady stream of writes cannot starve it.
 */
final class GroupCommit {

  /**
   * One write's part of a record: its block updates and, in the same order, the blocks' new
   * plaintext (null: a hole) for the block cache. {@code updates} is null when the write failed
   * before it got here (its encoding failed): it is answered with {@code failure} in its turn,
   * in order, and its blocks keep their old content. {@code undoIfFailed} (or null) runs if the
   * record holding the write fails: it deletes what the write put outside the record.
   */
  record Entry(long seq, List<BlockUpdate> updates, List<ByteBuffer> plaintext,
      Throwable failure, CompletableFuture<Void> done, Runnable undoIfFailed) {}

  /** What a turn did, for the leader's bookkeeping: the writes answered, and how. */
  record Outcome(List<Long> seqs, Throwable failure) {}

  /** What the lane calls after each durable record: writes in it, and how long it took. */
  interface AfterCommit {
    void committed(int writes, long nanos);
  }

  private final SerialExecutor lane;
  private final VolumeData data;
  private final int groupMax;
  private final AfterCommit afterCommit;
  private final long volumeId;
  private final BlockCache cache;
  private final Function<Throwable, Throwable> asVolumeError;
  private final Consumer<Outcome> onCommitted;
  private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
  /**
   * Writes offered before some write with a lower number: they wait here until every write
   * before them has been offered. At most the volume's writes in flight (in-flight-max).
   */
  private final TreeMap<Long, Entry> early = new TreeMap<>();
  /** The number of the next write to queue; guarded by {@link #early}. */
  private long nextSeq = 1;
  /** True while a turn is queued on the lane or running: at most one at a time. */
  private final AtomicBoolean scheduled = new AtomicBoolean();

  GroupCommit(SerialExecutor lane, VolumeData data, int groupMax, AfterCommit afterCommit,
      long volumeId, BlockCache cache, Function<Throwable, Throwable> asVolumeError,
      Consumer<Outcome> onCommitted) {
    this.lane = lane;
    this.data = data;
    this.groupMax = groupMax;
    this.afterCommit = afterCommit;
    this.volumeId = volumeId;
    this.cache = cache;
    this.asVolumeError = asVolumeError;
    this.onCommitted = onCommitted;
  }

  /**
   * Queues a write for a record once every write numbered below it has been queued. Any thread
   * may call it, in any order.
   */
  void offer(Entry entry) {
    synchronized (early) {
      if (entry.seq() != nextSeq) {
        early.put(entry.seq(), entry);
        return;
      }
      queue.add(entry);
      nextSeq++;
      for (Entry next; (next = early.remove(nextSeq)) != null; nextSeq++) {
        queue.add(next);
      }
    }
    schedule();
  }

  private void schedule() {
    if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
      lane.submit(() -> {
        turn();
        return null;
      });
    }
  }

  /** One record: runs on the lane. */
  private void turn() {
    List<Entry> group = new ArrayList<>();
    for (Entry e; group.size() < groupMax && (e = queue.poll()) != null; ) {
      group.add(e);
    }
    Throwable failure = null;
    if (!group.isEmpty()) {
      List<List<BlockUpdate>> updates = new ArrayList<>(group.size());
      for (Entry e : group) {
        if (e.updates() != null) {
          updates.add(e.updates());
        }
      }
      long start = System.nanoTime();
      try {
        data.commit(updates, group.get(group.size() - 1).seq());
        afterCommit.committed(group.size(), System.nanoTime() - start);
        // Durable: the cache shows the new content before anyone is told it was written.
        for (Entry e : group) {
          if (e.updates() != null) {
            for (int i = 0; i < e.updates().size(); i++) {
              cache.written(volumeId, e.updates().get(i).blockIndex(), e.plaintext().get(i));
            }
          }
        }
      } catch (Exception | Error e) {
        failure = e;
      }
    }
    // The next turn goes behind whatever waits for the lane now; answering this group's writes
    // overlaps with it (the I/O dispatcher has more than one thread).
    scheduled.set(false);
    schedule();
    List<Long> seqs = new ArrayList<>(group.size());
    for (Entry e : group) {
      seqs.add(e.seq());
      Throwable f = e.failure() != null ? e.failure() : failure;
      if (failure != null && e.undoIfFailed() != null) {
        e.undoIfFailed().run();
      }
      if (f == null) {
        e.done().complete(null);
      } else {
        e.done().completeExceptionally(asVolumeError.apply(f));
      }
    }
    if (!group.isEmpty()) {
      onCommitted.accept(new Outcome(seqs, failure));
    }
  }
}
