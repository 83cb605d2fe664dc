/*
 * How a volume turns blocks into chunks: the pipeline steps its policy switches on or off.
 *
 * - compression: the codec tried on every new chunk (NONE: never compress);
 * - zstdLevel: used when compression is ZSTD, ignored otherwise;
 * - dedup: whether the volume leader looks fingerprints up in the dedup index. The codec computes
 *   the fingerprint either way: it is the chunk's identity and the end-to-end check on read;
 * - encryption: AES-256-GCM with the volume's data key; on an encrypted volume an unencrypted chunk
 *   is refused on read (no silent downgrade);
 * - minRatio: the smallest original/compressed ratio worth storing compressed (>= 1.0); below it
 *   the chunk is stored raw.
 */
package io.cairn.offload.pipeline;

import io.cairn.offload.compress.Codec;
import io.cairn.offload.compress.CompressionCodec;
import java.util.Objects;

public record ChunkPolicy(Codec compression, int zstdLevel, boolean dedup, boolean encryption, double minRatio) {
  /** zstd's own default level: a good ratio at several hundred MB/s. */
  public static final int ZSTD_LEVEL_DEFAULT = 3;
  /** Keep compressed only when it saves at least 1/9 of the bytes (as ZFS's 12.5% rule, roughly). */
  public static final double MIN_RATIO_DEFAULT = 1.125;

  /** LZ4, dedup on, encryption off: the volume default of DESIGN.md. */
  public static final ChunkPolicy DEFAULT =
      new ChunkPolicy(Codec.LZ4, ZSTD_LEVEL_DEFAULT, true, false, MIN_RATIO_DEFAULT);

  public ChunkPolicy {
    Objects.requireNonNull(compression, "compression");
    if (compression == Codec.ZSTD) {
      // Validates the level now, at policy creation, rather than on the first write.
      CompressionCodec.zstd(zstdLevel);
    }
    if (!(minRatio >= 1.0) || Double.isInfinite(minRatio)) {
      throw new IllegalArgumentException("minRatio: must be a finite number >= 1.0, got " + minRatio);
    }
  }

  public ChunkPolicy withCompression(Codec codec) {
    return new ChunkPolicy(codec, zstdLevel, dedup, encryption, minRatio);
  }

  public ChunkPolicy withEncryption(boolean on) {
    return new ChunkPolicy(compression, zstdLevel, dedup, on, minRatio);
  }
}
