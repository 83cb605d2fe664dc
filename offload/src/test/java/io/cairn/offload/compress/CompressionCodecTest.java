package io.cairn.offload.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CompressionCodecTest {
  private static final byte SENTINEL = (byte) 0xA5;

  static List<CompressionCodec> codecs() {
    return List.of(CompressionCodec.lz4(), CompressionCodec.zstd(1), CompressionCodec.zstd(19), CompressionCodec.none());
  }

  /** Compressible text-like bytes: words from a small vocabulary, as file systems mostly hold. */
  static byte[] textLike(Random random, int bytes) {
    String[] words = {"block ", "chunk ", "segment ", "volume ", "the ", "of ", "0000 ", "journal\n"};
    StringBuilder text = new StringBuilder();
    while (text.length() < bytes) {
      text.append(words[random.nextInt(words.length)]);
    }
    return text.substring(0, bytes).getBytes(StandardCharsets.US_ASCII);
  }

  static Stream<Arguments> codecsSizesAndSeeds() {
    List<Arguments> cases = new ArrayList<>();
    for (CompressionCodec codec : codecs()) {
      for (int bytes : new int[] {1, 4096, 65536}) {
        for (long seed = 1; seed <= 3; seed++) {
          cases.add(Arguments.of(codec, bytes, seed));
        }
      }
    }
    return cases.stream();
  }

  enum Layout { HEAP, DIRECT, HEAP_TO_DIRECT, DIRECT_TO_HEAP, READ_ONLY_SOURCE }

  private static ByteBuffer source(Layout layout, byte[] bytes) {
    return switch (layout) {
      case HEAP, HEAP_TO_DIRECT -> ByteBuffer.wrap(bytes);
      case DIRECT, DIRECT_TO_HEAP -> ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
      case READ_ONLY_SOURCE -> ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    };
  }

  private static ByteBuffer target(Layout layout, int bytes) {
    return switch (layout) {
      case HEAP, DIRECT_TO_HEAP, READ_ONLY_SOURCE -> ByteBuffer.allocate(bytes);
      case DIRECT, HEAP_TO_DIRECT -> ByteBuffer.allocateDirect(bytes);
    };
  }

  @ParameterizedTest
  @MethodSource("codecsSizesAndSeeds")
  void everyBufferLayoutRoundTripsExactly(CompressionCodec codec, int bytes, long seed) {
    Random random = new Random(seed);
    byte[] original = random.nextBoolean() ? textLike(random, bytes) : randomBytes(random, bytes);
    for (Layout layout : Layout.values()) {
      ByteBuffer src = source(layout, original);
      ByteBuffer compressed = target(layout, codec.maxCompressedBytes(bytes));
      int written = codec.compress(src, compressed);
      assertThat(src.hasRemaining()).isFalse();
      assertThat(compressed.position()).isEqualTo(written);

      ByteBuffer packed = source(layout, toArray(compressed.flip()));
      ByteBuffer restored = target(layout, bytes + 8);
      codec.decompress(packed, restored, bytes);

      assertThat(restored.position()).as(layout.name()).isEqualTo(bytes);
      assertThat(toArray(restored.flip())).as(layout.name()).isEqualTo(original);
    }
  }

  @Test
  void compressibleDataShrinks() {
    byte[] text = textLike(new Random(9), 65536);
    for (CompressionCodec codec : List.of(CompressionCodec.lz4(), CompressionCodec.zstd(3))) {
      int written = codec.compress(ByteBuffer.wrap(text), ByteBuffer.allocate(codec.maxCompressedBytes(text.length)));
      assertThat(written).as(codec.codec().name()).isLessThan(text.length / 2);
    }
  }

  static Stream<Arguments> compressingCodecsAndSeeds() {
    List<Arguments> cases = new ArrayList<>();
    for (CompressionCodec codec : List.of(CompressionCodec.lz4(), CompressionCodec.zstd(3))) {
      for (long seed = 1; seed <= 20; seed++) {
        cases.add(Arguments.of(codec, seed));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("compressingCodecsAndSeeds")
  void corruptInputFailsTypedOrDecodesToExactlyTheKnownLengthNeverBeyond(CompressionCodec codec, long seed) {
    Random random = new Random(seed);
    byte[] original = textLike(random, 4096);
    byte[] compressed = compress(codec, original);
    for (int flips = 1; flips <= 3; flips++) {
      compressed[random.nextInt(compressed.length)] ^= (byte) (1 << random.nextInt(8));
    }
    byte[] out = new byte[4096 + 64];
    java.util.Arrays.fill(out, SENTINEL);

    Throwable thrown = catchThrowable(() -> codec.decompress(ByteBuffer.wrap(compressed), ByteBuffer.wrap(out), 4096));

    // Either a typed error, or exactly 4096 bytes (possibly wrong: the chunk fingerprint catches
    // those); never a write past the known length.
    if (thrown != null) {
      assertThat(thrown).isInstanceOf(DecompressionException.class);
    }
    for (int i = 4096; i < out.length; i++) {
      assertThat(out[i]).as("byte %d after the original length", i).isEqualTo(SENTINEL);
    }
  }

  @ParameterizedTest
  @MethodSource("compressingCodecsAndSeeds")
  void truncatedInputIsATypedError(CompressionCodec codec, long seed) {
    Random random = new Random(seed);
    byte[] compressed = compress(codec, textLike(random, 4096));
    int keep = random.nextInt(compressed.length);
    assertThatThrownBy(() -> codec.decompress(ByteBuffer.wrap(compressed, 0, keep), ByteBuffer.allocate(4096), 4096))
        .isInstanceOfSatisfying(DecompressionException.class, e -> {
          assertThat(e.codec()).isEqualTo(codec.codec());
          assertThat(e.expectedBytes()).isEqualTo(4096);
        });
  }

  @Test
  void anOriginalLengthThatIsNotTheTrueOneIsATypedError() {
    for (CompressionCodec codec : codecs()) {
      byte[] compressed = compress(codec, textLike(new Random(1), 4096));
      assertThatThrownBy(() -> codec.decompress(ByteBuffer.wrap(compressed), ByteBuffer.allocate(8192), 4000))
          .as(codec.codec().name()).isInstanceOf(DecompressionException.class);
      assertThatThrownBy(() -> codec.decompress(ByteBuffer.wrap(compressed), ByteBuffer.allocate(8192), 5000))
          .as(codec.codec().name()).isInstanceOf(DecompressionException.class);
    }
  }

  @Test
  void badOutputBuffersAreRefusedByName() {
    for (CompressionCodec codec : codecs()) {
      ByteBuffer src = ByteBuffer.allocate(4096);
      assertThatThrownBy(() -> codec.compress(src, ByteBuffer.allocate(100)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("dst:");
      assertThatThrownBy(() -> codec.compress(src, ByteBuffer.allocate(100_000).asReadOnlyBuffer()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dst: is read-only");
      assertThatThrownBy(() -> codec.compress(src, null)).isInstanceOf(NullPointerException.class).hasMessage("dst");
      assertThatThrownBy(() -> codec.compress(null, src)).isInstanceOf(NullPointerException.class).hasMessage("src");
      assertThatThrownBy(() -> codec.decompress(src, ByteBuffer.allocate(10), 4096))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("dst:");
      assertThatThrownBy(() -> codec.decompress(src, ByteBuffer.allocate(10), -1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("originalBytes:");
    }
  }

  @Test
  void zstdLevelsOutsideTheLibrarysRangeAreRefused() {
    assertThatThrownBy(() -> CompressionCodec.zstd(23)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("level:");
    assertThatThrownBy(() -> CompressionCodec.zstd(Integer.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void codecIdsAreStableAndUnknownIdsAreTyped() {
    for (Codec codec : Codec.values()) {
      assertThat(Codec.ofId(codec.id())).isEqualTo(codec);
    }
    assertThat(List.of(Codec.NONE.id(), Codec.LZ4.id(), Codec.ZSTD.id())).containsExactly(0, 1, 2);
    assertThatThrownBy(() -> Codec.ofId(7))
        .isInstanceOfSatisfying(UnknownCodecException.class, e -> assertThat(e.codecId()).isEqualTo(7));
  }

  static byte[] compress(CompressionCodec codec, byte[] original) {
    ByteBuffer out = ByteBuffer.allocate(codec.maxCompressedBytes(original.length));
    codec.compress(ByteBuffer.wrap(original), out);
    return toArray(out.flip());
  }

  static byte[] randomBytes(Random random, int bytes) {
    byte[] out = new byte[bytes];
    random.nextBytes(out);
    return out;
  }

  static byte[] toArray(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
