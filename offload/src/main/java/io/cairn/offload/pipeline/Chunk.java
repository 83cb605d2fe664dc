/*
 * One encoded chunk: its identity (the keyed fingerprint of the block's plaintext, which the block
 * map and dedup index store) and its bytes (header and payload), a view of the caller's buffer.
 */
package io.cairn.offload.pipeline;

import io.cairn.offload.dedup.Fingerprint;
import java.nio.ByteBuffer;
import java.util.Objects;

public record Chunk(Fingerprint id, ByteBuffer bytes) {
  public Chunk {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(bytes, "bytes");
  }
}
