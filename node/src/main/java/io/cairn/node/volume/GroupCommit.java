package io.cairn.node.volume;

import io.cairn.node.SerialExecutor;
import io.cairn.node.volume.VolumeData.BlockUpdate;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A volume's group commit, in two stages: encoded writes queue here in sequence order; each turn
 * of the volume's lane takes every write queued so far (up to {@code groupMax}) into one journal
 * record and writes it; a sync stage on the I/O dispatcher then makes every record written so far
 * durable with one WAL sync and acknowledges their writes, in order.
 *
 * <p>Why two stages: the lane builds and writes the next record while the previous one syncs,
 * instead of waiting out each sync (on this class of machine a sync costs about as much as
 * building a record of a dozen writes). Records written while a sync runs share the next one.
 * When no write is waiting for the next record, the lane syncs its record itself: handing the
 * sync to another thread would only add a thread wake-up to every write at low queue depth.
 *
 * <p>Why it lives on the lane and not in the leader actor: the next record can start the moment
 * the previous one is written, without a round trip through the actor's mailbox, and writes are
 * acknowledged from the thread that saw them become durable. The leader still decides the order
 * (it offers writes strictly by sequence number) and keeps its own bookkeeping, told by
 * {@code onCommitted} after the acknowledgements.
 *
 * <p>Nothing is acknowledged before it is durable: a record's writes are answered only after a
 * sync that started after the record was written. A failed sync fails every write of the records
 * it covered. One turn of the lane writes one record and, if more writes are queued, queues the
 * next turn behind whatever else waits for the lane (sealing), so a steady stream of writes
 * cannot starve it.
 */
final class GroupCommit {

  /**
   * One write's part of a record: its block updates and, in the same order, the blocks' new
   * plaintext (null: a hole) for the block cache. {@code updates} is null when the write failed
   * before it got here (its encoding failed): it is answered with {@code failure} in its turn,
   * in order, and its blocks keep their old content.
   */
  record Entry(long seq, List<BlockUpdate> updates, List<ByteBuffer> plaintext,
      Throwable failure, CompletableFuture<Void> done) {}

  /** What a turn did, for the leader's bookkeeping: the writes answered, and how. */
  record Outcome(List<Long> seqs, Throwable failure) {}

  /** What the sync stage calls after each durable record: writes in it, and how long it took. */
  interface AfterCommit {
    void committed(int writes, long nanos);
  }

  /** A record the lane wrote (or failed to write), waiting for the sync stage. */
  private record Written(List<Entry> group, Throwable failure, long startNanos) {}

  private final SerialExecutor lane;
  private final Executor io;
  private final VolumeData data;
  private final int groupMax;
  private final AfterCommit afterCommit;
  private final long volumeId;
  private final BlockCache cache;
  private final Function<Throwable, Throwable> asVolumeError;
  private final Consumer<Outcome> onCommitted;
  private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
  /** True while a turn is queued on the lane or running: at most one at a time. */
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Written> written = new ConcurrentLinkedQueue<>();
  /** True while the sync stage is queued or running: at most one at a time, so acks stay in order. */
  private final AtomicBoolean syncing = new AtomicBoolean();

  GroupCommit(SerialExecutor lane, Executor io, VolumeData data, int groupMax,
      AfterCommit afterCommit, long volumeId, BlockCache cache,
      Function<Throwable, Throwable> asVolumeError, Consumer<Outcome> onCommitted) {
    this.lane = lane;
    this.io = io;
    this.data = data;
    this.groupMax = groupMax;
    this.afterCommit = afterCommit;
    this.volumeId = volumeId;
    this.cache = cache;
    this.asVolumeError = asVolumeError;
    this.onCommitted = onCommitted;
  }

  /** Queues a write for the next record. Callers offer writes in sequence order. */
  void offer(Entry entry) {
    queue.add(entry);
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

  /** Writes one record: runs on the lane. */
  private void turn() {
    List<Entry> group = new ArrayList<>();
    for (Entry e; group.size() < groupMax && (e = queue.poll()) != null; ) {
      group.add(e);
    }
    long start = System.nanoTime();
    Throwable failure = null;
    if (!group.isEmpty()) {
      List<List<BlockUpdate>> updates = new ArrayList<>(group.size());
      for (Entry e : group) {
        if (e.updates() != null) {
          updates.add(e.updates());
        }
      }
      try {
        data.commit(updates, group.get(group.size() - 1).seq());
      } catch (Exception | Error e) {
        failure = e;
      }
      written.add(new Written(group, failure, start));
      if (queue.isEmpty() && syncing.compareAndSet(false, true)) {
        // No write waits for the next record (a queue depth of one, say): sync right here
        // instead of waking another thread for it, which would cost more than it overlaps.
        syncTurn();
      } else {
        scheduleSync();
      }
    }
    scheduled.set(false);
    schedule();
  }

  private void scheduleSync() {
    if (!written.isEmpty() && syncing.compareAndSet(false, true)) {
      io.execute(this::syncTurn);
    }
  }

  /**
   * Makes every record written so far durable with one sync, then answers their writes in
   * order: runs on the I/O dispatcher, one at a time.
   */
  private void syncTurn() {
    try {
      List<Written> records = new ArrayList<>();
      for (Written w; (w = written.poll()) != null; ) {
        records.add(w);
      }
      Throwable syncFailure = null;
      if (records.stream().anyMatch(r -> r.failure() == null)) {
        try {
          data.sync();
        } catch (Exception | Error e) {
          syncFailure = e;
        }
      }
      for (Written r : records) {
        answer(r, r.failure() != null ? r.failure() : syncFailure);
      }
    } finally {
      syncing.set(false);
      scheduleSync();
    }
  }

  /** Answers one record's writes in order: {@code failure} null means it is durable. */
  private void answer(Written r, Throwable failure) {
    if (failure == null) {
      try {
        afterCommit.committed(r.group().size(), System.nanoTime() - r.startNanos());
        // Durable: the cache shows the new content before anyone is told it was written.
        for (Entry e : r.group()) {
          if (e.updates() != null) {
            for (int i = 0; i < e.updates().size(); i++) {
              cache.written(volumeId, e.updates().get(i).blockIndex(), e.plaintext().get(i));
            }
          }
        }
      } catch (RuntimeException e) {
        failure = e; // as before the two stages: the writes are answered with the error
      }
    }
    List<Long> seqs = new ArrayList<>(r.group().size());
    for (Entry e : r.group()) {
      seqs.add(e.seq());
      Throwable f = e.failure() != null ? e.failure() : failure;
      if (f == null) {
        e.done().complete(null);
      } else {
        e.done().completeExceptionally(asVolumeError.apply(f));
      }
    }
    onCommitted.accept(new Outcome(seqs, failure));
  }
}
