package io.cairn.offload.dpu;

/**
 * The DPU tier's engine classes. Each has its own bounded submission queue and its own meters,
 * so that one saturated function (say, erasure coding a burst of sealed segments) refuses its own
 * work without starving the others.
 */
public enum Engine {
  /** block → chunk: fingerprint, compress, encrypt. */
  CHUNK_ENCODE("chunk-encode"),
  /** chunk → block: decrypt, decompress, verify the fingerprint. */
  CHUNK_DECODE("chunk-decode"),
  /** segment → k+m shards with their CRC32C (Reed-Solomon encode). */
  SEGMENT_ENCODE("segment-encode"),
  /** Rebuilding missing or corrupt shard bytes from k others (Reed-Solomon decode). */
  RECONSTRUCT("reconstruct"),
  /** CRC32C over shard bytes (scrub, verification of fetched shards). */
  CHECKSUM("checksum");

  private final String tag;

  Engine(String tag) {
    this.tag = tag;
  }

  /** The value of the {@code engine} tag on every meter of this engine. */
  public String tag() {
    return tag;
  }
}
