package io.cairn.offload.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressorTest {
  @ParameterizedTest
  @EnumSource(value = Codec.class, names = {"LZ4", "ZSTD"})
  void compressibleDataIsStoredCompressedAndSaysWithWhat(Codec codec) {
    byte[] text = CompressionCodecTest.textLike(new Random(1), 4096);
    Compressor compressor = new Compressor(CompressionCodec.of(codec, 3), 1.125);
    ByteBuffer src = ByteBuffer.wrap(text);
    ByteBuffer dst = ByteBuffer.allocate(compressor.maxCompressedBytes(4096));

    assertThat(compressor.tryCompress(src, dst)).isEqualTo(codec);

    ByteBuffer restored = ByteBuffer.allocate(4096);
    Compressor.decompress(codec, dst.flip(), restored, 4096);
    assertThat(restored.array()).isEqualTo(text);
  }

  @ParameterizedTest
  @EnumSource(value = Codec.class, names = {"LZ4", "ZSTD"})
  void incompressibleDataIsLeftRawWithoutMovingEitherBuffer(Codec codec) {
    byte[] noise = CompressionCodecTest.randomBytes(new Random(2), 4096);
    Compressor compressor = new Compressor(CompressionCodec.of(codec, 3), 1.0);
    ByteBuffer src = ByteBuffer.wrap(noise).position(0);
    ByteBuffer dst = ByteBuffer.allocate(compressor.maxCompressedBytes(4096) + 5).position(5);

    assertThat(compressor.tryCompress(src, dst)).isEqualTo(Codec.NONE);
    assertThat(src.position()).isZero();
    assertThat(dst.position()).isEqualTo(5);
  }

  @Test
  void aShrinkBelowTheMinimumRatioIsNotWorthKeeping() {
    byte[] text = CompressionCodecTest.textLike(new Random(3), 4096);
    Compressor demanding = new Compressor(CompressionCodec.lz4(), 1000.0);
    ByteBuffer dst = ByteBuffer.allocate(demanding.maxCompressedBytes(4096));
    assertThat(demanding.tryCompress(ByteBuffer.wrap(text), dst)).isEqualTo(Codec.NONE);
  }

  @Test
  void theNoneCodecNeverCompresses() {
    byte[] zeros = new byte[4096];
    Compressor none = new Compressor(CompressionCodec.none(), 1.0);
    assertThat(none.tryCompress(ByteBuffer.wrap(zeros), ByteBuffer.allocate(4096))).isEqualTo(Codec.NONE);
  }

  @Test
  void aMinimumRatioBelowOneIsRefusedByName() {
    assertThatThrownBy(() -> new Compressor(CompressionCodec.lz4(), 0.9))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("minRatio:");
    assertThatThrownBy(() -> new Compressor(CompressionCodec.lz4(), Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("minRatio:");
    assertThatThrownBy(() -> new Compressor(null, 1.0)).isInstanceOf(NullPointerException.class).hasMessage("codec");
  }
}
