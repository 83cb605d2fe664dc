package io.cairn.offload.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Crc32cTest {
  @Test
  void matchesTheStandardCheckValue() {
    // RFC 3720 / the CRC catalogue: CRC-32C("123456789") = 0xE3069283.
    ByteBuffer buffer = ByteBuffer.wrap("123456789".getBytes(StandardCharsets.US_ASCII));
    assertThat(Crc32c.of(buffer)).isEqualTo(0xE3069283);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aRangeHasTheChecksumOfItsBytesAloneAndLeavesTheBufferAsItWas(long seed) {
    Random random = new Random(seed);
    byte[] bytes = new byte[1000];
    random.nextBytes(bytes);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).position(17).limit(900);
    int offset = random.nextInt(400);
    int length = random.nextInt(400);

    int crc = Crc32c.of(direct, offset, length);

    assertThat(crc).isEqualTo(Crc32c.of(ByteBuffer.wrap(bytes, offset, length).slice()));
    assertThat(direct.position()).isEqualTo(17);
    assertThat(direct.limit()).isEqualTo(900);
  }

  @Test
  void aFlippedBitIsAMismatchCarryingBothValues() {
    byte[] bytes = new byte[4096];
    new Random(7).nextBytes(bytes);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int stored = Crc32c.of(buffer, 0, 4096);
    bytes[1234] ^= 0x10;

    assertThatThrownBy(() -> Crc32c.verify(buffer, 0, 4096, stored))
        .isInstanceOfSatisfying(ChecksumMismatchException.class, e -> {
          assertThat(e.expectedCrc()).isEqualTo(stored);
          assertThat(e.actualCrc()).isEqualTo(Crc32c.of(buffer, 0, 4096));
          assertThat(e.lengthBytes()).isEqualTo(4096);
        });
  }

  @Test
  void aRangeBeyondTheLimitIsRefused() {
    ByteBuffer buffer = ByteBuffer.allocate(100).limit(50);
    assertThatThrownBy(() -> Crc32c.of(buffer, 40, 20))
        .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("limit 50");
    assertThatThrownBy(() -> Crc32c.of(buffer, -1, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Crc32c.of(null, 0, 1)).isInstanceOf(NullPointerException.class).hasMessage("buffer");
  }
}
