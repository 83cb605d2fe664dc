/*
 * LZ4 block format through lz4-java.
 *
 * Compression uses the JNI "fast reset" compressor when the native library loads: it keeps its
 * LZ4 stream state per thread and resets it cheaply, instead of initialising a fresh 16 KiB state per
 * call, which matters at 4 KiB blocks. The JNI path addresses heap arrays and direct buffers alike
 * (mixed too), so no staging copy is ever made. Without the native library, and for buffers JNI
 * cannot address (a read-only heap buffer exposes no array), the pure-Java safe implementation is
 * used instead; the format is identical.
 *
 * Decompression always uses the *safe* decompressor bounded by the known original length: the
 * "fast" decompressor trusts its input and can read out of bounds on corrupt data.
 */
package io.cairn.offload.compress;

import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4JNIFastResetCompressor;
import net.jpountz.lz4.LZ4SafeDecompressor;

final class Lz4Codec implements CompressionCodec {
  static final Lz4Codec INSTANCE = new Lz4Codec();

  private final LZ4Factory factory = LZ4Factory.fastestInstance();
  private final boolean nativeFastReset = nativeAvailable();
  // Per thread: the fast-reset compressor is stateful and not thread-safe.
  private final ThreadLocal<LZ4JNIFastResetCompressor> fastReset =
      ThreadLocal.withInitial(() -> LZ4Factory.nativeInstance().fastResetCompressor());
  private final LZ4Compressor stateless = factory.fastCompressor();
  private final LZ4SafeDecompressor decompressor = factory.safeDecompressor();
  private final LZ4Compressor javaCompressor = LZ4Factory.safeInstance().fastCompressor();
  private final LZ4SafeDecompressor javaDecompressor = LZ4Factory.safeInstance().safeDecompressor();

  private Lz4Codec() {}

  private static boolean nativeAvailable() {
    try {
      LZ4Factory.nativeInstance();
      return true;
    } catch (Throwable unavailable) {
      // No native library for this platform: the pure-Java instance produces the same format.
      return false;
    }
  }

  private static boolean addressable(ByteBuffer buffer) {
    return buffer.isDirect() || buffer.hasArray();
  }

  @Override
  public Codec codec() {
    return Codec.LZ4;
  }

  @Override
  public int maxCompressedBytes(int srcBytes) {
    return stateless.maxCompressedLength(srcBytes);
  }

  @Override
  public int compress(ByteBuffer src, ByteBuffer dst) {
    Buffers.checkSrc(src);
    int srcBytes = src.remaining();
    int maxBytes = maxCompressedBytes(srcBytes);
    Buffers.checkDst(dst, maxBytes, "LZ4 output of " + srcBytes + " bytes");
    int written;
    if (!addressable(src) || !addressable(dst)) {
      written = javaCompressor.compress(src, src.position(), srcBytes, dst, dst.position(), maxBytes);
    } else if (nativeFastReset) {
      written = fastReset.get().compress(src, src.position(), srcBytes, dst, dst.position(), maxBytes);
    } else {
      written = stateless.compress(src, src.position(), srcBytes, dst, dst.position(), maxBytes);
    }
    src.position(src.limit());
    dst.position(dst.position() + written);
    return written;
  }

  @Override
  public void decompress(ByteBuffer src, ByteBuffer dst, int originalBytes) {
    Buffers.checkSrc(src);
    Buffers.checkOriginalBytes(originalBytes);
    Buffers.checkDst(dst, originalBytes, "the original");
    int decoded;
    try {
      LZ4SafeDecompressor chosen = addressable(src) && addressable(dst) ? decompressor : javaDecompressor;
      decoded = chosen.decompress(src, src.position(), src.remaining(), dst, dst.position(), originalBytes);
    } catch (LZ4Exception e) {
      throw new DecompressionException(Codec.LZ4, originalBytes, "malformed LZ4 block", e);
    }
    if (decoded != originalBytes) {
      throw new DecompressionException(Codec.LZ4, originalBytes, "decoded " + decoded + " bytes", null);
    }
    src.position(src.limit());
    dst.position(dst.position() + decoded);
  }
}
