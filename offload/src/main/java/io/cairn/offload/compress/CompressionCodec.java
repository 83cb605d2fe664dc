/*
 * One compression codec: the kernel behind a strategy interface, so the pipeline, the tests and the
 * benchmarks treat LZ4, Zstd and "none" alike.
 *
 * Buffer contract (the same as Cipher.doFinal(ByteBuffer, ByteBuffer)): the input is the bytes
 * between src's position and limit and src's position ends at its limit; the output is written at
 * dst's position and dst's position advances by the bytes written. Heap and direct buffers are both
 * accepted; when both sides are of the same kind no intermediate copy is made.
 *
 * Implementations are thread-safe: native contexts are kept per thread.
 */
package io.cairn.offload.compress;

import java.nio.ByteBuffer;

public interface CompressionCodec {
  /** Which codec this is, as recorded in chunk headers. */
  Codec codec();

  /** The largest output {@link #compress} can produce for {@code srcBytes} of input. */
  int maxCompressedBytes(int srcBytes);

  /**
   * Compresses src's remaining bytes into dst.
   *
   * @return the number of bytes written to dst
   * @throws IllegalArgumentException when dst is read-only or has fewer than
   *     {@link #maxCompressedBytes} remaining
   */
  int compress(ByteBuffer src, ByteBuffer dst);

  /**
   * Decompresses all of src's remaining bytes, which must decode to exactly {@code originalBytes}.
   * Never writes more than {@code originalBytes} into dst.
   *
   * @throws DecompressionException when src is corrupt or decodes to any other length
   * @throws IllegalArgumentException when dst is read-only or has fewer than {@code originalBytes} remaining
   */
  void decompress(ByteBuffer src, ByteBuffer dst, int originalBytes);

  /** LZ4 (block format) through the fastest lz4-java instance on this machine (JNI when it loads). */
  static CompressionCodec lz4() {
    return Lz4Codec.INSTANCE;
  }

  /** Zstd at {@code level} (1..22; negative "fast" levels down to -7 are accepted too). */
  static CompressionCodec zstd(int level) {
    return new ZstdCodec(level);
  }

  /** A copy: for volumes that do not compress, and for chunks stored raw. */
  static CompressionCodec none() {
    return NoneCodec.INSTANCE;
  }

  /** The codec for {@code codec}; {@code zstdLevel} only matters for {@link Codec#ZSTD}. */
  static CompressionCodec of(Codec codec, int zstdLevel) {
    return switch (codec) {
      case NONE -> none();
      case LZ4 -> lz4();
      case ZSTD -> zstd(zstdLevel);
    };
  }
}
