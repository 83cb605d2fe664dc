package io.cairn.offload.ec;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;

/**
 * Runs the coding kernel on small products so that the JIT has compiled it before real work
 * arrives. Until C2 has compiled the vector kernel, the Vector API runs its Java fallback,
 * thousands of times slower (RS(10,4) at 64 KiB: 2-5 stripes/s against tens of thousands, see
 * BENCHMARKS.md): without a warm-up the first segments sealed after start-up pay that.
 *
 * <p>Guarantees: bounded twice, by a number of rounds and by a time budget after which no new
 * round starts; a round is one encode of each of {@link #SHAPES}, {@link #SHARD_BYTES} per shard,
 * 240 KiB of input. It touches no state but the JIT's, and reports whether the last round's
 * parity equals the scalar kernel's, so a caller can tell a warm-up that ran from one that
 * produced wrong bytes.
 *
 * <p>Assumes one kernel loop per (outputs per pass, inputs per pass) shape, which is how
 * {@code VectorKernel} is written: encoding with one to four parity shards and an even and an odd
 * number of data shards runs each of its loops, the one-output ones included.
 */
public final class KernelWarmUp {

  /** Shard length of the warm-up stripes: a quarter of a kernel slice. */
  static final int SHARD_BYTES = 4096;

  /** (k, m) of the warm-up encodes: 1 to 4 outputs, with even and odd k. */
  private static final int[][] SHAPES = {
      {10, 1}, {10, 2}, {10, 3}, {10, 4}, {5, 1}, {5, 2}, {5, 3}, {5, 4}};

  /**
   * What a warm-up did.
   *
   * @param rounds rounds run, at least 1
   * @param elapsed wall time of the rounds and the check
   * @param parityMatchesScalar whether every shape's parity equals the scalar kernel's
   */
  public record Result(int rounds, Duration elapsed, boolean parityMatchesScalar) {}

  private KernelWarmUp() {}

  /**
   * Runs at least one and at most {@code roundsMax} rounds on the fastest kernel of this JVM,
   * starting no round after {@code budget} has passed.
   *
   * @throws IllegalArgumentException if roundsMax &lt; 1 or the budget is negative
   */
  public static Result run(int roundsMax, Duration budget) {
    if (roundsMax < 1) {
      throw new IllegalArgumentException("roundsMax must be at least 1, got " + roundsMax);
    }
    if (budget.isNegative()) {
      throw new IllegalArgumentException("budget must not be negative, got " + budget);
    }
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    Random random = new Random(1);
    ReedSolomon[] codes = new ReedSolomon[SHAPES.length];
    ByteBuffer[][] stripes = new ByteBuffer[SHAPES.length][];
    for (int s = 0; s < SHAPES.length; s++) {
      codes[s] = ReedSolomon.create(SHAPES[s][0], SHAPES[s][1]);
      stripes[s] = stripe(random, SHAPES[s][0], SHAPES[s][1]);
    }
    int rounds = 0;
    do {
      for (int s = 0; s < SHAPES.length; s++) {
        codes[s].encode(stripes[s]);
      }
      rounds++;
    } while (rounds < roundsMax && System.nanoTime() - deadline < 0);
    boolean matches = true;
    for (int s = 0; s < SHAPES.length; s++) {
      matches &= parityMatchesScalar(SHAPES[s][0], SHAPES[s][1], stripes[s]);
    }
    return new Result(rounds, Duration.ofNanos(System.nanoTime() - start), matches);
  }

  private static ByteBuffer[] stripe(Random random, int dataShards, int parityShards) {
    ByteBuffer[] shards = new ByteBuffer[dataShards + parityShards];
    for (int i = 0; i < shards.length; i++) {
      byte[] bytes = new byte[SHARD_BYTES];
      if (i < dataShards) {
        random.nextBytes(bytes);
      }
      shards[i] = ByteBuffer.wrap(bytes);
    }
    return shards;
  }

  private static boolean parityMatchesScalar(
      int dataShards, int parityShards, ByteBuffer[] encoded) {
    ByteBuffer[] reference = new ByteBuffer[encoded.length];
    for (int i = 0; i < encoded.length; i++) {
      reference[i] = i < dataShards
          ? encoded[i].duplicate()
          : ByteBuffer.allocate(SHARD_BYTES);
    }
    ReedSolomon.create(dataShards, parityShards, Kernel.SCALAR, 1).encode(reference);
    for (int i = dataShards; i < encoded.length; i++) {
      if (!reference[i].equals(encoded[i])) {
        return false;
      }
    }
    return true;
  }
}
