package io.cairn.node.volume;

import io.cairn.offload.dedup.Fingerprint;
import java.nio.ByteBuffer;
import java.util.Comparator;

/**
 * Key encodings of the metadata tables (MetaStore.Table). Big-endian, so that all keys of a
 * volume, or of a segment, are one contiguous, ordered prefix range.
 */
final class VolumeKeys {

  /** Fingerprints in the order of their dedup keys (the unsigned order of their bytes). */
  static final Comparator<Fingerprint> DEDUP_ORDER = Comparator
      .comparing(Fingerprint::word0, Long::compareUnsigned)
      .thenComparing(Fingerprint::word1, Long::compareUnsigned)
      .thenComparing(Fingerprint::word2, Long::compareUnsigned)
      .thenComparing(Fingerprint::word3, Long::compareUnsigned);

  private VolumeKeys() {}

  static byte[] volume(long volumeId) {
    return ByteBuffer.allocate(8).putLong(volumeId).array();
  }

  static byte[] pair(long a, long b) {
    return ByteBuffer.allocate(16).putLong(a).putLong(b).array();
  }

  static byte[] block(long volumeId, long blockIndex) {
    return pair(volumeId, blockIndex);
  }

  static byte[] chunk(long volumeId, long chunkNumber) {
    return pair(volumeId, chunkNumber);
  }

  static byte[] segment(long volumeId, long segmentId) {
    return pair(volumeId, segmentId);
  }

  static byte[] segmentChunk(long segmentId, long chunkNumber) {
    return pair(segmentId, chunkNumber);
  }

  static byte[] dedup(long volumeId, Fingerprint id) {
    ByteBuffer b = ByteBuffer.allocate(8 + Fingerprint.BYTES).putLong(volumeId);
    id.writeTo(b);
    return b.array();
  }

  /** The second 8-byte field of a (volume, x) or (segment, x) key. */
  static long second(byte[] key) {
    return ByteBuffer.wrap(key, 8, 8).getLong();
  }

  static byte[] longValue(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long longOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
  }
}
