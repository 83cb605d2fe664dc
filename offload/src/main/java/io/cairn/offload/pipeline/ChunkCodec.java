/*
 * The chunk half of the DPU pipeline: block -> chunk (fingerprint, compress, encrypt) and
 * chunk -> block (decrypt, decompress, verify the fingerprint), composed from the engines.
 *
 * Guarantees:
 * - decode(encode(b)) == b for every block, under every policy, and a chunk decodes under the
 *   policy it was *written* with (its header says what was applied), except that an encrypted
 *   volume refuses unencrypted chunks.
 * - Any modification of an encrypted chunk, or decoding it as another volume's or another id's,
 *   fails with ChunkCorruptException(AUTHENTICATION). For unencrypted chunks, any modification that
 *   changes the decoded block fails the fingerprint check; malformed headers and payloads fail
 *   with the precise reason. Nothing is ever silently truncated or padded.
 * - The chunk id is HMAC-SHA-256(domain key, plaintext block), and it is authenticated as associated
 *   data together with the volume id and the fixed header (see ChunkHeader for the format).
 *
 * Buffers: encode reads block's remaining bytes (position ends at limit) and writes the chunk at
 * dst's position (which advances); decode reads chunk's remaining bytes, which must be exactly one
 * chunk, and writes the block at dst's position. Intermediate results (compressed bytes before
 * encryption, decrypted bytes before decompression) go to per-thread scratch buffers; everything
 * else goes straight to the caller's buffers.
 *
 * Threads: thread-safe, one instance per volume, shared by the DPU threads.
 */
package io.cairn.offload.pipeline;

import io.cairn.offload.compress.Codec;
import io.cairn.offload.compress.CompressionCodec;
import io.cairn.offload.compress.Compressor;
import io.cairn.offload.compress.DecompressionException;
import io.cairn.offload.compress.UnknownCodecException;
import io.cairn.offload.crypto.ChunkIntegrityException;
import io.cairn.offload.crypto.ChunkNonce;
import io.cairn.offload.crypto.VolumeCipher;
import io.cairn.offload.dedup.Fingerprint;
import io.cairn.offload.dedup.Fingerprinter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

public final class ChunkCodec {
  /** Largest block a chunk can hold; also bounds what a (corrupt) header can make us allocate. */
  public static final int BLOCK_BYTES_MAX = 1 << 20;

  private static final int AAD_BYTES = ChunkHeader.FIXED_BYTES + Long.BYTES + Fingerprint.BYTES;

  private final long volumeId;
  private final ChunkPolicy policy;
  private final Fingerprinter fingerprinter;
  private final VolumeCipher cipher;
  private final Compressor compressor;

  private static final ThreadLocal<ByteBuffer> AAD = ThreadLocal.withInitial(() -> ByteBuffer.allocate(AAD_BYTES));
  private static final ThreadLocal<ByteBuffer> HEAP_SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocate(0));
  private static final ThreadLocal<ByteBuffer> DIRECT_SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0));

  /**
   * @param cipher the volume's cipher when {@code policy.encryption()}, otherwise null
   */
  public ChunkCodec(long volumeId, ChunkPolicy policy, Fingerprinter fingerprinter, VolumeCipher cipher) {
    this.volumeId = volumeId;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.fingerprinter = Objects.requireNonNull(fingerprinter, "fingerprinter");
    if (policy.encryption() && cipher == null) {
      throw new IllegalArgumentException("cipher: the policy requires encryption but no cipher was given");
    }
    if (!policy.encryption() && cipher != null) {
      throw new IllegalArgumentException("cipher: the policy does not encrypt; pass null");
    }
    this.cipher = cipher;
    this.compressor = new Compressor(CompressionCodec.of(policy.compression(), policy.zstdLevel()), policy.minRatio());
  }

  public ChunkPolicy policy() {
    return policy;
  }

  /** The chunk id of a block (its remaining bytes; the position does not move): the dedup lookup key. */
  public Fingerprint fingerprint(ByteBuffer block) {
    return fingerprinter.fingerprint(block);
  }

  /** The most bytes encode can write for a block of {@code blockBytes}: size dst with this. */
  public int maxChunkBytes(int blockBytes) {
    checkBlockBytes(blockBytes);
    int payload = Math.max(blockBytes, compressor.maxCompressedBytes(blockBytes));
    return policy.encryption()
        ? ChunkHeader.FIXED_BYTES + ChunkNonce.BYTES + VolumeCipher.sealedBytes(payload)
        : ChunkHeader.FIXED_BYTES + payload;
  }

  /** Fingerprints, compresses and encrypts one block into dst. */
  public Chunk encode(ByteBuffer block, ByteBuffer dst) {
    Objects.requireNonNull(block, "block");
    return encode(block, fingerprint(block), dst);
  }

  /**
   * Compresses and encrypts a block whose id the caller already computed with {@link #fingerprint}
   * (the write path fingerprints first, looks the id up for dedup, then encodes only new chunks).
   * An id that is not the block's fingerprint yields a chunk that fails FINGERPRINT_MISMATCH on read.
   */
  public Chunk encode(ByteBuffer block, Fingerprint id, ByteBuffer dst) {
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(id, "id");
    int blockBytes = block.remaining();
    checkDst(dst, maxChunkBytes(blockBytes));
    int start = dst.position();
    int headerBytes = policy.encryption() ? ChunkHeader.FIXED_BYTES + ChunkNonce.BYTES : ChunkHeader.FIXED_BYTES;
    if (!policy.encryption()) {
      ByteBuffer payload = dst.duplicate().position(start + headerBytes);
      Codec applied = compressor.tryCompress(block, payload);
      if (applied == Codec.NONE) {
        payload.put(block);
      }
      int payloadBytes = payload.position() - start - headerBytes;
      new ChunkHeader(applied, false, blockBytes, payloadBytes, null).writeFixed(dst, start);
      dst.position(payload.position());
      return new Chunk(id, dst.duplicate().position(start).limit(dst.position()).slice());
    }
    ByteBuffer scratch = scratch(block.isDirect(), compressor.maxCompressedBytes(blockBytes));
    Codec applied = compressor.tryCompress(block, scratch);
    ByteBuffer plaintext = applied == Codec.NONE ? block : scratch.flip();
    int payloadBytes = VolumeCipher.sealedBytes(plaintext.remaining());
    ChunkHeader header = new ChunkHeader(applied, true, blockBytes, payloadBytes, null);
    header.writeFixed(dst, start);
    ByteBuffer sealed = dst.duplicate().position(start + headerBytes);
    ChunkNonce nonce = cipher.seal(plaintext, aad(dst, start, id), sealed);
    nonce.writeTo(dst.duplicate().position(start + ChunkHeader.FIXED_BYTES));
    dst.position(sealed.position());
    return new Chunk(id, dst.duplicate().position(start).limit(dst.position()).slice());
  }

  /**
   * Encodes the blocks of one write in one call, back to back into dst.
   *
   * @throws IllegalArgumentException before writing anything, when dst cannot hold the worst case
   */
  public List<Chunk> encodeAll(List<ByteBuffer> blocks, ByteBuffer dst) {
    Objects.requireNonNull(blocks, "blocks");
    long neededBytes = 0;
    for (int i = 0; i < blocks.size(); i++) {
      ByteBuffer block = Objects.requireNonNull(blocks.get(i), () -> "blocks: element is null");
      neededBytes += maxChunkBytes(block.remaining());
    }
    checkDst(dst, neededBytes);
    List<Chunk> chunks = new ArrayList<>(blocks.size());
    for (ByteBuffer block : blocks) {
      chunks.add(encode(block, dst));
    }
    return chunks;
  }

  /** The block size a chunk decodes to, read from its header (for sizing dst). */
  public static int decodedBytes(ByteBuffer chunk) {
    Objects.requireNonNull(chunk, "chunk");
    return parseHeader(chunk, null).originalBytes();
  }

  /**
   * Decrypts, decompresses and verifies one chunk (exactly chunk's remaining bytes) into dst, which
   * must have room for the volume's block size (or {@link #decodedBytes}). On failure dst's bytes
   * after its position are unspecified and its position does not move.
   *
   * @throws ChunkCorruptException naming the reason when the chunk is not the block {@code id}
   */
  public void decode(ByteBuffer chunk, Fingerprint id, ByteBuffer dst) {
    Objects.requireNonNull(chunk, "chunk");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(dst, "dst");
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("dst: is read-only, the output cannot be written");
    }
    ChunkHeader header = parseHeader(chunk, id);
    if (header.originalBytes() > dst.remaining()) {
      // dst is sized to the volume's block size, which bounds every chunk of the volume: a header
      // announcing more is corrupt (callers with no block size at hand size dst with decodedBytes).
      throw new ChunkCorruptException(ChunkCorruptException.Reason.BAD_HEADER, id, "header announces "
          + header.originalBytes() + " bytes, more than the " + dst.remaining() + " dst has room for", null);
    }
    if (header.encrypted() && cipher == null) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.ENCRYPTION_MISMATCH, id,
          "chunk is encrypted but this volume's codec has no cipher", null);
    }
    if (!header.encrypted() && policy.encryption()) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.ENCRYPTION_MISMATCH, id,
          "unencrypted chunk on a volume that requires encryption", null);
    }
    int start = dst.position();
    int payloadAt = chunk.position() + header.bytes();
    ByteBuffer payload = chunk.duplicate().position(payloadAt).limit(payloadAt + header.payloadBytes());
    ByteBuffer out = dst.duplicate();
    try {
      if (header.encrypted()) {
        ByteBuffer aad = aad(chunk, chunk.position(), id);
        if (header.codec() == Codec.NONE) {
          openRaw(header, payload, aad, out, id);
        } else {
          ByteBuffer plain = scratch(dst.isDirect(), header.payloadBytes() - VolumeCipher.TAG_BYTES);
          cipher.open(header.nonce(), payload, aad, plain);
          Compressor.decompress(header.codec(), plain.flip(), out, header.originalBytes());
        }
      } else {
        Compressor.decompress(header.codec(), payload, out, header.originalBytes());
      }
    } catch (ChunkIntegrityException e) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.AUTHENTICATION, id, e.getMessage(), e);
    } catch (DecompressionException e) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.DECOMPRESSION, id, e.getMessage(), e);
    }
    Fingerprint actual = fingerprinter.fingerprint(dst.duplicate().position(start).limit(start + header.originalBytes()));
    if (!actual.equals(id)) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.FINGERPRINT_MISMATCH, id,
          "decoded block has fingerprint " + actual.toHex(), null);
    }
    chunk.position(chunk.limit());
    dst.position(start + header.originalBytes());
  }

  private void openRaw(ChunkHeader header, ByteBuffer payload, ByteBuffer aad, ByteBuffer out, Fingerprint id) {
    if (header.payloadBytes() - VolumeCipher.TAG_BYTES != header.originalBytes()) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.BAD_HEADER, id, "raw payload of "
          + (header.payloadBytes() - VolumeCipher.TAG_BYTES) + " bytes for a block of " + header.originalBytes(), null);
    }
    cipher.open(header.nonce(), payload, aad, out);
  }

  /** Parses and bounds-checks the header; the chunk's position does not move. */
  private static ChunkHeader parseHeader(ByteBuffer chunk, Fingerprint id) {
    ByteBuffer in = chunk.duplicate().order(ByteOrder.BIG_ENDIAN);
    int at = in.position();
    int chunkBytes = in.remaining();
    if (chunkBytes < ChunkHeader.FIXED_BYTES) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.TRUNCATED, id,
          "chunk is " + chunkBytes + " bytes, shorter than the " + ChunkHeader.FIXED_BYTES + "-byte header", null);
    }
    int version = Byte.toUnsignedInt(in.get(at));
    if (version != ChunkHeader.FORMAT_VERSION) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.BAD_HEADER, id,
          "unknown format version " + version, null);
    }
    Codec codec;
    try {
      codec = Codec.ofId(Byte.toUnsignedInt(in.get(at + 1)));
    } catch (UnknownCodecException e) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.UNKNOWN_CODEC, id, e.getMessage(), e);
    }
    int flags = Byte.toUnsignedInt(in.get(at + 2));
    int reserved = Byte.toUnsignedInt(in.get(at + 3));
    if ((flags & ~ChunkHeader.FLAG_ENCRYPTED) != 0 || reserved != 0) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.BAD_HEADER, id,
          "unknown flags " + flags + " or non-zero reserved byte " + reserved, null);
    }
    boolean encrypted = (flags & ChunkHeader.FLAG_ENCRYPTED) != 0;
    int originalBytes = in.getInt(at + 4);
    int payloadBytes = in.getInt(at + 8);
    if (originalBytes < 1 || originalBytes > BLOCK_BYTES_MAX) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.BAD_HEADER, id,
          "original length " + originalBytes + " outside 1.." + BLOCK_BYTES_MAX, null);
    }
    int minPayload = encrypted ? VolumeCipher.TAG_BYTES : 0;
    if (payloadBytes < minPayload || payloadBytes > VolumeCipher.sealedBytes(2 * BLOCK_BYTES_MAX)) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.BAD_HEADER, id,
          "payload length " + payloadBytes + " out of bounds", null);
    }
    int headerBytes = ChunkHeader.FIXED_BYTES + (encrypted ? ChunkNonce.BYTES : 0);
    if ((long) headerBytes + payloadBytes != chunkBytes) {
      throw new ChunkCorruptException(ChunkCorruptException.Reason.TRUNCATED, id, "header and payload announce "
          + ((long) headerBytes + payloadBytes) + " bytes, the chunk has " + chunkBytes, null);
    }
    ChunkNonce nonce = encrypted ? ChunkNonce.readFrom(in.position(at + ChunkHeader.FIXED_BYTES)) : null;
    return new ChunkHeader(codec, encrypted, originalBytes, payloadBytes, nonce);
  }

  /** AAD = fixed header || volume id || chunk id, in a per-thread buffer. */
  private ByteBuffer aad(ByteBuffer chunkBytes, int headerAt, Fingerprint id) {
    ByteBuffer aad = AAD.get().clear();
    aad.put(chunkBytes.duplicate().position(headerAt).limit(headerAt + ChunkHeader.FIXED_BYTES));
    aad.putLong(volumeId);
    id.writeTo(aad);
    return aad.flip();
  }

  private static ByteBuffer scratch(boolean direct, int bytes) {
    ThreadLocal<ByteBuffer> holder = direct ? DIRECT_SCRATCH : HEAP_SCRATCH;
    ByteBuffer buffer = holder.get();
    if (buffer.capacity() < bytes) {
      buffer = direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes);
      holder.set(buffer);
    }
    return buffer.clear();
  }

  private static void checkBlockBytes(int blockBytes) {
    if (blockBytes < 1 || blockBytes > BLOCK_BYTES_MAX) {
      throw new IllegalArgumentException("block: must hold 1.." + BLOCK_BYTES_MAX + " bytes, holds " + blockBytes);
    }
  }

  private static void checkDst(ByteBuffer dst, long neededBytes) {
    Objects.requireNonNull(dst, "dst");
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("dst: is read-only, the output cannot be written");
    }
    if (dst.remaining() < neededBytes) {
      throw new IllegalArgumentException("dst: needs " + neededBytes + " bytes, " + dst.remaining() + " remain");
    }
  }
}
