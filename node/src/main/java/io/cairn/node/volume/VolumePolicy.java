package io.cairn.node.volume;

import java.util.Locale;

/**
 * How a volume's data is protected and reduced: Reed-Solomon k+m across failure domains,
 * compression, dedup within the volume, AES-256-GCM at rest.
 */
public record VolumePolicy(
    int dataShards, int parityShards, Compression compression, boolean dedup, boolean encryption) {

  /** The compression a volume's chunks get (a chunk that does not shrink is stored raw). */
  public enum Compression {
    NONE, LZ4, ZSTD;

    /** Parses "none", "lz4" or "zstd" (any case). */
    public static Compression parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException(
            "compression must be one of none, lz4, zstd; got '" + name + "'");
      }
    }
  }

  /** Every data service on: RS(4,2), lz4, dedup, encryption. */
  public static final VolumePolicy DEFAULT =
      new VolumePolicy(4, 2, Compression.LZ4, true, true);

  /** Every data service off, and no parity: the raw path. */
  public static final VolumePolicy PLAIN =
      new VolumePolicy(1, 0, Compression.NONE, false, false);

  public VolumePolicy {
    if (dataShards < 1 || parityShards < 0 || dataShards + parityShards > 64) {
      throw new IllegalArgumentException("erasure coding must have k >= 1, m >= 0, k+m <= 64; got "
          + dataShards + "+" + parityShards);
    }
    if (compression == null) {
      throw new IllegalArgumentException("compression must be one of none, lz4, zstd");
    }
  }

  public int totalShards() {
    return dataShards + parityShards;
  }
}
