package io.cairn.offload.pipeline;

import io.cairn.offload.ec.ErasureArgumentException;
import io.cairn.offload.ec.ErasureArgumentException.Problem;
import io.cairn.offload.ec.ReedSolomon;
import io.cairn.offload.ec.TooManyErasuresException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The erasure-coding half of the chunk pipeline: a sealed segment becomes k + m shards with a
 * CRC32C each, and any byte range of the segment can be read back from its data shards.
 *
 * <p>Layout: a segment of n bytes is cut into k data shards of ceil(n / k) bytes each, in order,
 * the last ones zero-padded (fewer than k padding bytes in all); segment byte x lives in data
 * shard x / shardBytes at x % shardBytes. The true length n is recorded in
 * {@link SegmentShards}, so padding is never returned.
 *
 * <p>Reads: a healthy read fetches exactly the requested bytes from the one or two data shards
 * that hold them and decodes nothing. When a shard is missing or corrupt, only the same byte
 * range of k other shards is fetched and rebuilt ({@link ReedSolomon#reconstructShard}), so a
 * degraded 4 KiB read costs k x 4 KiB of I/O, not a stripe. Scratch for a rebuild is allocated
 * per degraded piece (k x its length); healthy reads allocate nothing proportional to data.
 *
 * <p>Positions: no method moves the position or limit of a buffer it is given. Thread-safe.
 */
public final class SegmentCodec {

  private final ReedSolomon code;
  private final int segmentBytesMax;

  /**
   * @param code the Reed-Solomon code of every segment this codec handles
   * @param segmentBytesMax the largest segment accepted (the configured segment size)
   */
  public SegmentCodec(ReedSolomon code, int segmentBytesMax) {
    if (code == null) {
      throw new ErasureArgumentException("code", Problem.NULL, "null");
    }
    if (segmentBytesMax < 1) {
      throw new ErasureArgumentException("segmentBytesMax", Problem.OUT_OF_RANGE,
          segmentBytesMax + " < 1");
    }
    this.code = code;
    this.segmentBytesMax = segmentBytesMax;
  }

  public ReedSolomon code() {
    return code;
  }

  public int segmentBytesMax() {
    return segmentBytesMax;
  }

  /** The length of every shard of a segment of that length: ceil(segmentBytes / k). */
  public int shardBytes(int segmentBytes) {
    checkSegmentLength("segmentBytes", segmentBytes);
    return (int) (((long) segmentBytes + code.dataShards() - 1) / code.dataShards());
  }

  /**
   * Splits the segment into k data shards, computes the m parity shards and every shard's CRC32C.
   *
   * @param segment the segment's bytes, [position, limit); at most segmentBytesMax
   * @param shardsOut k + m writable buffers with at least {@link #shardBytes(int)} bytes
   *     remaining each; exactly shardBytes are written at each position
   * @return the lengths and checksums to record with the shards
   */
  public SegmentShards encode(ByteBuffer segment, ByteBuffer[] shardsOut) {
    int segmentBytes = segmentLength(segment);
    int shardBytes = shardBytes(segmentBytes);
    ByteBuffer[] shards = shardRegions(shardsOut, shardBytes);
    int k = code.dataShards();
    for (int i = 0; i < k; i++) {
      int from = Math.min(segmentBytes, i * shardBytes);
      int dataBytes = Math.min(segmentBytes, from + shardBytes) - from;
      shards[i].put(0, segment, segment.position() + from, dataBytes);
      for (int p = dataBytes; p < shardBytes; p++) {
        shards[i].put(p, (byte) 0);
      }
    }
    return parityAndChecksums(shards, segmentBytes, shardBytes);
  }

  /**
   * Encodes like {@link #encode}, allocating only what it must: each data shard that lies wholly
   * inside the segment is a view of the segment's bytes, not a copy (so the segment must not
   * change while the shards are in use); a data shard the segment does not fill (zero-padded)
   * and the parity shards are new heap buffers.
   *
   * @param segment the segment's bytes, [position, limit); at most segmentBytesMax
   * @param shardsOut receives the k + m shards, each {@link #shardBytes(int)} long from position 0
   * @return the lengths and checksums to record with the shards
   */
  public SegmentShards encodeSharing(ByteBuffer segment, ByteBuffer[] shardsOut) {
    int segmentBytes = segmentLength(segment);
    checkShardCount(shardsOut);
    int shardBytes = shardBytes(segmentBytes);
    int k = code.dataShards();
    for (int i = 0; i < shardsOut.length; i++) {
      int from = i * shardBytes;
      if (i < k && from + shardBytes <= segmentBytes) {
        shardsOut[i] = segment.slice(segment.position() + from, shardBytes);
      } else {
        shardsOut[i] = ByteBuffer.allocate(shardBytes);
        if (i < k && from < segmentBytes) {
          shardsOut[i].put(0, segment, segment.position() + from, segmentBytes - from);
        }
      }
    }
    return parityAndChecksums(shardsOut, segmentBytes, shardBytes);
  }

  /** The length of a segment to encode: its remaining bytes, at most segmentBytesMax. */
  private int segmentLength(ByteBuffer segment) {
    if (segment == null) {
      throw new ErasureArgumentException("segment", Problem.NULL, "null buffer");
    }
    int segmentBytes = segment.remaining();
    if (segmentBytes > segmentBytesMax) {
      throw new ErasureArgumentException("segment", Problem.WRONG_LENGTH,
          segmentBytes + " bytes, more than segmentBytesMax " + segmentBytesMax);
    }
    return segmentBytes;
  }

  /** Fills in the parity shards of data shards in place, then checksums every shard. */
  private SegmentShards parityAndChecksums(ByteBuffer[] shards, int segmentBytes,
      int shardBytes) {
    code.encode(shards);
    int[] crc = new int[shards.length];
    for (int i = 0; i < shards.length; i++) {
      crc[i] = crc32c(shards[i]);
    }
    return new SegmentShards(segmentBytes, shardBytes, crc);
  }

  /**
   * Reads segment bytes [offset, offset + lengthBytes) into {@code out} at its position, from the
   * data shards that hold them; a piece whose shard is missing or corrupt is rebuilt from the same
   * range of k other shards.
   *
   * @throws SegmentUnreadableException if a piece's shard and too many others are unavailable
   */
  public void read(SegmentShards layout, ShardSource source, int offset, int lengthBytes,
      ByteBuffer out) {
    checkLayout(layout);
    if (source == null) {
      throw new ErasureArgumentException("source", Problem.NULL, "null");
    }
    if (offset < 0 || offset > layout.segmentBytes()) {
      throw new ErasureArgumentException("offset", Problem.OUT_OF_RANGE,
          offset + " not in 0.." + layout.segmentBytes());
    }
    if (lengthBytes < 0 || lengthBytes > layout.segmentBytes() - offset) {
      throw new ErasureArgumentException("lengthBytes", Problem.OUT_OF_RANGE, lengthBytes
          + " from offset " + offset + " passes the segment's end " + layout.segmentBytes());
    }
    if (out == null) {
      throw new ErasureArgumentException("out", Problem.NULL, "null buffer");
    }
    if (out.isReadOnly()) {
      throw new ErasureArgumentException("out", Problem.READ_ONLY, "read-only buffer");
    }
    if (out.remaining() < lengthBytes) {
      throw new ErasureArgumentException("out", Problem.WRONG_LENGTH,
          out.remaining() + " bytes remaining, " + lengthBytes + " to read");
    }
    int shardBytes = layout.shardBytes();
    long unavailable = 0;
    int done = 0;
    while (done < lengthBytes) {
      int at = offset + done;
      int shard = at / shardBytes;
      int fromByte = at % shardBytes;
      int pieceBytes = Math.min(lengthBytes - done, shardBytes - fromByte);
      ByteBuffer piece = out.slice(out.position() + done, pieceBytes);
      if ((unavailable & (1L << shard)) != 0
          || !fetch(layout, source, shard, fromByte, piece)) {
        unavailable |= 1L << shard;
        unavailable = rebuild(layout, source, shard, fromByte, piece, at, unavailable);
      }
      done += pieceBytes;
    }
  }

  /**
   * True when the shard's bytes match their recorded CRC32C; what a store or scrub calls.
   *
   * @param shard the shard's bytes, [position, limit), exactly shardBytes long
   */
  public boolean shardIntact(SegmentShards layout, int shardIndex, ByteBuffer shard) {
    checkLayout(layout);
    if (shardIndex < 0 || shardIndex >= layout.shardCount()) {
      throw new ErasureArgumentException("shardIndex", Problem.OUT_OF_RANGE,
          shardIndex + " not in 0.." + (layout.shardCount() - 1));
    }
    if (shard == null) {
      throw new ErasureArgumentException("shard", Problem.NULL, "null buffer");
    }
    if (shard.remaining() != layout.shardBytes()) {
      throw new ErasureArgumentException("shard", Problem.WRONG_LENGTH,
          shard.remaining() + " bytes, shards are " + layout.shardBytes());
    }
    return crc32c(shard) == layout.crc32c(shardIndex);
  }

  /**
   * Rebuilds one piece from the same range of k other shards, asking for them in index order
   * (data before parity) and skipping shards already known to be unavailable.
   *
   * @return the unavailable set, grown by every shard that failed on the way
   */
  private long rebuild(SegmentShards layout, ShardSource source, int target, int fromByte,
      ByteBuffer piece, int segmentOffset, long unavailable) {
    int total = code.totalShards();
    ByteBuffer[] ranges = new ByteBuffer[total];
    boolean[] present = new boolean[total];
    int fetched = 0;
    for (int i = 0; i < total && fetched < code.dataShards(); i++) {
      if (i == target || (unavailable & (1L << i)) != 0) {
        continue;
      }
      ByteBuffer range = ByteBuffer.allocate(piece.remaining());
      if (fetch(layout, source, i, fromByte, range)) {
        ranges[i] = range;
        present[i] = true;
        fetched++;
      } else {
        unavailable |= 1L << i;
      }
    }
    try {
      code.reconstructShard(ranges, present, target, piece);
    } catch (TooManyErasuresException tooMany) {
      throw new SegmentUnreadableException(segmentOffset, piece.remaining(), unavailable, tooMany);
    }
    return unavailable;
  }

  /**
   * One range from the source, into a view so the source cannot move the caller's position.
   * A whole shard is also checked against its CRC32C, which covers exactly the whole shard.
   */
  private static boolean fetch(SegmentShards layout, ShardSource source, int shard, int fromByte,
      ByteBuffer into) {
    ByteBuffer view = into.duplicate();
    if (!source.read(shard, fromByte, view)) {
      return false;
    }
    boolean wholeShard = fromByte == 0 && into.remaining() == layout.shardBytes();
    return !wholeShard || crc32c(into) == layout.crc32c(shard);
  }

  private void checkShardCount(ByteBuffer[] shardsOut) {
    if (shardsOut == null) {
      throw new ErasureArgumentException("shardsOut", Problem.NULL, "null array");
    }
    if (shardsOut.length != code.totalShards()) {
      throw new ErasureArgumentException("shardsOut", Problem.WRONG_COUNT,
          shardsOut.length + " buffers, code has " + code.totalShards() + " shards");
    }
  }

  private ByteBuffer[] shardRegions(ByteBuffer[] shardsOut, int shardBytes) {
    checkShardCount(shardsOut);
    ByteBuffer[] regions = new ByteBuffer[shardsOut.length];
    for (int i = 0; i < shardsOut.length; i++) {
      String argument = "shardsOut[" + i + "]";
      ByteBuffer buffer = shardsOut[i];
      if (buffer == null) {
        throw new ErasureArgumentException(argument, Problem.NULL, "null buffer");
      }
      if (buffer.isReadOnly()) {
        throw new ErasureArgumentException(argument, Problem.READ_ONLY, "read-only buffer");
      }
      if (buffer.remaining() < shardBytes) {
        throw new ErasureArgumentException(argument, Problem.WRONG_LENGTH,
            buffer.remaining() + " bytes remaining, shards are " + shardBytes);
      }
      regions[i] = buffer.slice(buffer.position(), shardBytes);
    }
    return regions;
  }

  private void checkLayout(SegmentShards layout) {
    if (layout == null) {
      throw new ErasureArgumentException("layout", Problem.NULL, "null");
    }
    if (layout.shardCount() != code.totalShards()) {
      throw new ErasureArgumentException("layout", Problem.WRONG_COUNT,
          layout.shardCount() + " shard checksums, code has " + code.totalShards() + " shards");
    }
    checkSegmentLength("layout", layout.segmentBytes());
    if (layout.shardBytes() != shardBytes(layout.segmentBytes())) {
      throw new ErasureArgumentException("layout", Problem.WRONG_LENGTH, "shardBytes "
          + layout.shardBytes() + " does not fit segmentBytes " + layout.segmentBytes());
    }
  }

  private void checkSegmentLength(String argument, int segmentBytes) {
    if (segmentBytes < 0 || segmentBytes > segmentBytesMax) {
      throw new ErasureArgumentException(argument, Problem.OUT_OF_RANGE,
          "segment of " + segmentBytes + " bytes not in 0.." + segmentBytesMax);
    }
  }

  private static int crc32c(ByteBuffer region) {
    CRC32C crc = new CRC32C();
    crc.update(region.duplicate());
    return (int) crc.getValue();
  }
}
