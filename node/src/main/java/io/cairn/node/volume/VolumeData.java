package io.cairn.node.volume;

import io.cairn.node.meta.MetaStore;
import io.cairn.node.meta.MetaStore.Table;
import io.cairn.offload.dedup.Fingerprint;
import io.cairn.offload.pipeline.Chunk;
import io.cairn.protocol.segment.SegmentRecord;
import io.cairn.protocol.segment.VolumeState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * One volume's metadata: block map, chunk table, dedup index, journal and segment table, and
 * every change to them. Confined to the volume's lane (a SerialExecutor on the I/O dispatcher):
 * no two methods run at once, so read-modify-write needs no locks.
 *
 * <p>Each mutating method builds one {@link WriteBatch} — a journal record stamped with the
 * volume's (epoch, sequence) — and commits it synced; the in-memory state advances only after the
 * commit succeeded. Invariants kept by every batch:
 * <ul>
 *   <li>a block maps to at most one chunk, and a chunk's {@code refs} is the number of blocks
 *       mapping to it; a chunk with no reference is deleted in the same batch;</li>
 *   <li>a chunk's bytes are in the journal or in exactly one sealed segment, never neither;</li>
 *   <li>a segment's {@code live_bytes} is the sum of the stored bytes of the chunks it holds.</li>
 * </ul>
 */
final class VolumeData {

  /**
   * One block's new content in a journal record: a chunk, or null for "reads as zeroes". A chunk
   * is journaled, unless {@code placed} says where it already is: in a segment whose shards are
   * durable in their stores but which no record names yet (a large write, see
   * {@link VolumeActor}). The record then names the segment.
   */
  record BlockUpdate(long blockIndex, Chunk chunk, int plainBytes, Placed placed) {
    BlockUpdate(long blockIndex, Chunk chunk, int plainBytes) {
      this(blockIndex, chunk, plainBytes, null);
    }
  }

  /** Where a chunk's bytes are already: at {@code offset} of a written, unrecorded segment. */
  record Placed(SegmentRecord segment, int offset) {}

  /** Journaled chunks gathered for a segment: chunk numbers, payloads and their offsets. */
  record SegmentDraft(List<Long> chunkNumbers, List<Integer> offsets, List<Integer> lengths,
      ByteBuffer bytes) {}

  private final long volumeId;
  private final boolean dedup;
  private final MetaStore meta;
  private VolumeState state;
  private volatile VolumeState published;
  /**
   * No chunk numbered below this is in the journal: where {@link #draftSegment} starts its scan.
   * Sealing trims the journal from its low end, leaving tombstones that a scan from the start of
   * the volume's key range would step over one by one, every segment (measured: that scan held
   * the volume's lane, and with it every commit, for most of the time). Set by each draft to the
   * lowest journaled chunk it found; 0 (scan everything) after opening. Only a starting point: a
   * chunk below it would be missed by the sealer, never lost, and none can be: only new chunks,
   * numbered above every existing one, enter the journal.
   */
  private long journalFloorChunk;
  /**
   * Set by {@link #purge}: the volume was deleted. A seal or commit that was already queued in
   * the lane behind the purge must not write rows of a deleted volume back.
   */
  private boolean purged;
  /**
   * The payloads of the newest journaled chunks, as committed: every chunk in the journal
   * numbered {@link #tailFloorChunk} or above is here, so that sealing reads them from memory
   * instead of scanning them back out of RocksDB. Measured under sustained 1 MiB writes: the scan
   * took about a tenth of the node's CPU, and a sealer slowed by it let the journal's payloads
   * reach table files (flushed, compacted and read back) instead of meeting their deletes in the
   * memtable. The arrays are the ones the journal records were built from, never modified.
   * Bounded by {@link #tailBytesMax}: past it the oldest leave (the floor rises above them) and
   * are scanned from the database when their turn comes.
   */
  private final TreeMap<Long, byte[]> journalTail = new TreeMap<>();
  private long journalTailBytes;
  private final long tailBytesMax;
  /**
   * Journaled chunks numbered below this are in the database only. After opening that is every
   * chunk already numbered: the journal may hold chunks written before a restart.
   */
  private long tailFloorChunk;
  /** Rows as last committed, so that a record's reads of them need not go to RocksDB. */
  private final RowCache rows;
  /** Told, in the lane, of each segment a committed record dropped: its shards can go. */
  private final Consumer<SegmentRecord> deadSegments;

  /**
   * @param tailBytesMax bound of the journal's payloads kept in memory for sealing (0: none)
   * @param cacheBlocks block map entries (and as many chunk records) kept in memory (0: none)
   * @param deadSegments told, in the lane and after the commit, of every segment a record dropped
   *     because none of its bytes were live any more (its chunks all freed or moved): the
   *     volume deletes its shards at once instead of at the next compaction round. Must not
   *     block.
   */
  VolumeData(long volumeId, boolean dedup, MetaStore meta, VolumeState state, long tailBytesMax,
      int cacheBlocks, Consumer<SegmentRecord> deadSegments) {
    this.volumeId = volumeId;
    this.deadSegments = deadSegments;
    this.rows = new RowCache(cacheBlocks);
    this.dedup = dedup;
    this.meta = meta;
    this.state = state;
    this.published = state;
    this.tailBytesMax = tailBytesMax;
    this.tailFloorChunk = state.getNextChunkNumber();
  }

  /** The state as of the last successful commit; safe to read from any thread. */
  VolumeState state() {
    return published;
  }

  /** Opens the volume under a new epoch: a leader's term starts with a durable promise. */
  void beginEpoch() throws RocksDBException {
    meta.whileOpen(() -> {
      VolumeState next = state.toBuilder().setEpoch(state.getEpoch() + 1).build();
      try (WriteBatch batch = new WriteBatch()) {
        batch.put(meta.cf(Table.VOLUME_STATE), VolumeKeys.volume(volumeId), next.toByteArray());
        meta.commit(batch);
      }
      publish(next);
      return null;
    });
  }

  /**
   * Applies the block updates of consecutive writes, in order, as one journal record.
   *
   * @param sequence the sequence number of the last write in the group
   */
  void commit(List<List<BlockUpdate>> writes, long sequence) throws RocksDBException {
    meta.whileOpen(() -> {
      Batch b = new Batch();
      b.prefetch(writes);
      for (List<BlockUpdate> write : writes) {
        for (BlockUpdate u : write) {
          if (u.placed() != null) {
            b.adopt(u.placed().segment());
          }
          Long old = b.block(u.blockIndex());
          if (u.chunk() == null) {
            if (old == null) {
              continue;
            }
            b.blocks.put(u.blockIndex(), null);
            b.state.setAllocatedBlocks(b.state.getAllocatedBlocks() - 1);
            b.release(old);
            continue;
          }
          long chunkNumber = b.reference(u.chunk(), u.plainBytes(), u.placed());
          b.blocks.put(u.blockIndex(), chunkNumber);
          if (old == null) {
            b.state.setAllocatedBlocks(b.state.getAllocatedBlocks() + 1);
          } else {
            b.release(old);
          }
        }
      }
      b.state.setSequence(sequence);
      b.commit();
      return null;
    });
  }

  /**
   * Gathers journaled chunks, oldest first, into at most {@code segmentsMax} drafts of at most
   * {@code segmentBytesMax} bytes each (disjoint, consecutive; only the last can be short), so
   * that a journal which fell behind can be sealed several segments at a time. Empty if the
   * journal is.
   */
  List<SegmentDraft> draftSegments(int segmentsMax, int segmentBytesMax) {
    Drafter drafter = new Drafter(segmentsMax, segmentBytesMax);
    // The journal's older part from the database, the newer from memory: the two ranges meet
    // at the tail's floor and do not overlap.
    if (journalFloorChunk < tailFloorChunk) {
      meta.scanFrom(Table.JOURNAL, VolumeKeys.volume(volumeId),
          VolumeKeys.chunk(volumeId, journalFloorChunk), Long.MAX_VALUE, (key, value) -> {
        long cn = VolumeKeys.second(key);
        return cn < tailFloorChunk && drafter.add(cn, value);
      });
    }
    if (!drafter.full()) {
      for (Map.Entry<Long, byte[]> e : journalTail.entrySet()) {
        if (!drafter.add(e.getKey(), e.getValue())) {
          break;
        }
      }
    }
    List<SegmentDraft> drafts = drafter.finish();
    // New chunks are numbered from nextChunkNumber, so with an empty journal that is the floor.
    journalFloorChunk = drafter.lowest < 0 ? state.getNextChunkNumber() : drafter.lowest;
    return drafts;
  }

  /** Cuts journaled chunks, offered oldest first, into segment drafts. */
  private static final class Drafter {
    final int segmentsMax;
    final int segmentBytesMax;
    final List<SegmentDraft> drafts = new ArrayList<>();
    final List<Long> numbers = new ArrayList<>();
    final List<Integer> offsets = new ArrayList<>();
    final List<Integer> lengths = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();
    int total;
    long lowest = -1;

    Drafter(int segmentsMax, int segmentBytesMax) {
      this.segmentsMax = segmentsMax;
      this.segmentBytesMax = segmentBytesMax;
    }

    /** Takes one chunk; false once the last draft is full (the chunk was not taken). */
    boolean add(long cn, byte[] payload) {
      if (total + payload.length > segmentBytesMax && !numbers.isEmpty()) {
        cut();
        if (full()) {
          return false;
        }
      }
      lowest = lowest < 0 ? cn : lowest;
      numbers.add(cn);
      offsets.add(total);
      lengths.add(payload.length);
      payloads.add(payload);
      total += payload.length;
      return true;
    }

    boolean full() {
      return drafts.size() == segmentsMax;
    }

    List<SegmentDraft> finish() {
      if (!numbers.isEmpty() && !full()) {
        cut();
      }
      return drafts;
    }

    private void cut() {
      ByteBuffer bytes = ByteBuffer.allocate(total);
      for (byte[] p : payloads) {
        bytes.put(p);
      }
      drafts.add(new SegmentDraft(List.copyOf(numbers), List.copyOf(offsets),
          List.copyOf(lengths), bytes.flip()));
      numbers.clear();
      offsets.clear();
      lengths.clear();
      payloads.clear();
      total = 0;
    }
  }

  /**
   * Records a sealed segment whose shards are durable in their stores: the drafted chunks that
   * are still in the journal now point into it, and their journal payloads are trimmed. Chunks
   * freed since the draft are dead bytes of the segment from the start.
   */
  void sealed(SegmentDraft draft, SegmentRecord.Builder record) throws RocksDBException {
    meta.whileOpen(() -> {
      Batch b = new Batch();
      long moved = b.place(draft, ChunkRecord.IN_JOURNAL, record);
      b.state.setJournalBytes(b.state.getJournalBytes() - moved);
      b.commit();
      return null;
    });
  }

  /** The segments of this volume, in id order. */
  List<SegmentRecord> segments() {
    List<SegmentRecord> out = new ArrayList<>();
    meta.scan(Table.SEGMENTS, VolumeKeys.volume(volumeId), (k, v) -> out.add(parseSegment(v)));
    return out;
  }

  /**
   * The chunks a segment holds (chunk number → record), read outside of a batch. The
   * segment-chunk table names the chunks that were placed in the segment (a list row, or one row
   * per chunk for segments recorded before lists); the chunk table says which of them are still
   * there.
   */
  Map<Long, ChunkRecord> chunksOf(long segmentId) throws RocksDBException {
    List<Long> numbers = new ArrayList<>();
    meta.scan(Table.SEGMENT_CHUNKS, VolumeKeys.volume(segmentId), (k, v) -> {
      if (v.length == 0) {
        numbers.add(VolumeKeys.second(k));
      } else {
        numbers.addAll(ChunkList.decode(v));
      }
    });
    List<byte[]> keys = new ArrayList<>(numbers.size());
    for (long cn : numbers) {
      keys.add(VolumeKeys.chunk(volumeId, cn));
    }
    List<byte[]> values = meta.multiGet(Table.CHUNKS, keys);
    Map<Long, ChunkRecord> out = new LinkedHashMap<>();
    for (int i = 0; i < numbers.size(); i++) {
      ChunkRecord rec = values.get(i) == null ? null : ChunkRecord.decode(values.get(i));
      if (rec != null && rec.segmentId() == segmentId) {
        out.put(numbers.get(i), rec);
      }
    }
    return out;
  }

  /**
   * Compaction: the chunks of {@code draft} that still live in {@code old} now point into
   * {@code into} (a segment whose shards are durable: the draft, written), and {@code old} is
   * dropped from the table. Chunks freed since the draft are dead bytes of the new segment; a
   * null draft (nothing was live) just drops the old segment. The caller deletes the old shards
   * after this commits, or the new ones if it returns false.
   *
   * @return false if the old segment is already gone
   */
  boolean compacted(SegmentRecord old, SegmentDraft draft, SegmentRecord.Builder into)
      throws RocksDBException {
    return meta.whileOpen(() -> {
      Batch b = new Batch();
      SegmentRecord.Builder current = b.segment(old.getSegmentId());
      if (current == null) {
        return false;
      }
      if (draft != null) {
        // If nothing in it is live any more, the commit drops it again (and its shards go).
        b.place(draft, old.getSegmentId(), into);
      }
      b.drop(old.getSegmentId(), current);
      b.commit();
      return true;
    });
  }

  /** Records that shard {@code index} of a segment now lives in {@code storeId} (repair). */
  void moveShard(long segmentId, int index, String storeId) throws RocksDBException {
    meta.whileOpen(() -> {
      Batch b = new Batch();
      SegmentRecord.Builder seg = b.segment(segmentId);
      if (seg == null) {
        return null;
      }
      seg.setShardStore(index, storeId);
      b.segments.put(segmentId, seg);
      b.commit();
      return null;
    });
  }

  /** Deletes every row of this volume (after it left the catalog). Returns its segments. */
  List<SegmentRecord> purge() throws RocksDBException {
    purged = true;
    List<SegmentRecord> segments = segments();
    byte[] from = VolumeKeys.volume(volumeId);
    byte[] to = VolumeKeys.volume(volumeId + 1);
    meta.whileOpen(() -> {
      try (WriteBatch batch = new WriteBatch()) {
        for (Table t : List.of(Table.BLOCK_MAP, Table.CHUNKS, Table.DEDUP, Table.JOURNAL,
            Table.SEGMENTS)) {
          batch.deleteRange(meta.cf(t), from, to);
        }
        for (SegmentRecord s : segments) {
          batch.deleteRange(meta.cf(Table.SEGMENT_CHUNKS), VolumeKeys.volume(s.getSegmentId()),
              VolumeKeys.volume(s.getSegmentId() + 1));
        }
        batch.delete(meta.cf(Table.VOLUME_STATE), VolumeKeys.volume(volumeId));
        meta.commit(batch);
      }
      return null;
    });
    journalTail.clear();
    journalTailBytes = 0;
    rows.clear();
    return segments;
  }

  static SegmentRecord parseSegment(byte[] bytes) {
    try {
      return SegmentRecord.parseFrom(bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt segment record", e);
    }
  }

  private void publish(VolumeState next) {
    state = next;
    published = next;
  }

  /**
   * One journal record under construction: reads see the batch's own changes first (overlays),
   * then the database; nothing reaches the database or the in-memory state until commit().
   */
  private final class Batch {
    final WriteBatch batch = new WriteBatch();
    final VolumeState.Builder state = VolumeData.this.state.toBuilder();
    final Map<Long, Long> blocks = new HashMap<>();
    final Map<Long, ChunkRecord> chunks = new HashMap<>();
    final Map<Fingerprint, Long> dedupIndex = new HashMap<>();
    final Map<Long, SegmentRecord.Builder> segments = new HashMap<>();
    /** The chunks placed in each segment this batch records, for its list row. */
    final Map<Long, List<Long>> placedChunks = new HashMap<>();
    /** Journal payloads this batch writes and deletes, in order, for the tail once committed. */
    final List<Long> journalPutNumbers = new ArrayList<>();
    final List<byte[]> journalPutPayloads = new ArrayList<>();
    final List<Long> journalDeletes = new ArrayList<>();
    /**
     * Rows as the database holds them before this batch, read ahead by {@link #prefetch} (a
     * null value: no such row). Consulted after the overlays above and before the database.
     */
    final Map<Long, Long> storedBlocks = new HashMap<>();
    final Map<Long, ChunkRecord> storedChunks = new HashMap<>();
    final Map<Fingerprint, Long> storedDedup = new HashMap<>();
    final Map<Long, SegmentRecord> storedSegments = new HashMap<>();

    /**
     * Reads ahead every row the updates will look up: the blocks' current chunks and those
     * chunks' records (from the row cache where it knows them, the rest in one native call per
     * table) and, with dedup, the new fingerprints. One lookup per row costs a native call each,
     * and was most of a record's build time. Nothing else writes the volume's rows while the
     * lane runs this batch, so what is read here stays what the database holds until the batch
     * commits.
     */
    void prefetch(List<List<BlockUpdate>> writes) throws RocksDBException {
      List<Long> blockIndexes = new ArrayList<>();
      List<Long> chunkNumbers = new ArrayList<>();
      List<Fingerprint> fingerprints = new ArrayList<>();
      for (List<BlockUpdate> write : writes) {
        for (BlockUpdate u : write) {
          if (!storedBlocks.containsKey(u.blockIndex())) {
            long known = rows.block(u.blockIndex());
            if (known == RowCache.UNKNOWN) {
              storedBlocks.put(u.blockIndex(), null);
              blockIndexes.add(u.blockIndex());
            } else {
              storedBlocks.put(u.blockIndex(), known == RowCache.NO_ROW ? null : known);
              wantChunk(known, chunkNumbers);
            }
          }
          if (dedup && u.chunk() != null) {
            fingerprints.add(u.chunk().id());
          }
        }
      }
      List<byte[]> keys = new ArrayList<>(blockIndexes.size());
      for (long blockIndex : blockIndexes) {
        keys.add(VolumeKeys.block(volumeId, blockIndex));
      }
      List<byte[]> values = meta.multiGet(Table.BLOCK_MAP, keys);
      for (int i = 0; i < blockIndexes.size(); i++) {
        Long cn = values.get(i) == null ? null : VolumeKeys.longOf(values.get(i));
        storedBlocks.put(blockIndexes.get(i), cn);
        if (cn != null) {
          wantChunk(cn, chunkNumbers);
        }
      }
      keys = new ArrayList<>(chunkNumbers.size());
      for (long cn : chunkNumbers) {
        keys.add(VolumeKeys.chunk(volumeId, cn));
      }
      values = meta.multiGet(Table.CHUNKS, keys);
      for (int i = 0; i < chunkNumbers.size(); i++) {
        storedChunks.put(chunkNumbers.get(i),
            values.get(i) == null ? null : ChunkRecord.decode(values.get(i)));
      }
      List<Fingerprint> distinct = new ArrayList<>();
      keys = new ArrayList<>();
      for (Fingerprint id : fingerprints) {
        if (!storedDedup.containsKey(id)) {
          storedDedup.put(id, null);
          distinct.add(id);
          keys.add(VolumeKeys.dedup(volumeId, id));
        }
      }
      values = meta.multiGet(Table.DEDUP, keys);
      for (int i = 0; i < distinct.size(); i++) {
        storedDedup.put(distinct.get(i),
            values.get(i) == null ? null : VolumeKeys.longOf(values.get(i)));
      }
    }

    /** Adds a mapped block's chunk to those to read, unless known already. */
    private void wantChunk(long cn, List<Long> toRead) {
      if (cn < 0 || storedChunks.containsKey(cn)) {
        return;
      }
      ChunkRecord cached = rows.chunk(cn);
      storedChunks.put(cn, cached);
      if (cached == null) {
        toRead.add(cn);
      }
    }

    Long block(long blockIndex) throws RocksDBException {
      if (blocks.containsKey(blockIndex)) {
        return blocks.get(blockIndex);
      }
      if (storedBlocks.containsKey(blockIndex)) {
        return storedBlocks.get(blockIndex);
      }
      long known = rows.block(blockIndex);
      Long cn;
      if (known == RowCache.UNKNOWN) {
        byte[] v = meta.get(Table.BLOCK_MAP, VolumeKeys.block(volumeId, blockIndex));
        cn = v == null ? null : VolumeKeys.longOf(v);
      } else {
        cn = known == RowCache.NO_ROW ? null : known;
      }
      storedBlocks.put(blockIndex, cn);
      return cn;
    }

    ChunkRecord chunk(long cn) throws RocksDBException {
      if (chunks.containsKey(cn)) {
        return chunks.get(cn);
      }
      if (storedChunks.containsKey(cn)) {
        return storedChunks.get(cn);
      }
      ChunkRecord rec = rows.chunk(cn);
      if (rec == null) {
        byte[] v = meta.get(Table.CHUNKS, VolumeKeys.chunk(volumeId, cn));
        rec = v == null ? null : ChunkRecord.decode(v);
      }
      storedChunks.put(cn, rec);
      return rec;
    }

    Long dedupLookup(Fingerprint id) throws RocksDBException {
      if (dedupIndex.containsKey(id)) {
        return dedupIndex.get(id);
      }
      if (storedDedup.containsKey(id)) {
        return storedDedup.get(id);
      }
      byte[] v = meta.get(Table.DEDUP, VolumeKeys.dedup(volumeId, id));
      return v == null ? null : VolumeKeys.longOf(v);
    }

    SegmentRecord.Builder segment(long segmentId) throws RocksDBException {
      if (segments.containsKey(segmentId)) {
        return segments.get(segmentId);
      }
      SegmentRecord rec;
      if (storedSegments.containsKey(segmentId)) {
        rec = storedSegments.get(segmentId);
      } else {
        rec = rows.segment(segmentId);
        if (rec == null) {
          byte[] v = meta.get(Table.SEGMENTS, VolumeKeys.segment(volumeId, segmentId));
          rec = v == null ? null : parseSegment(v);
        }
        storedSegments.put(segmentId, rec);
      }
      return rec == null ? null : rec.toBuilder();
    }

    /**
     * Records a written segment, once: its bytes count from now on, and its live bytes grow as
     * chunks in it are referenced. If none is (every chunk deduplicated to an older one), the
     * commit drops it again and its shards are deleted.
     */
    void adopt(SegmentRecord segment) {
      if (!segments.containsKey(segment.getSegmentId())) {
        segments.put(segment.getSegmentId(),
            segment.toBuilder().setLiveBytes(0).setChunkList(true));
        state.setSegmentBytes(state.getSegmentBytes() + segment.getSegmentBytes());
      }
    }

    /**
     * A new reference to this content: an existing chunk (dedup), or a new one — journaled, or
     * where {@code placed} says it is (a segment {@link #adopt adopted} in this batch).
     */
    long reference(Chunk chunk, int plainBytes, Placed placed) throws RocksDBException {
      if (dedup) {
        Long existing = dedupLookup(chunk.id());
        if (existing != null) {
          ChunkRecord rec = chunk(existing);
          if (rec != null) {
            chunks.put(existing, rec.withRefs(rec.refs() + 1));
            return existing;
          }
        }
      }
      long cn = state.getNextChunkNumber();
      state.setNextChunkNumber(cn + 1);
      int stored = chunk.bytes().remaining();
      if (placed == null) {
        chunks.put(cn, new ChunkRecord(chunk.id(), 1, stored, plainBytes, ChunkRecord.IN_JOURNAL,
            0));
        byte[] payload = new byte[stored];
        chunk.bytes().duplicate().get(payload);
        journalPut(cn, payload);
        state.setJournalBytes(state.getJournalBytes() + stored);
      } else {
        long segmentId = placed.segment().getSegmentId();
        chunks.put(cn, new ChunkRecord(chunk.id(), 1, stored, plainBytes, segmentId,
            placed.offset()));
        SegmentRecord.Builder seg = segments.get(segmentId);
        seg.setLiveBytes(seg.getLiveBytes() + stored);
        placedChunks.computeIfAbsent(segmentId, id -> new ArrayList<>()).add(cn);
      }
      if (dedup) {
        dedupIndex.put(chunk.id(), cn);
      }
      state.setChunks(state.getChunks() + 1)
          .setStoredBytes(state.getStoredBytes() + stored)
          .setPlainBytes(state.getPlainBytes() + plainBytes);
      return cn;
    }

    /** Drops one reference; the last one frees the chunk and its bytes. */
    void release(long cn) throws RocksDBException {
      ChunkRecord rec = chunk(cn);
      if (rec == null) {
        return; // already freed: the map pointed at a chunk a crash-free history never frees
      }
      if (rec.refs() > 1) {
        chunks.put(cn, rec.withRefs(rec.refs() - 1));
        return;
      }
      chunks.put(cn, null);
      state.setChunks(state.getChunks() - 1)
          .setStoredBytes(state.getStoredBytes() - rec.storedBytes())
          .setPlainBytes(state.getPlainBytes() - rec.plainBytes());
      // With dedup a content has at most one live chunk, and the index names it (reference()
      // looks the index up before making a chunk): no need to read the index row to know that
      // it names this chunk, unless this batch has changed it already.
      if (dedup && (!dedupIndex.containsKey(rec.id())
          || Long.valueOf(cn).equals(dedupIndex.get(rec.id())))) {
        dedupIndex.put(rec.id(), null);
      }
      if (rec.inJournal()) {
        journalDelete(cn);
        state.setJournalBytes(state.getJournalBytes() - rec.storedBytes());
      } else {
        SegmentRecord.Builder seg = segment(rec.segmentId());
        if (seg != null) {
          seg.setLiveBytes(seg.getLiveBytes() - rec.storedBytes());
          segments.put(rec.segmentId(), seg);
        }
        // A listed segment's list row stays until the segment goes (the chunk row, now deleted,
        // is what says which listed chunks are still there).
        if (seg == null || !seg.getChunkList()) {
          batch.delete(meta.cf(Table.SEGMENT_CHUNKS),
              VolumeKeys.segmentChunk(rec.segmentId(), cn));
        }
      }
    }

    /**
     * Records {@code into}, a written segment holding {@code draft}'s bytes: the draft's chunks
     * still where the draft found them ({@code from}: a segment, or the journal, whose payloads
     * are trimmed) now point into it, and they are its live bytes. Chunks freed or moved since
     * the draft are dead bytes of the new segment from the start.
     *
     * @return the bytes moved
     */
    long place(SegmentDraft draft, long from, SegmentRecord.Builder into)
        throws RocksDBException {
      long live = 0;
      SegmentRecord.Builder fromSegment = from == ChunkRecord.IN_JOURNAL ? null : segment(from);
      boolean unlistFrom = fromSegment != null && !fromSegment.getChunkList();
      List<Long> placed = placedChunks.computeIfAbsent(into.getSegmentId(),
          id -> new ArrayList<>());
      for (int i = 0; i < draft.chunkNumbers().size(); i++) {
        long cn = draft.chunkNumbers().get(i);
        ChunkRecord rec = chunk(cn);
        if (rec == null || rec.segmentId() != from) {
          continue;
        }
        chunks.put(cn, rec.inSegment(into.getSegmentId(), draft.offsets().get(i)));
        if (from == ChunkRecord.IN_JOURNAL) {
          journalDelete(cn);
        } else if (unlistFrom) {
          batch.delete(meta.cf(Table.SEGMENT_CHUNKS), VolumeKeys.segmentChunk(from, cn));
        }
        placed.add(cn);
        live += rec.storedBytes();
      }
      into.setLiveBytes(live).setChunkList(true);
      segments.put(into.getSegmentId(), into);
      state.setSegmentBytes(state.getSegmentBytes() + into.getSegmentBytes());
      return live;
    }

    /** Drops a segment's row (and its chunk list) from the table in this record. */
    void drop(long segmentId, SegmentRecord.Builder segment) throws RocksDBException {
      segments.put(segmentId, null);
      state.setSegmentBytes(state.getSegmentBytes() - segment.getSegmentBytes());
      if (segment.getChunkList()) {
        batch.delete(meta.cf(Table.SEGMENT_CHUNKS), VolumeKeys.segmentChunk(segmentId, 0));
      }
    }

    void journalPut(long cn, byte[] payload) throws RocksDBException {
      batch.put(meta.cf(Table.JOURNAL), VolumeKeys.chunk(volumeId, cn), payload);
      journalPutNumbers.add(cn);
      journalPutPayloads.add(payload);
    }

    void journalDelete(long cn) throws RocksDBException {
      batch.delete(meta.cf(Table.JOURNAL), VolumeKeys.chunk(volumeId, cn));
      journalDeletes.add(cn);
    }

    void commit() throws RocksDBException {
      try (WriteBatch closing = batch) {
        if (purged) {
          throw new RocksDBException("volume " + volumeId + " was deleted");
        }
        // A segment with no live byte holds no chunk (live bytes are exactly its chunks' stored
        // bytes, and a chunk stores at least one byte): its row goes in this record, and its
        // shards once the record is durable.
        List<SegmentRecord> dead = new ArrayList<>();
        for (long id : List.copyOf(segments.keySet())) {
          SegmentRecord.Builder seg = segments.get(id);
          if (seg != null && seg.getLiveBytes() == 0) {
            dead.add(seg.build());
            drop(id, seg);
          }
        }
        for (Map.Entry<Long, List<Long>> e : placedChunks.entrySet()) {
          if (segments.get(e.getKey()) != null) {
            batch.put(meta.cf(Table.SEGMENT_CHUNKS), VolumeKeys.segmentChunk(e.getKey(), 0),
                ChunkList.encode(e.getValue()));
          }
        }
        // Rows go into the batch in key order, table by table: RocksDB inserts a batch's rows
        // into the memtable one after the other, and each insert starts its search from where
        // the one before it ended, so neighbours cost a short walk instead of a full descent.
        for (long index : sorted(blocks.keySet())) {
          byte[] key = VolumeKeys.block(volumeId, index);
          Long cn = blocks.get(index);
          if (cn == null) {
            batch.delete(meta.cf(Table.BLOCK_MAP), key);
          } else {
            batch.put(meta.cf(Table.BLOCK_MAP), key, VolumeKeys.longValue(cn));
          }
        }
        for (long cn : sorted(chunks.keySet())) {
          byte[] key = VolumeKeys.chunk(volumeId, cn);
          ChunkRecord rec = chunks.get(cn);
          if (rec == null) {
            batch.delete(meta.cf(Table.CHUNKS), key);
          } else {
            batch.put(meta.cf(Table.CHUNKS), key, rec.encode());
          }
        }
        List<Fingerprint> fingerprints = new ArrayList<>(dedupIndex.keySet());
        fingerprints.sort(VolumeKeys.DEDUP_ORDER);
        for (Fingerprint id : fingerprints) {
          byte[] key = VolumeKeys.dedup(volumeId, id);
          Long cn = dedupIndex.get(id);
          if (cn == null) {
            batch.delete(meta.cf(Table.DEDUP), key);
          } else {
            batch.put(meta.cf(Table.DEDUP), key, VolumeKeys.longValue(cn));
          }
        }
        Map<Long, SegmentRecord> segmentRows = new HashMap<>();
        for (Map.Entry<Long, SegmentRecord.Builder> e : segments.entrySet()) {
          byte[] key = VolumeKeys.segment(volumeId, e.getKey());
          if (e.getValue() == null) {
            batch.delete(meta.cf(Table.SEGMENTS), key);
            segmentRows.put(e.getKey(), null);
          } else {
            SegmentRecord row = e.getValue().build();
            batch.put(meta.cf(Table.SEGMENTS), key, row.toByteArray());
            segmentRows.put(e.getKey(), row);
          }
        }
        VolumeState next = state.build();
        batch.put(meta.cf(Table.VOLUME_STATE), VolumeKeys.volume(volumeId), next.toByteArray());
        try {
          meta.commit(batch);
        } catch (RocksDBException | RuntimeException e) {
          rows.clear(); // whether any of it reached the database is not known
          throw e;
        }
        publish(next);
        remember(segmentRows);
        dead.forEach(deadSegments);
        // Committed: the tail follows the journal. Puts before deletes, as in the batch (a chunk
        // written and freed again within one record ends up deleted in both).
        for (int i = 0; i < journalPutNumbers.size(); i++) {
          tailPut(journalPutNumbers.get(i), journalPutPayloads.get(i));
        }
        for (long cn : journalDeletes) {
          tailRemove(cn);
        }
      }
    }

    /**
     * Committed: the row cache learns the rows this batch read from the database (as it held
     * them before this batch) and then the rows it wrote.
     */
    private void remember(Map<Long, SegmentRecord> segmentRows) {
      storedBlocks.forEach((index, cn) -> {
        if (rows.block(index) == RowCache.UNKNOWN) {
          rows.block(index, cn);
        }
      });
      storedChunks.forEach((cn, rec) -> {
        if (rec != null && rows.chunk(cn) == null) {
          rows.chunk(cn, rec);
        }
      });
      storedSegments.forEach((id, rec) -> {
        if (rec != null && rows.segment(id) == null) {
          rows.segment(id, rec);
        }
      });
      blocks.forEach(rows::block);
      chunks.forEach(rows::chunk);
      segmentRows.forEach(rows::segment);
    }
  }

  /** Block indexes or chunk numbers (never negative), ascending: the order of their keys. */
  private static long[] sorted(Set<Long> numbers) {
    long[] out = new long[numbers.size()];
    int i = 0;
    for (long n : numbers) {
      out[i++] = n;
    }
    Arrays.sort(out);
    return out;
  }

  private void tailPut(long cn, byte[] payload) {
    if (cn < tailFloorChunk) {
      return; // older than the tail: the database holds it, and sealing scans for it there
    }
    byte[] old = journalTail.put(cn, payload);
    journalTailBytes += payload.length - (old == null ? 0 : old.length);
    while (journalTailBytes > tailBytesMax && !journalTail.isEmpty()) {
      Map.Entry<Long, byte[]> oldest = journalTail.pollFirstEntry();
      journalTailBytes -= oldest.getValue().length;
      tailFloorChunk = oldest.getKey() + 1;
    }
  }

  private void tailRemove(long cn) {
    byte[] old = journalTail.remove(cn);
    if (old != null) {
      journalTailBytes -= old.length;
    }
  }

  /** Journal payload bytes held in memory for sealing (for tests and meters). */
  long journalTailBytes() {
    return journalTailBytes;
  }
}
