package io.cairn.offload.ec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.offload.ec.ErasureArgumentException.Problem;
import java.nio.ByteBuffer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReedSolomonArgumentsTest {

  private final ReedSolomon code = ReedSolomon.create(4, 2);

  private static void rejects(ThrowingCallable call, String argument, Problem problem) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ErasureArgumentException.class, e -> {
      assertThat(e.argument()).isEqualTo(argument);
      assertThat(e.problem()).isEqualTo(problem);
      assertThat(e.getMessage()).startsWith(argument + ": ");
    });
  }

  @ParameterizedTest
  @CsvSource({"0,0,dataShards", "-1,2,dataShards", "65,0,dataShards", "4,-1,parityShards",
      "60,5,parityShards", "1,64,parityShards"})
  void codeSizeOutOfRangeNamesTheArgument(int k, int m, String argument) {
    rejects(() -> ReedSolomon.create(k, m), argument, Problem.OUT_OF_RANGE);
  }

  @Test
  void largestAndSmallestCodesAreAccepted() {
    assertThat(ReedSolomon.create(1, 0).totalShards()).isEqualTo(1);
    assertThat(ReedSolomon.create(1, 63).totalShards()).isEqualTo(64);
    assertThat(ReedSolomon.create(64, 0).totalShards()).isEqualTo(64);
  }

  @Test
  void decodeCacheBoundBelowOneIsRejected() {
    rejects(() -> ReedSolomon.create(4, 2, Kernel.SCALAR, 0), "decodeCacheEntriesMax",
        Problem.OUT_OF_RANGE);
  }

  @Test
  void nullShardArrayAndWrongCountAreRejected() {
    rejects(() -> code.encode(null), "shards", Problem.NULL);
    rejects(() -> code.encode(Shards.stripe(4, 1, 8, false, 1)), "shards", Problem.WRONG_COUNT);
  }

  @Test
  void nullShardIsNamedByIndex() {
    ByteBuffer[] shards = Shards.stripe(4, 2, 8, false, 1);
    shards[2] = null;
    rejects(() -> code.encode(shards), "shards[2]", Problem.NULL);
  }

  @Test
  void shardOfDifferentLengthIsNamedNotTruncated() {
    ByteBuffer[] shards = Shards.stripe(4, 2, 8, false, 1);
    shards[4] = ByteBuffer.allocate(9);
    rejects(() -> code.encode(shards), "shards[4]", Problem.WRONG_LENGTH);
  }

  @Test
  void readOnlyParityIsRejectedBeforeAnyWrite() {
    ByteBuffer[] shards = Shards.stripe(4, 2, 8, false, 1);
    shards[0] = shards[0].asReadOnlyBuffer();
    ByteBuffer parity = shards[4];
    shards[5] = shards[5].asReadOnlyBuffer();
    Shards.smash(parity);
    byte[] before = SlowGf.bytes(parity);
    rejects(() -> code.encode(shards), "shards[5]", Problem.READ_ONLY);
    assertThat(SlowGf.bytes(parity)).isEqualTo(before);
  }

  @Test
  void reconstructChecksPresenceFlagsAndMissingBuffers() {
    ByteBuffer[] shards = Shards.stripe(4, 2, 8, false, 1);
    rejects(() -> code.reconstruct(shards, null), "present", Problem.NULL);
    rejects(() -> code.reconstruct(shards, new boolean[5]), "present", Problem.WRONG_COUNT);
    boolean[] present = {true, false, true, true, true, true};
    shards[1] = shards[1].asReadOnlyBuffer();
    rejects(() -> code.reconstruct(shards, present), "shards[1]", Problem.READ_ONLY);
  }

  @Test
  void reconstructShardChecksTargetAndOutput() {
    ByteBuffer[] shards = Shards.stripe(4, 2, 8, false, 1);
    boolean[] present = {true, true, true, true, true, true};
    rejects(() -> code.reconstructShard(shards, present, 6, ByteBuffer.allocate(8)),
        "targetShard", Problem.OUT_OF_RANGE);
    rejects(() -> code.reconstructShard(shards, present, 0, null), "out", Problem.NULL);
    rejects(() -> code.reconstructShard(shards, present, 0, ByteBuffer.allocate(7)), "out",
        Problem.WRONG_LENGTH);
    rejects(() -> code.reconstructShard(shards, present, 0,
        ByteBuffer.allocate(8).asReadOnlyBuffer()), "out", Problem.READ_ONLY);
  }

  @Test
  void nullKernelIsRejectedByName() {
    rejects(() -> ReedSolomon.create(4, 2, null, 8), "kernel", Problem.NULL);
  }
}
