/*
 * The chunk format, version 1. Big-endian:
 *
 *   offset size
 *   0      1   format version (1)
 *   1      1   codec applied (Codec id: 0 none, 1 lz4, 2 zstd)
 *   2      1   flags: bit 0 = encrypted; other bits must be zero
 *   3      1   reserved, zero
 *   4      4   original (block) length in bytes, 1..ChunkCodec.BLOCK_BYTES_MAX
 *   8      4   payload length in bytes (compressed bytes, plus the 16-byte tag when encrypted)
 *   12     24  ChunkNonce, only when encrypted
 *   ...        payload
 *
 * The 12 fixed bytes are part of the AES-GCM associated data, so a flipped codec id, flag or length
 * fails authentication rather than steering the decoder.
 */
package io.cairn.offload.pipeline;

import io.cairn.offload.compress.Codec;
import io.cairn.offload.crypto.ChunkNonce;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

record ChunkHeader(Codec codec, boolean encrypted, int originalBytes, int payloadBytes, ChunkNonce nonce) {
  static final int FORMAT_VERSION = 1;
  static final int FIXED_BYTES = 12;
  static final int FLAG_ENCRYPTED = 1;

  int bytes() {
    return FIXED_BYTES + (encrypted ? ChunkNonce.BYTES : 0);
  }

  /** Writes the fixed part at absolute {@code at} of {@code dst}, without moving its position. */
  void writeFixed(ByteBuffer dst, int at) {
    dst.duplicate().order(ByteOrder.BIG_ENDIAN).put(at, (byte) FORMAT_VERSION)
        .put(at + 1, (byte) codec.id())
        .put(at + 2, (byte) (encrypted ? FLAG_ENCRYPTED : 0))
        .put(at + 3, (byte) 0)
        .putInt(at + 4, originalBytes)
        .putInt(at + 8, payloadBytes);
  }
}
