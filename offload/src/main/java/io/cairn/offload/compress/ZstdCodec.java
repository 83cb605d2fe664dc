/*
 * Zstandard through zstd-jni, one frame per call, at a configurable level.
 *
 * Contexts (ZSTD_CCtx / ZSTD_DCtx, several hundred KiB of native tables each) are created once per
 * thread and reused: creating one per block would cost more than compressing a 4 KiB block. They are
 * shared by every ZstdCodec on the thread; the level is re-applied only when it changes.
 *
 * zstd-jni addresses either two direct buffers or two heap arrays (or one of each when
 * decompressing). A combination it cannot address (e.g. a read-only heap buffer, which exposes no
 * array) is staged through a per-thread direct scratch buffer: correct, one copy slower.
 *
 * Decompression is bounded by the known original length: zstd refuses to write past dstSize and
 * reports corrupt frames as errors, which become DecompressionException.
 */
package io.cairn.offload.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.nio.ByteBuffer;

final class ZstdCodec implements CompressionCodec {
  private static final class CompressContext {
    final ZstdCompressCtx ctx = new ZstdCompressCtx();
    int level = Integer.MIN_VALUE;
    ByteBuffer scratch = ByteBuffer.allocateDirect(0);
  }

  private static final ThreadLocal<CompressContext> COMPRESS = ThreadLocal.withInitial(CompressContext::new);
  private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS = ThreadLocal.withInitial(ZstdDecompressCtx::new);
  private static final ThreadLocal<ByteBuffer[]> DECOMPRESS_SCRATCH =
      ThreadLocal.withInitial(() -> new ByteBuffer[] {ByteBuffer.allocateDirect(0), ByteBuffer.allocateDirect(0)});

  private final int level;

  ZstdCodec(int level) {
    if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel()) {
      throw new IllegalArgumentException("level: zstd levels are " + Zstd.minCompressionLevel()
          + ".." + Zstd.maxCompressionLevel() + ", got " + level);
    }
    this.level = level;
  }

  int level() {
    return level;
  }

  @Override
  public Codec codec() {
    return Codec.ZSTD;
  }

  @Override
  public int maxCompressedBytes(int srcBytes) {
    return Math.toIntExact(Zstd.compressBound(srcBytes));
  }

  @Override
  public int compress(ByteBuffer src, ByteBuffer dst) {
    Buffers.checkSrc(src);
    int srcBytes = src.remaining();
    int maxBytes = maxCompressedBytes(srcBytes);
    Buffers.checkDst(dst, maxBytes, "zstd output of " + srcBytes + " bytes");
    CompressContext c = COMPRESS.get();
    if (c.level != level) {
      c.ctx.setLevel(level);
      c.level = level;
    }
    int written;
    try {
      if (Buffers.bothDirect(src, dst)) {
        written = c.ctx.compressDirectByteBuffer(dst, dst.position(), maxBytes, src, src.position(), srcBytes);
      } else if (Buffers.bothArrays(src, dst)) {
        written = c.ctx.compressByteArray(dst.array(), dst.arrayOffset() + dst.position(), maxBytes,
            src.array(), src.arrayOffset() + src.position(), srcBytes);
      } else {
        written = compressStaged(c, src, dst, srcBytes, maxBytes);
      }
    } catch (ZstdException e) {
      // dst was sized to the bound, so this is a zstd-internal failure, not a caller mistake.
      throw new IllegalStateException("zstd compression failed: " + e.getMessage(), e);
    }
    src.position(src.limit());
    dst.position(dst.position() + written);
    return written;
  }

  private static int compressStaged(CompressContext c, ByteBuffer src, ByteBuffer dst, int srcBytes, int maxBytes) {
    int needed = srcBytes + maxBytes;
    if (c.scratch.capacity() < needed) {
      c.scratch = ByteBuffer.allocateDirect(needed);
    }
    ByteBuffer scratch = c.scratch.clear();
    scratch.put(src.duplicate());
    int written = c.ctx.compressDirectByteBuffer(scratch, srcBytes, maxBytes, scratch, 0, srcBytes);
    dst.duplicate().put(scratch.limit(srcBytes + written).position(srcBytes));
    return written;
  }

  @Override
  public void decompress(ByteBuffer src, ByteBuffer dst, int originalBytes) {
    Buffers.checkSrc(src);
    Buffers.checkOriginalBytes(originalBytes);
    Buffers.checkDst(dst, originalBytes, "the original");
    ZstdDecompressCtx ctx = DECOMPRESS.get();
    int srcBytes = src.remaining();
    int decoded;
    try {
      if (Buffers.bothDirect(src, dst)) {
        decoded = ctx.decompressDirectByteBuffer(dst, dst.position(), originalBytes, src, src.position(), srcBytes);
      } else if (Buffers.bothArrays(src, dst)) {
        decoded = ctx.decompressByteArray(dst.array(), dst.arrayOffset() + dst.position(), originalBytes,
            src.array(), src.arrayOffset() + src.position(), srcBytes);
      } else if (dst.isDirect() && src.hasArray()) {
        decoded = ctx.decompressByteArrayToDirectByteBuffer(dst, dst.position(), originalBytes,
            src.array(), src.arrayOffset() + src.position(), srcBytes);
      } else if (dst.hasArray() && src.isDirect()) {
        decoded = ctx.decompressDirectByteBufferToByteArray(dst.array(), dst.arrayOffset() + dst.position(),
            originalBytes, src, src.position(), srcBytes);
      } else {
        decoded = decompressStaged(ctx, src, dst, srcBytes, originalBytes);
      }
    } catch (ZstdException e) {
      throw new DecompressionException(Codec.ZSTD, originalBytes, e.getMessage(), e);
    }
    if (decoded != originalBytes) {
      throw new DecompressionException(Codec.ZSTD, originalBytes, "decoded " + decoded + " bytes", null);
    }
    src.position(src.limit());
    dst.position(dst.position() + decoded);
  }

  private static int decompressStaged(ZstdDecompressCtx ctx, ByteBuffer src, ByteBuffer dst, int srcBytes, int originalBytes) {
    ByteBuffer[] scratch = DECOMPRESS_SCRATCH.get();
    if (scratch[0].capacity() < srcBytes) {
      scratch[0] = ByteBuffer.allocateDirect(srcBytes);
    }
    if (scratch[1].capacity() < originalBytes) {
      scratch[1] = ByteBuffer.allocateDirect(originalBytes);
    }
    ByteBuffer in = scratch[0].clear();
    in.put(src.duplicate()).flip();
    // zstd-jni bounds offsets by the buffers' limits, which the previous call may have lowered.
    ByteBuffer out = scratch[1].clear();
    int decoded = ctx.decompressDirectByteBuffer(out, 0, originalBytes, in, 0, srcBytes);
    if (decoded == originalBytes) {
      dst.duplicate().put(out.limit(decoded));
    }
    return decoded;
  }
}
