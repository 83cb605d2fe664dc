package io.cairn.node.volume;

import io.cairn.offload.dedup.Fingerprint;
import java.nio.ByteBuffer;

/**
 * A row of the chunk table: a chunk's identity, how many blocks reference it, its sizes and where
 * its bytes are — in the journal ({@code segmentId == 0}) or at an offset of a sealed segment.
 */
record ChunkRecord(Fingerprint id, int refs, int storedBytes, int plainBytes, long segmentId,
    int segmentOffset) {

  static final long IN_JOURNAL = 0;
  private static final int BYTES = Fingerprint.BYTES + 4 + 4 + 4 + 8 + 4;

  boolean inJournal() {
    return segmentId == IN_JOURNAL;
  }

  ChunkRecord withRefs(int newRefs) {
    return new ChunkRecord(id, newRefs, storedBytes, plainBytes, segmentId, segmentOffset);
  }

  ChunkRecord inSegment(long segment, int offset) {
    return new ChunkRecord(id, refs, storedBytes, plainBytes, segment, offset);
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    id.writeTo(b);
    return b.putInt(refs).putInt(storedBytes).putInt(plainBytes).putLong(segmentId)
        .putInt(segmentOffset).array();
  }

  static ChunkRecord decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    Fingerprint id = Fingerprint.readFrom(b);
    return new ChunkRecord(id, b.getInt(), b.getInt(), b.getInt(), b.getLong(), b.getInt());
  }
}
