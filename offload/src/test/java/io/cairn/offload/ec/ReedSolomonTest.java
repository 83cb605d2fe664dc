package io.cairn.offload.ec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReedSolomonTest {

  /** Data byte j of shard i in the golden stripes: (i * 37 + j * 11 + 5) mod 256, 16 bytes. */
  static ByteBuffer[] goldenStripe(int k, int m) {
    ByteBuffer[] shards = new ByteBuffer[k + m];
    for (int i = 0; i < shards.length; i++) {
      shards[i] = ByteBuffer.allocate(16);
      for (int j = 0; i < k && j < 16; j++) {
        shards[i].put(j, (byte) (i * 37 + j * 11 + 5));
      }
    }
    return shards;
  }

  /**
   * Parity of the golden stripes, pinned. Produced by Intel ISA-L 2.30 ({@code
   * gf_gen_cauchy1_matrix}, {@code ec_init_tables}, {@code ec_encode_data}) on the same inputs,
   * and recomputed below by the independent {@link SlowGf} encoder.
   */
  static Stream<Arguments> goldenParity() {
    return Stream.of(
        Arguments.of(4, 2, new String[] {
            "b84d6d2bb562d3ffa494ad634aa7d7dd", "8a99c8d08dfeb3964cf18be8b7093c3b"}),
        Arguments.of(8, 3, new String[] {
            "2c84e6d9d3b1ace49121d9688976808c", "c855ab89fe0f8bc06af6ef4ea41f381b",
            "c69d7ee906b95d8c34a8d0e16a36e2dd"}),
        Arguments.of(10, 4, new String[] {
            "9b4102148e0763c49e7853000537a012", "d28726e7bc13f9c9b69a6753af0e6bc4",
            "e83431ce0e6198f52d0a4dd1b0e634cf", "a9de1e487b7dc9bafc45e60d8c605480"}));
  }

  @ParameterizedTest
  @MethodSource("goldenParity")
  void goldenStripesEncodeToIsalParityOnEveryKernel(int k, int m, String[] parityHex) {
    byte[][] data = Shards.copy(goldenStripe(k, m));
    byte[][] slow = SlowGf.parity(java.util.Arrays.copyOf(data, k), m);
    for (int j = 0; j < m; j++) {
      assertThat(HexFormat.of().formatHex(slow[j])).as("SlowGf parity %d", j)
          .isEqualTo(parityHex[j]);
    }
    for (Kernel kernel : Kernel.values()) {
      ByteBuffer[] shards = goldenStripe(k, m);
      ReedSolomon.create(k, m, kernel, 4).encode(shards);
      for (int j = 0; j < m; j++) {
        assertThat(HexFormat.of().formatHex(SlowGf.bytes(shards[k + j])))
            .as("%s parity %d", kernel, j).isEqualTo(parityHex[j]);
      }
    }
  }

  /** Every erasure pattern of up to m shards, data and parity, for the codes Cairn deploys. */
  static Stream<Arguments> deployedCodes() {
    return Stream.of(Kernel.values()).flatMap(kernel -> Stream.of(
        Arguments.of(kernel, 4, 2), Arguments.of(kernel, 6, 3),
        Arguments.of(kernel, 8, 3), Arguments.of(kernel, 10, 4)));
  }

  @ParameterizedTest
  @MethodSource("deployedCodes")
  void everyPatternOfUpToMLostShardsIsRebuilt(Kernel kernel, int k, int m) {
    ReedSolomon code = ReedSolomon.create(k, m, kernel, 4096);
    int n = k + m;
    ByteBuffer[] shards = Shards.stripe(k, m, 100, false, 31L * k + m);
    code.encode(shards);
    byte[][] original = Shards.copy(shards);
    assertThat(SlowGf.parity(java.util.Arrays.copyOf(original, k), m))
        .isDeepEqualTo(java.util.Arrays.copyOfRange(original, k, n));
    int patterns = 0;
    for (long lost = 0; lost < (1L << n); lost++) {
      if (Long.bitCount(lost) > m) {
        continue;
      }
      boolean[] present = new boolean[n];
      for (int i = 0; i < n; i++) {
        present[i] = (lost & (1L << i)) == 0;
        if (!present[i]) {
          Shards.smash(shards[i]);
        }
      }
      code.reconstruct(shards, present);
      assertThat(Shards.copy(shards)).as("lost %s", Long.toBinaryString(lost))
          .isDeepEqualTo(original);
      patterns++;
    }
    int expected = 0;
    for (int e = 0; e <= m; e++) {
      expected += binomial(n, e);
    }
    assertThat(patterns).isEqualTo(expected);
  }

  /** Larger codes, random k, m, sizes, buffer kinds and loss patterns, seeded. */
  @ParameterizedTest
  @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112})
  void randomCodesRebuildRandomPatterns(long seed) {
    Random random = new Random(seed);
    int k = 1 + random.nextInt(40);
    int m = random.nextInt(Math.min(24, ReedSolomon.TOTAL_SHARDS_MAX - k) + 1);
    int shardBytes = random.nextInt(3000);
    ReedSolomon code = ReedSolomon.create(k, m);
    ByteBuffer[] shards = Shards.stripe(k, m, shardBytes, random.nextBoolean(), seed);
    code.encode(shards);
    assertThat(code.verify(shards)).isTrue();
    byte[][] original = Shards.copy(shards);
    for (int round = 0; round < 5; round++) {
      boolean[] present = new boolean[k + m];
      java.util.Arrays.fill(present, true);
      int losses = m == 0 ? 0 : random.nextInt(m + 1);
      for (int e = 0; e < losses; e++) {
        int i = random.nextInt(k + m);
        present[i] = false;
        Shards.smash(shards[i]);
      }
      code.reconstruct(shards, present);
      assertThat(Shards.copy(shards)).as("RS(%d,%d) round %d", k, m, round)
          .isDeepEqualTo(original);
    }
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void rangeOfOneLostDataShardIsRebuiltFromTheSameRangeOfOthers(Kernel kernel) {
    int k = 10;
    int m = 4;
    ReedSolomon code = ReedSolomon.create(k, m, kernel, 64);
    ByteBuffer[] shards = Shards.stripe(k, m, 64 * 1024, true, 7);
    code.encode(shards);
    byte[][] original = Shards.copy(shards);
    int from = 12_345;
    int to = from + 4096;
    ByteBuffer[] ranges = new ByteBuffer[k + m];
    boolean[] present = new boolean[k + m];
    for (int i = 0; i < k + m; i++) {
      // Only the range itself is handed over, as a store would read it: no whole shards.
      if (i != 3 && i != 5 && i != 11) {
        ByteBuffer buffer = shards[i];
        ranges[i] = buffer.slice(buffer.position() + from, to - from).asReadOnlyBuffer();
        present[i] = true;
      }
    }
    ByteBuffer out = ByteBuffer.allocate(to - from);
    code.reconstructShard(ranges, present, 5, out);
    assertThat(out.array())
        .isEqualTo(java.util.Arrays.copyOfRange(original[5], from, to));
    assertThat(out.position()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void parityShardCanBeRebuiltAloneWithoutTouchingTheOthers(Kernel kernel) {
    ReedSolomon code = ReedSolomon.create(6, 3, kernel, 64);
    ByteBuffer[] shards = Shards.stripe(6, 3, 777, false, 8);
    code.encode(shards);
    byte[][] original = Shards.copy(shards);
    boolean[] present = {false, true, true, true, true, true, true, true, true};
    ByteBuffer out = ByteBuffer.allocateDirect(777);
    code.reconstructShard(shards, present, 7, out);
    assertThat(SlowGf.bytes(out)).isEqualTo(original[7]);
    assertThat(Shards.copy(shards)).isDeepEqualTo(original);
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void verifyDetectsOneFlippedParityBitAnywhere(Kernel kernel) {
    ReedSolomon code = ReedSolomon.create(4, 2, kernel, 8);
    ByteBuffer[] shards = Shards.stripe(4, 2, 40_000, false, 9);
    code.encode(shards);
    assertThat(code.verify(shards)).isTrue();
    ByteBuffer parity = shards[5];
    int at = parity.position() + 39_999;
    parity.put(at, (byte) (parity.get(at) ^ 0x10));
    assertThat(code.verify(shards)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("deployedCodes")
  void moreThanMLostShardsIsATypedErrorAndWritesNothing(Kernel kernel, int k, int m) {
    ReedSolomon code = ReedSolomon.create(k, m, kernel, 8);
    ByteBuffer[] shards = Shards.stripe(k, m, 64, false, 10);
    code.encode(shards);
    boolean[] present = new boolean[k + m];
    java.util.Arrays.fill(present, true);
    for (int i = 0; i <= m; i++) {
      present[i * (k + m) / (m + 1)] = false;
      Shards.smash(shards[i * (k + m) / (m + 1)]);
    }
    byte[][] before = Shards.copy(shards);
    assertThatThrownBy(() -> code.reconstruct(shards, present))
        .isInstanceOfSatisfying(TooManyErasuresException.class, e -> {
          assertThat(e.availableShards()).isEqualTo(k - 1);
          assertThat(e.dataShards()).isEqualTo(k);
        });
    assertThat(Shards.copy(shards)).isDeepEqualTo(before);
    ByteBuffer out = ByteBuffer.allocate(64);
    assertThatThrownBy(() -> code.reconstructShard(shards, present, 0, out))
        .isInstanceOf(TooManyErasuresException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void decodeCacheNeverHoldsMoreThanItsBound(int entriesMax) {
    ReedSolomon code = ReedSolomon.create(4, 2, Kernel.SCALAR, entriesMax);
    ByteBuffer[] shards = Shards.stripe(4, 2, 10, false, 11);
    code.encode(shards);
    for (int lost = 0; lost < 6; lost++) {
      boolean[] present = {true, true, true, true, true, true};
      present[lost] = false;
      code.reconstruct(shards, present);
      assertThat(code.decodeCacheSize()).isLessThanOrEqualTo(entriesMax);
    }
    assertThat(code.decodeCacheSize()).isEqualTo(entriesMax);
  }

  private static int binomial(int n, int r) {
    long result = 1;
    for (int i = 0; i < r; i++) {
      result = result * (n - i) / (i + 1);
    }
    return (int) result;
  }
}
