package io.cairn.node.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkListTest {

  /** Ascending runs with gaps, descending steps and numbers near the top of the range. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void anyListOfChunkNumbersComesBackAsItWent(long seed) {
    Random random = new Random(seed);
    List<Long> numbers = new ArrayList<>();
    long cn = 1 + random.nextInt(1_000_000);
    for (int i = 0; i < random.nextInt(3000); i++) {
      switch (random.nextInt(4)) {
        case 0 -> cn += 1 + random.nextInt(1000);
        case 1 -> cn = Math.max(1, cn - random.nextInt(5000));
        case 2 -> cn = Long.MAX_VALUE - random.nextInt(10);
        default -> cn += 1;
      }
      numbers.add(cn);
    }
    assertThat(ChunkList.decode(ChunkList.encode(numbers))).isEqualTo(numbers);
  }

  @Test
  void aRunOfConsecutiveNumbersTakesAboutOneBytePerChunk() {
    List<Long> numbers = new ArrayList<>();
    for (long cn = 5_000_000_000L; cn < 5_000_001_024L; cn++) {
      numbers.add(cn);
    }
    assertThat(ChunkList.encode(numbers)).hasSizeLessThan(1024 + 16);
    assertThat(ChunkList.encode(List.of())).hasSize(1);
  }

  @Test
  void aTruncatedOrPaddedListIsReportedCorrupt() {
    byte[] encoded = ChunkList.encode(List.of(7L, 8L, 9L, 300L));
    assertThatThrownBy(() -> ChunkList.decode(Arrays.copyOf(encoded, encoded.length - 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt chunk list");
    assertThatThrownBy(() -> ChunkList.decode(Arrays.copyOf(encoded, encoded.length + 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("bytes after 4 chunks");
    assertThatThrownBy(() -> ChunkList.decode(new byte[] {(byte) 0xff, 0x7f}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("16383 chunks in 2");
  }
}
