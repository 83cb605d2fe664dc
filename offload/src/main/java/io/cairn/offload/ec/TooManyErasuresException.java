package io.cairn.offload.ec;

/**
 * Fewer than k shards are available, so the lost bytes cannot be determined. Thrown before any
 * output byte is written: a decode either succeeds or leaves its outputs untouched, never holds
 * garbage.
 */
public final class TooManyErasuresException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int availableShards;
  private final int dataShards;

  public TooManyErasuresException(int availableShards, int dataShards) {
    super("only " + availableShards + " shards available, " + dataShards + " needed to decode");
    this.availableShards = availableShards;
    this.dataShards = dataShards;
  }

  /** How many usable shards the caller had. */
  public int availableShards() {
    return availableShards;
  }

  /** How many it takes (k). */
  public int dataShards() {
    return dataShards;
  }
}
