package io.cairn.node.volume;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The one interface every host frontend (NBD now, NVMe/TCP later, tests) uses to reach a volume.
 *
 * <p>All operations are asynchronous and never block the caller's thread. Offsets and lengths are
 * in bytes and need not be block-aligned; the volume does read-modify-write of partial blocks.
 * Every operation fails with a {@link VolumeException} (inside the stage) whose {@link
 * VolumeException.Kind} the frontend maps to its protocol's error code.
 *
 * <p>Guarantees: a write whose stage completes normally is durable (DESIGN.md: acknowledged means
 * durable on a majority of the replica set), so {@code fua} is always honoured; {@link #flush()}
 * completes once every write acknowledged before it was called is durable, whichever connection
 * issued it. Concurrent writes to the same block are applied in the order they are acknowledged.
 */
public interface BlockVolume {

  String name();

  long sizeBytes();

  int blockBytes();

  /**
   * Reads {@code length} bytes at {@code offset}; unwritten ranges read as zeroes. The buffer
   * is the caller's: nothing else holds it or writes it afterwards.
   */
  CompletionStage<ByteBuffer> read(long offset, int length);

  /**
   * Reads like {@link #read}, without copying: the bytes as consecutive pieces, which may be
   * arrays the volume shares (its cached blocks). The caller only reads them (to send them, say)
   * and must never write into them. This default copies, through {@link #read}.
   */
  default CompletionStage<List<Piece>> readShared(long offset, int length) {
    return read(offset, length)
        .thenApply(data -> List.of(Piece.of(data, data.position(), data.remaining())));
  }

  /** Writes the remaining bytes of {@code data} at {@code offset}; the buffer is not retained. */
  CompletionStage<Void> write(long offset, ByteBuffer data, boolean fua);

  /**
   * Writes like {@link #write}, taking {@code data} over instead of copying it: the caller never
   * writes into it or uses it again. This default copies, through {@link #write}.
   */
  default CompletionStage<Void> writeOwned(long offset, ByteBuffer data, boolean fua) {
    return write(offset, data, fua);
  }

  CompletionStage<Void> flush();

  /** Deallocates the range: it reads as zeroes afterwards. Block-map only. */
  CompletionStage<Void> trim(long offset, long length);

  /** Makes the range read as zeroes. Block-map only. */
  CompletionStage<Void> writeZeroes(long offset, long length);

  /** The allocation state of the range, as consecutive extents covering it from {@code offset}. */
  CompletionStage<List<Extent>> blockStatus(long offset, long length);

  /**
   * {@code length} bytes of a {@link #readShared} result: {@code array} from {@code offset}, or
   * zeroes when {@code array} is null.
   */
  record Piece(byte[] array, int offset, int length) {
    /**
     * {@code length} bytes of {@code buffer} from absolute index {@code index}: its own array
     * when it has one it shows (a writable heap buffer), else a copy.
     */
    static Piece of(ByteBuffer buffer, int index, int length) {
      if (buffer.hasArray()) {
        return new Piece(buffer.array(), buffer.arrayOffset() + index, length);
      }
      byte[] copy = new byte[length];
      buffer.get(index, copy);
      return new Piece(copy, 0, length);
    }
  }

  /** A run of bytes with one allocation state. {@code zero} is true for holes and zeroed ranges. */
  record Extent(long offset, long length, boolean allocated, boolean zero) {}
}
