package io.cairn.node.volume;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's cache of block plaintext, shared by its volumes and bounded in bytes
 * ({@code cairn.volume.cache-bytes}; 0 turns it off). A read that finds every block it needs here
 * is answered on the caller's thread: no metadata lookup, no shard read, no DPU job. This is what
 * the host page cache does for a file-backed NBD server; here it holds verified plaintext, so it
 * can never serve bytes the DPU tier has not authenticated.
 *
 * <p>Coherence — a cached block is never older than the newest acknowledged write of it:
 * <ul>
 *   <li>Writes fill it through: after a journal record is durable and before its writes are
 *       acknowledged, each block it changed is replaced (or, for a hole, removed) by
 *       {@link #written}.</li>
 *   <li>Reads fill it only if no write of that block became durable while they read: a reader
 *       takes the block's {@link #stamp} before looking the block up, and {@link #fill} keeps its
 *       bytes only if the stamp is unchanged. Written bumps the stamp inside the same atomic
 *       map operation that installs the new bytes, so a slow reader's old bytes cannot land
 *       after them. Stamps are striped (several blocks share one): a collision only skips a
 *       fill.</li>
 * </ul>
 * Nothing else changes a block's content (sealing, compaction, scrub and repair move bytes, not
 * what they say), so nothing else touches the cache. Deleting a volume drops its blocks.
 *
 * <p>Entries are the block buffers the write path built (never modified after) or decoded
 * blocks, holding the block at absolute indexes [0, block size) whatever their position; callers
 * read them by absolute index (copy out, or send the array as it is) and never write into them.
 */
public final class BlockCache {

  /** A block of one volume. */
  private record Key(long volumeId, long blockIndex) {}

  private static final int STRIPES = 1 << 12;
  /** What one entry costs beyond its bytes: key, map node and buffer headers, roughly. */
  private static final int ENTRY_OVERHEAD_BYTES = 128;

  private final Cache<Key, ByteBuffer> cache;
  private final AtomicLongArray stamps = new AtomicLongArray(STRIPES);
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final long capacityBytes;

  /** A cache of at most {@code capacityBytes} (0: nothing is ever cached). */
  public BlockCache(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("capacityBytes must be >= 0, got " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(capacityBytes)
        .weigher((Key k, ByteBuffer v) -> v.capacity() + ENTRY_OVERHEAD_BYTES)
        .executor(Runnable::run) // evict on the caller's thread: no pool of its own
        .build();
  }

  /** Publishes hits, misses and size under {@code cairn.volume.cache.*}. */
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("cairn.volume.cache.hits", hits, LongAdder::sum)
        .description("blocks read from the block cache").register(registry);
    FunctionCounter.builder("cairn.volume.cache.misses", misses, LongAdder::sum)
        .description("blocks the block cache did not hold when read").register(registry);
    Gauge.builder("cairn.volume.cache.blocks", cache, Cache::estimatedSize)
        .description("blocks in the block cache").register(registry);
    Gauge.builder("cairn.volume.cache.capacity", this, c -> c.capacityBytes)
        .baseUnit("bytes").description("bound of the block cache").register(registry);
  }

  boolean enabled() {
    return capacityBytes > 0;
  }

  /**
   * The cached plaintext of a block, or null. The array behind it is the entry itself, shared
   * with every reader (a read reply may send it as it is): read it, never write into it.
   */
  ByteBuffer get(long volumeId, long blockIndex) {
    if (!enabled()) {
      return null;
    }
    ByteBuffer b = cache.getIfPresent(new Key(volumeId, blockIndex));
    if (b == null) {
      misses.increment();
      return null;
    }
    hits.increment();
    return b.duplicate();
  }

  /** Take before looking a block up for a later {@link #fill}. */
  long stamp(long volumeId, long blockIndex) {
    return stamps.get(stripe(volumeId, blockIndex));
  }

  /**
   * Offers a block read from storage; kept only if no write of it became durable since {@code
   * stamp} was taken.
   */
  void fill(long volumeId, long blockIndex, long stamp, ByteBuffer plaintext) {
    if (!enabled()) {
      return;
    }
    int stripe = stripe(volumeId, blockIndex);
    ByteBuffer entry = compact(plaintext);
    cache.asMap().compute(new Key(volumeId, blockIndex), (k, cached) ->
        cached != null || stamps.get(stripe) != stamp ? cached : entry);
  }

  /**
   * A durable write set the block's content: {@code plaintext}, or null when it now reads as
   * zeroes (not cached: a hole costs a lookup, not a DPU job).
   */
  void written(long volumeId, long blockIndex, ByteBuffer plaintext) {
    int stripe = stripe(volumeId, blockIndex);
    if (!enabled()) {
      return;
    }
    ByteBuffer entry = plaintext == null ? null : compact(plaintext);
    cache.asMap().compute(new Key(volumeId, blockIndex), (k, cached) -> {
      stamps.incrementAndGet(stripe);
      return entry;
    });
  }

  /**
   * The block in a buffer of its own: a view into a larger array (a block of a 1 MiB write, say)
   * would keep the whole array alive for as long as the block is cached, unseen by the weigher.
   */
  private static ByteBuffer compact(ByteBuffer block) {
    if (block.hasArray() && block.arrayOffset() == 0 && block.array().length == block.capacity()) {
      return block;
    }
    ByteBuffer own = ByteBuffer.allocate(block.capacity());
    own.put(0, block, 0, block.capacity());
    return own;
  }

  /** Forgets every block of a deleted volume. */
  void dropVolume(long volumeId) {
    cache.asMap().keySet().removeIf(k -> k.volumeId() == volumeId);
  }

  private static int stripe(long volumeId, long blockIndex) {
    long h = volumeId * 0x9E3779B97F4A7C15L + blockIndex;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (int) h & (STRIPES - 1);
  }
}
