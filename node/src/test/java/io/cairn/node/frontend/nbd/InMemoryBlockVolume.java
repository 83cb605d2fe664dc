package io.cairn.node.frontend.nbd;

import io.cairn.node.volume.BlockVolume;
import io.cairn.node.volume.VolumeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test-only {@link BlockVolume}: sparse blocks in memory, operations completed asynchronously
 * on another thread (so replies really can overtake each other), a faithful {@link #blockStatus}
 * (unwritten, trimmed and zeroed blocks are holes that read as zero), and hooks a test can pull:
 * a gate that holds writes back, an injected failure, counters of what was asked.
 */
final class InMemoryBlockVolume implements BlockVolume {

  private final String name;
  private final long sizeBytes;
  private final int blockBytes;
  private final Map<Long, byte[]> blocks = new ConcurrentHashMap<>();
  private final Executor completions = ForkJoinPool.commonPool();

  final AtomicInteger writesStarted = new AtomicInteger();
  final AtomicInteger writesInFlight = new AtomicInteger();
  final AtomicInteger writesInFlightMax = new AtomicInteger();
  final AtomicLong writeBytesInFlight = new AtomicLong();
  final AtomicLong writeBytesInFlightMax = new AtomicLong();
  final AtomicInteger flushes = new AtomicInteger();
  final AtomicInteger fuaWrites = new AtomicInteger();
  private final AtomicReference<CompletableFuture<Void>> writeGate =
      new AtomicReference<>(CompletableFuture.completedFuture(null));
  private volatile VolumeException.Kind failWith;

  InMemoryBlockVolume(String name, long sizeBytes, int blockBytes) {
    this.name = name;
    this.sizeBytes = sizeBytes;
    this.blockBytes = blockBytes;
  }

  /** Holds every write back until the returned future is completed. */
  CompletableFuture<Void> closeWriteGate() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    writeGate.set(gate);
    return gate;
  }

  /** Makes every following operation fail with this kind (null: succeed again). */
  void failWith(VolumeException.Kind kind) {
    this.failWith = kind;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long sizeBytes() {
    return sizeBytes;
  }

  @Override
  public int blockBytes() {
    return blockBytes;
  }

  @Override
  public CompletionStage<ByteBuffer> read(long offset, int length) {
    return async(offset, length, () -> {
      ByteBuffer out = ByteBuffer.allocate(length);
      long position = offset;
      while (out.hasRemaining()) {
        long block = position / blockBytes;
        int within = (int) (position % blockBytes);
        int n = Math.min(blockBytes - within, out.remaining());
        byte[] data = blocks.get(block);
        if (data == null) {
          out.position(out.position() + n);
        } else {
          out.put(data, within, n);
        }
        position += n;
      }
      return out.flip();
    });
  }

  /**
   * One piece per block, as the real volume gives them: a zero piece for a block never written,
   * else a copy of the block's part (the blocks here are changed in place, a piece must not be).
   */
  @Override
  public CompletionStage<List<Piece>> readShared(long offset, int length) {
    return async(offset, length, () -> {
      List<Piece> pieces = new ArrayList<>();
      long position = offset;
      for (int left = length; left > 0; ) {
        long block = position / blockBytes;
        int within = (int) (position % blockBytes);
        int n = Math.min(blockBytes - within, left);
        byte[] data = blocks.get(block);
        pieces.add(data == null ? new Piece(null, 0, n)
            : new Piece(Arrays.copyOfRange(data, within, within + n), 0, n));
        position += n;
        left -= n;
      }
      return pieces;
    });
  }

  @Override
  public CompletionStage<Void> write(long offset, ByteBuffer data, boolean fua) {
    // The buffer is not retained by contract, so copy before going asynchronous.
    byte[] copy = new byte[data.remaining()];
    data.duplicate().get(copy);
    writesStarted.incrementAndGet();
    if (fua) {
      fuaWrites.incrementAndGet();
    }
    writesInFlightMax.accumulateAndGet(writesInFlight.incrementAndGet(), Math::max);
    writeBytesInFlightMax.accumulateAndGet(writeBytesInFlight.addAndGet(copy.length), Math::max);
    return writeGate.get().thenCompose(open -> async(offset, copy.length, () -> {
      synchronized (this) {
        long position = offset;
        int done = 0;
        while (done < copy.length) {
          long block = position / blockBytes;
          int within = (int) (position % blockBytes);
          int n = Math.min(blockBytes - within, copy.length - done);
          byte[] target = blocks.computeIfAbsent(block, b -> new byte[blockBytes]);
          System.arraycopy(copy, done, target, within, n);
          done += n;
          position += n;
        }
      }
      return (Void) null;
    })).whenComplete((ok, failure) -> {
      writesInFlight.decrementAndGet();
      writeBytesInFlight.addAndGet(-copy.length);
    });
  }

  @Override
  public CompletionStage<Void> flush() {
    flushes.incrementAndGet();
    return async(0, 0, () -> null);
  }

  @Override
  public CompletionStage<Void> trim(long offset, long length) {
    return zero(offset, length);
  }

  @Override
  public CompletionStage<Void> writeZeroes(long offset, long length) {
    return zero(offset, length);
  }

  /** Whole blocks become holes; partial blocks at the ends are zeroed in place. */
  private CompletionStage<Void> zero(long offset, long length) {
    return async(offset, length, () -> {
      synchronized (this) {
        long position = offset;
        long end = offset + length;
        while (position < end) {
          long block = position / blockBytes;
          int within = (int) (position % blockBytes);
          int n = (int) Math.min(blockBytes - within, end - position);
          if (n == blockBytes) {
            blocks.remove(block);
          } else {
            byte[] data = blocks.get(block);
            if (data != null) {
              java.util.Arrays.fill(data, within, within + n, (byte) 0);
            }
          }
          position += n;
        }
      }
      return null;
    });
  }

  @Override
  public CompletionStage<List<Extent>> blockStatus(long offset, long length) {
    return async(offset, length, () -> {
      List<Extent> extents = new ArrayList<>();
      long position = offset;
      long end = offset + length;
      while (position < end) {
        long block = position / blockBytes;
        long blockEnd = Math.min((block + 1) * blockBytes, end);
        boolean allocated = blocks.containsKey(block);
        Extent last = extents.isEmpty() ? null : extents.get(extents.size() - 1);
        if (last != null && last.allocated() == allocated) {
          extents.set(extents.size() - 1, new Extent(
              last.offset(), last.length() + (blockEnd - position), allocated, !allocated));
        } else {
          extents.add(new Extent(position, blockEnd - position, allocated, !allocated));
        }
        position = blockEnd;
      }
      return extents;
    });
  }

  /** Bytes currently stored, for assertions: a copy of the range, holes as zeroes. */
  byte[] contents(long offset, int length) {
    return read(offset, length).toCompletableFuture().join().array();
  }

  private <T> CompletionStage<T> async(long offset, long length, java.util.function.Supplier<T> op) {
    VolumeException.Kind kind = failWith;
    if (kind != null) {
      return CompletableFuture.failedFuture(
          new VolumeException(kind, name, offset, length, "injected " + kind));
    }
    if (offset < 0 || length < 0 || offset + length > sizeBytes) {
      return CompletableFuture.failedFuture(new VolumeException(
          VolumeException.Kind.OUT_OF_RANGE, name, offset, length, "past the end"));
    }
    return CompletableFuture.supplyAsync(op, completions);
  }
}
