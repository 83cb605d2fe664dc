/*
 * A volume's compression policy applied to one chunk: compress with the chosen codec, and keep the
 * result only if it pays.
 *
 * "Pays" means originalBytes / compressedBytes >= minRatio (and strictly fewer bytes). Below that the
 * chunk is stored raw: decompressing a barely-smaller chunk costs CPU on every read for almost no
 * space, and incompressible data (already compressed or encrypted by the guest) must not grow.
 *
 * The result names the codec actually applied; it is what goes into the chunk header, so the reader
 * never has to guess.
 */
package io.cairn.offload.compress;

import java.nio.ByteBuffer;
import java.util.Objects;

public final class Compressor {
  private final CompressionCodec codec;
  private final double minRatio;

  /**
   * @param codec    the volume's codec; {@link CompressionCodec#none()} stores everything raw
   * @param minRatio the smallest original/compressed ratio worth keeping, >= 1.0 (1.0 keeps any shrink)
   */
  public Compressor(CompressionCodec codec, double minRatio) {
    this.codec = Objects.requireNonNull(codec, "codec");
    if (!(minRatio >= 1.0) || Double.isInfinite(minRatio)) {
      throw new IllegalArgumentException("minRatio: must be a finite number >= 1.0, got " + minRatio);
    }
    this.minRatio = minRatio;
  }

  /** The largest output {@link #tryCompress} can write to dst for {@code srcBytes}. */
  public int maxCompressedBytes(int srcBytes) {
    return codec.maxCompressedBytes(srcBytes);
  }

  /**
   * Compresses src's remaining bytes into dst if that pays.
   *
   * @return the codec applied. For LZ4/ZSTD, src's position is at its limit and dst's advanced by
   *     the compressed size. For {@link Codec#NONE}, neither buffer's position moved (dst's bytes
   *     after its position may have been overwritten): the caller stores src as is, without a copy.
   */
  public Codec tryCompress(ByteBuffer src, ByteBuffer dst) {
    Objects.requireNonNull(src, "src");
    if (codec.codec() == Codec.NONE) {
      return Codec.NONE;
    }
    int srcPosition = src.position();
    int dstPosition = dst.position();
    int originalBytes = src.remaining();
    int compressedBytes = codec.compress(src, dst);
    if (compressedBytes < originalBytes && compressedBytes * minRatio <= originalBytes) {
      return codec.codec();
    }
    src.position(srcPosition);
    dst.position(dstPosition);
    return Codec.NONE;
  }

  /**
   * Decompresses a payload written with {@code applied} into exactly {@code originalBytes} of dst.
   * Thread-safe; the zstd level does not matter for decoding.
   *
   * @throws DecompressionException when the payload is corrupt
   */
  public static void decompress(Codec applied, ByteBuffer src, ByteBuffer dst, int originalBytes) {
    Objects.requireNonNull(applied, "applied");
    CompressionCodec decoder = switch (applied) {
      case NONE -> CompressionCodec.none();
      case LZ4 -> CompressionCodec.lz4();
      case ZSTD -> ZSTD_DECODER;
    };
    decoder.decompress(src, dst, originalBytes);
  }

  // Any valid level: decoding ignores it. One instance, so reads allocate no codec.
  private static final CompressionCodec ZSTD_DECODER = CompressionCodec.zstd(1);
}
