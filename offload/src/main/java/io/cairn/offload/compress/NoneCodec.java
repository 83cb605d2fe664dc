/* The identity codec: a bounded copy, so "none" and "stored raw" go through the same contract. */
package io.cairn.offload.compress;

import java.nio.ByteBuffer;

final class NoneCodec implements CompressionCodec {
  static final NoneCodec INSTANCE = new NoneCodec();

  private NoneCodec() {}

  @Override
  public Codec codec() {
    return Codec.NONE;
  }

  @Override
  public int maxCompressedBytes(int srcBytes) {
    return srcBytes;
  }

  @Override
  public int compress(ByteBuffer src, ByteBuffer dst) {
    Buffers.checkSrc(src);
    int n = src.remaining();
    Buffers.checkDst(dst, n, "a raw copy");
    dst.put(src);
    return n;
  }

  @Override
  public void decompress(ByteBuffer src, ByteBuffer dst, int originalBytes) {
    Buffers.checkSrc(src);
    Buffers.checkOriginalBytes(originalBytes);
    Buffers.checkDst(dst, originalBytes, "the original");
    if (src.remaining() != originalBytes) {
      throw new DecompressionException(Codec.NONE, originalBytes,
          "raw payload is " + src.remaining() + " bytes", null);
    }
    dst.put(src);
  }
}
