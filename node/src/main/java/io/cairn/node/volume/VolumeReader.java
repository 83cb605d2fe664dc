package io.cairn.node.volume;

import io.cairn.node.meta.MetaStore;
import io.cairn.node.meta.MetaStore.Table;
import io.cairn.node.store.ShardStore;
import io.cairn.node.store.Stores;
import io.cairn.offload.dedup.Fingerprint;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.pipeline.SegmentCodec;
import io.cairn.offload.pipeline.SegmentShards;
import io.cairn.offload.pipeline.ShardSource;
import io.cairn.protocol.segment.SegmentRecord;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.RocksDBException;

/**
 * The read path of one volume, up to the chunk: block map → chunk record → the chunk's bytes, from
 * the journal or from the one data shard (or two) of its segment that hold them. When a shard is
 * missing or fails its checksum, the same byte range of the other shards is fetched and the DPU
 * tier reconstructs the range (never a whole-stripe decode for one chunk).
 *
 * <p>Reads do not go through the volume's lane: they see whatever is committed. A chunk can move
 * under a reader (sealed out of the journal, compacted out of a segment, freed by an overwrite);
 * the reader then finds its row changed or gone and starts again from the block map, a bounded
 * number of times. Blocking — runs on the I/O dispatcher; engine work goes to the DPU tier.
 */
final class VolumeReader {

  /** A block's chunk as stored: its identity (for verification) and its stored bytes. */
  record StoredChunk(Fingerprint id, ByteBuffer bytes) {}

  private static final int ATTEMPTS_MAX = 8;

  private final String volumeName;
  private final long volumeId;
  private final MetaStore meta;
  private final Stores stores;
  private final SegmentCodec segmentCodec;
  private final Dpu dpu;
  private final AtomicLong degradedReads;

  VolumeReader(String volumeName, long volumeId, MetaStore meta, Stores stores,
      SegmentCodec segmentCodec, Dpu dpu, AtomicLong degradedReads) {
    this.volumeName = volumeName;
    this.volumeId = volumeId;
    this.meta = meta;
    this.stores = stores;
    this.segmentCodec = segmentCodec;
    this.dpu = dpu;
    this.degradedReads = degradedReads;
  }

  /** Whether the block maps to a chunk. Blocking. */
  boolean allocated(long blockIndex) throws RocksDBException {
    return meta.get(Table.BLOCK_MAP, VolumeKeys.block(volumeId, blockIndex)) != null;
  }

  /**
   * The stored chunk of a block, or empty when it reads as zeroes. Blocking (metadata and healthy
   * shard reads); a degraded read waits for the DPU tier's reconstruction.
   */
  Optional<StoredChunk> chunkOf(long blockIndex) throws Exception {
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      byte[] mapped = meta.get(Table.BLOCK_MAP, VolumeKeys.block(volumeId, blockIndex));
      if (mapped == null) {
        return Optional.empty();
      }
      long cn = VolumeKeys.longOf(mapped);
      byte[] recBytes = meta.get(Table.CHUNKS, VolumeKeys.chunk(volumeId, cn));
      if (recBytes == null) {
        continue; // freed by an overwrite since we read the map: look again
      }
      ChunkRecord rec = ChunkRecord.decode(recBytes);
      if (rec.inJournal()) {
        byte[] payload = meta.get(Table.JOURNAL, VolumeKeys.chunk(volumeId, cn));
        if (payload == null) {
          continue; // sealed since: look again
        }
        return Optional.of(new StoredChunk(rec.id(), ByteBuffer.wrap(payload)));
      }
      byte[] segBytes = meta.get(Table.SEGMENTS, VolumeKeys.segment(volumeId, rec.segmentId()));
      if (segBytes == null) {
        continue; // compacted since: look again
      }
      SegmentRecord seg = VolumeData.parseSegment(segBytes);
      ByteBuffer bytes;
      try {
        bytes = readSegmentRange(seg, rec.segmentOffset(), rec.storedBytes())
            .toCompletableFuture().get();
      } catch (java.util.concurrent.ExecutionException failed) {
        if (segmentGone(rec.segmentId())) {
          continue; // reclaimed while we read it (its shards gone or reused): look again
        }
        throw failed;
      }
      return Optional.of(new StoredChunk(rec.id(), bytes));
    }
    throw new VolumeException(VolumeException.Kind.IO_ERROR, volumeName,
        blockIndex, 1, "block " + blockIndex + " kept moving under " + ATTEMPTS_MAX + " reads");
  }

  /**
   * Whether a segment's row is gone: reclaimed or compacted away, its shards deleted or their
   * files reused. Blocking (a metadata read).
   */
  boolean segmentGone(long segmentId) throws RocksDBException {
    return meta.get(Table.SEGMENTS, VolumeKeys.segment(volumeId, segmentId)) == null;
  }

  /**
   * Reads that fetch segment bytes for chunks closer together than this are merged into one
   * range read. A shard page (64 KiB by default) is read and checksummed whole however little of
   * it is wanted, so a 1 MiB read of a sequentially written range, chunk by chunk, would read and
   * verify 16 times its size; merged, each page is read once.
   */
  private static final int MERGE_GAP_BYTES_MAX = 64 * 1024;

  /** A block's chunk found in a segment, before its bytes are fetched. */
  private record InSegment(long blockIndex, ChunkRecord chunk) {}

  /**
   * The stored chunks of several blocks (a block that reads as zeroes is absent), like {@link
   * #chunkOf} per block, but chunks that lie close together in one segment are fetched with one
   * range read. Whatever moved between locating a chunk and fetching it (or failed to fetch) is
   * read again block by block through {@link #chunkOf}, which follows the move. Blocking.
   */
  java.util.Map<Long, StoredChunk> chunksOf(java.util.List<Long> blockIndexes) throws Exception {
    java.util.Map<Long, StoredChunk> out = new java.util.LinkedHashMap<>();
    java.util.Map<Long, SegmentRecord> segments = new java.util.HashMap<>();
    java.util.Map<Long, java.util.List<InSegment>> bySegment = new java.util.LinkedHashMap<>();
    java.util.List<Long> again = new java.util.ArrayList<>();
    for (long b : blockIndexes) {
      byte[] mapped = meta.get(Table.BLOCK_MAP, VolumeKeys.block(volumeId, b));
      if (mapped == null) {
        continue;
      }
      long cn = VolumeKeys.longOf(mapped);
      byte[] recBytes = meta.get(Table.CHUNKS, VolumeKeys.chunk(volumeId, cn));
      if (recBytes == null) {
        again.add(b);
        continue;
      }
      ChunkRecord rec = ChunkRecord.decode(recBytes);
      if (rec.inJournal()) {
        byte[] payload = meta.get(Table.JOURNAL, VolumeKeys.chunk(volumeId, cn));
        if (payload == null) {
          again.add(b);
        } else {
          out.put(b, new StoredChunk(rec.id(), ByteBuffer.wrap(payload)));
        }
        continue;
      }
      SegmentRecord seg = segments.get(rec.segmentId());
      if (seg == null) {
        byte[] segBytes = meta.get(Table.SEGMENTS, VolumeKeys.segment(volumeId, rec.segmentId()));
        if (segBytes == null) {
          again.add(b);
          continue;
        }
        seg = VolumeData.parseSegment(segBytes);
        segments.put(rec.segmentId(), seg);
      }
      bySegment.computeIfAbsent(rec.segmentId(), k -> new java.util.ArrayList<>())
          .add(new InSegment(b, rec));
    }
    for (java.util.Map.Entry<Long, java.util.List<InSegment>> e : bySegment.entrySet()) {
      SegmentRecord seg = segments.get(e.getKey());
      java.util.List<InSegment> chunks = new java.util.ArrayList<>(e.getValue());
      chunks.sort(java.util.Comparator.comparingInt(c -> c.chunk().segmentOffset()));
      int runStart = 0;
      while (runStart < chunks.size()) {
        int from = chunks.get(runStart).chunk().segmentOffset();
        int to = from + chunks.get(runStart).chunk().storedBytes();
        int runEnd = runStart + 1;
        while (runEnd < chunks.size()
            && chunks.get(runEnd).chunk().segmentOffset() - to <= MERGE_GAP_BYTES_MAX) {
          ChunkRecord next = chunks.get(runEnd).chunk();
          to = Math.max(to, next.segmentOffset() + next.storedBytes());
          runEnd++;
        }
        java.util.List<InSegment> run = chunks.subList(runStart, runEnd);
        ByteBuffer bytes;
        try {
          bytes = readSegmentRange(seg, from, to - from).toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException failed) {
          bytes = null; // compacted away or unreadable: each block finds its way alone below
        }
        for (InSegment c : run) {
          if (bytes == null) {
            again.add(c.blockIndex());
          } else {
            out.put(c.blockIndex(), new StoredChunk(c.chunk().id(),
                bytes.slice(c.chunk().segmentOffset() - from, c.chunk().storedBytes())));
          }
        }
        runStart = runEnd;
      }
    }
    for (long b : again) {
      Optional<StoredChunk> c = chunkOf(b);
      if (c.isPresent()) {
        out.put(b, c.get());
      }
    }
    return out;
  }

  /**
   * Segment bytes [offset, offset + length): straight from the data shard(s) when they are
   * healthy; otherwise the same range of every other available shard is fetched and the DPU tier
   * rebuilds the missing pieces.
   */
  CompletionStage<ByteBuffer> readSegmentRange(SegmentRecord seg, int offset, int length) {
    ByteBuffer out = ByteBuffer.allocate(length);
    int shardBytes = seg.getShardBytes();
    int done = 0;
    boolean healthy = true;
    while (done < length) {
      int at = offset + done;
      int shard = at / shardBytes;
      int from = at % shardBytes;
      int n = Math.min(length - done, shardBytes - from);
      Optional<ShardStore> store = stores.get(seg.getShardStore(shard));
      if (store.isEmpty() || !store.get().read(seg.getSegmentId(), shard, from,
          out.slice(done, n))) {
        healthy = false;
        break;
      }
      done += n;
    }
    if (healthy) {
      return CompletableFuture.completedFuture(out);
    }
    degradedReads.incrementAndGet();
    ShardSource fetched = prefetch(seg, offset, length);
    return DpuBackpressure.submit(
        () -> dpu.readSegment(segmentCodec, layout(seg), fetched, offset, length));
  }

  /**
   * Fetches, from every shard, the bytes a reconstruction of segment range [offset, +length) can
   * ask for: the union of the in-shard ranges of its pieces. A shard whose store fails reads as
   * unavailable. The result does no I/O, so the DPU tier can run it.
   */
  ShardSource prefetch(SegmentRecord seg, int offset, int length) {
    int shardBytes = seg.getShardBytes();
    int first = offset / shardBytes;
    int last = (offset + length - 1) / shardBytes;
    // Pieces in the first shard start at offset % shardBytes; later pieces start at 0. The union
    // across pieces of their in-shard ranges is [lo, hi).
    int lo = first == last ? offset % shardBytes : 0;
    int hi = first == last ? offset % shardBytes + length : shardBytes;
    int total = seg.getDataShards() + seg.getParityShards();
    ByteBuffer[] fetched = new ByteBuffer[total];
    for (int i = 0; i < total; i++) {
      ByteBuffer buf = ByteBuffer.allocate(hi - lo);
      Optional<ShardStore> store = stores.get(seg.getShardStore(i));
      if (store.isPresent() && store.get().read(seg.getSegmentId(), i, lo, buf)) {
        fetched[i] = buf;
      }
    }
    int base = lo;
    return (index, fromByte, dst) -> {
      ByteBuffer b = fetched[index];
      int n = dst.remaining();
      if (b == null || fromByte < base || fromByte + n > base + b.capacity()) {
        return false;
      }
      dst.put(dst.position(), b, fromByte - base, n);
      return true;
    };
  }

  static SegmentShards layout(SegmentRecord seg) {
    int[] crc = new int[seg.getShardCrc32CCount()];
    for (int i = 0; i < crc.length; i++) {
      crc[i] = seg.getShardCrc32C(i);
    }
    return new SegmentShards(seg.getSegmentBytes(), seg.getShardBytes(), crc);
  }

  /** A small helper for callers that want a stage from blocking work on the I/O executor. */
  static <T> CompletionStage<T> onIo(Executor io, java.util.concurrent.Callable<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    io.execute(() -> {
      try {
        f.complete(work.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return f;
  }
}
