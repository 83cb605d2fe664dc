/*
 * The compression codecs a chunk can carry, with the one-byte id written into chunk headers.
 *
 * Ids are part of the on-disk format: never renumber, only append.
 */
package io.cairn.offload.compress;

public enum Codec {
  /** Stored as is: chosen by policy, or because compressing did not pay. */
  NONE(0),
  LZ4(1),
  ZSTD(2);

  private final int id;

  Codec(int id) {
    this.id = id;
  }

  /** The byte written into chunk headers. */
  public int id() {
    return id;
  }

  /**
   * @throws UnknownCodecException for an id no codec has (a corrupt header, or a newer format)
   */
  public static Codec ofId(int id) {
    return switch (id) {
      case 0 -> NONE;
      case 1 -> LZ4;
      case 2 -> ZSTD;
      default -> throw new UnknownCodecException(id);
    };
  }
}
