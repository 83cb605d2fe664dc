package io.cairn.offload.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.offload.compress.Codec;
import io.cairn.offload.crypto.DataKey;
import io.cairn.offload.crypto.VolumeCipher;
import io.cairn.offload.dedup.Fingerprint;
import io.cairn.offload.dedup.Fingerprinter;
import io.cairn.offload.pipeline.ChunkCorruptException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkCodecTest {
  private static final long VOLUME = 17;
  private static final byte[] DOMAIN_KEY = new byte[Fingerprinter.KEY_BYTES];
  private static final DataKey DATA_KEY = DataKey.of(new byte[DataKey.BYTES]);

  static {
    new Random(99).nextBytes(DOMAIN_KEY);
  }

  static ChunkCodec codec(ChunkPolicy policy) {
    return codec(VOLUME, policy);
  }

  static ChunkCodec codec(long volumeId, ChunkPolicy policy) {
    VolumeCipher cipher = policy.encryption() ? new VolumeCipher(volumeId, DATA_KEY, new SecureRandom()) : null;
    return new ChunkCodec(volumeId, policy, new Fingerprinter(DOMAIN_KEY), cipher);
  }

  enum Content { RANDOM, ZEROS, TEXT }

  static byte[] block(Content content, Random random, int bytes) {
    byte[] block = new byte[bytes];
    switch (content) {
      case RANDOM -> random.nextBytes(block);
      case ZEROS -> { }
      case TEXT -> {
        String[] words = {"alpha ", "beta ", "gamma ", "delta\n", "epsilon ", "4096 "};
        StringBuilder text = new StringBuilder();
        while (text.length() < bytes) {
          text.append(words[random.nextInt(words.length)]);
        }
        block = text.substring(0, bytes).getBytes(StandardCharsets.US_ASCII);
      }
    }
    return block;
  }

  static List<ChunkPolicy> policies() {
    List<ChunkPolicy> policies = new ArrayList<>();
    for (Codec compression : Codec.values()) {
      for (boolean encryption : new boolean[] {false, true}) {
        policies.add(ChunkPolicy.DEFAULT.withCompression(compression).withEncryption(encryption));
      }
    }
    return policies;
  }

  static Stream<Arguments> policiesContentsAndSeeds() {
    List<Arguments> cases = new ArrayList<>();
    for (ChunkPolicy policy : policies()) {
      for (Content content : Content.values()) {
        for (long seed = 1; seed <= 3; seed++) {
          cases.add(Arguments.of(policy, content, seed));
        }
      }
    }
    return cases.stream();
  }

  private static ByteBuffer encode(ChunkCodec codec, byte[] block, boolean direct) {
    ByteBuffer in = direct ? ByteBuffer.allocateDirect(block.length).put(block).flip() : ByteBuffer.wrap(block);
    int max = codec.maxChunkBytes(block.length);
    ByteBuffer out = direct ? ByteBuffer.allocateDirect(max) : ByteBuffer.allocate(max);
    Chunk chunk = codec.encode(in, out);
    assertThat(in.hasRemaining()).isFalse();
    assertThat(out.position()).isEqualTo(chunk.bytes().remaining());
    return chunk.bytes();
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  private static byte[] decode(ChunkCodec codec, byte[] chunk, Fingerprint id, int blockBytes) {
    ByteBuffer out = ByteBuffer.allocate(blockBytes);
    codec.decode(ByteBuffer.wrap(chunk), id, out);
    assertThat(out.hasRemaining()).isFalse();
    return out.array();
  }

  @ParameterizedTest
  @MethodSource("policiesContentsAndSeeds")
  void everyPolicyRoundTripsEveryBlockInHeapAndDirectBuffers(ChunkPolicy policy, Content content, long seed) {
    Random random = new Random(seed);
    int bytes = random.nextBoolean() ? 4096 : 1 + random.nextInt(65536);
    byte[] block = block(content, random, bytes);
    ChunkCodec codec = codec(policy);
    Fingerprint id = codec.fingerprint(ByteBuffer.wrap(block));

    for (boolean direct : new boolean[] {false, true}) {
      ByteBuffer chunk = encode(codec, block, direct);
      assertThat(ChunkCodec.decodedBytes(chunk)).isEqualTo(bytes);
      ByteBuffer out = direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes);
      codec.decode(chunk, id, out);
      assertThat(toArray(out.flip())).isEqualTo(block);
    }
  }

  @Test
  void theHeaderRecordsTheCodecActuallyApplied() {
    Random random = new Random(1);
    ChunkCodec lz4 = codec(ChunkPolicy.DEFAULT);
    ByteBuffer text = encode(lz4, block(Content.TEXT, random, 4096), false);
    ByteBuffer noise = encode(lz4, block(Content.RANDOM, random, 4096), false);

    assertThat(Codec.ofId(text.get(1))).isEqualTo(Codec.LZ4);
    assertThat(text.remaining()).isLessThan(4096);
    assertThat(Codec.ofId(noise.get(1))).isEqualTo(Codec.NONE);
    assertThat(noise.remaining()).isEqualTo(ChunkHeader.FIXED_BYTES + 4096);
  }

  @Test
  void aChunkDecodesByItsHeaderEvenAfterTheVolumesCompressionChanged() {
    byte[] block = block(Content.TEXT, new Random(2), 4096);
    ChunkCodec before = codec(ChunkPolicy.DEFAULT.withCompression(Codec.ZSTD));
    ChunkCodec after = codec(ChunkPolicy.DEFAULT.withCompression(Codec.LZ4));
    byte[] chunk = toArray(encode(before, block, false));
    assertThat(decode(after, chunk, before.fingerprint(ByteBuffer.wrap(block)), 4096)).isEqualTo(block);
  }

  static Stream<Arguments> encryptedPoliciesAndSeeds() {
    List<Arguments> cases = new ArrayList<>();
    for (Codec compression : Codec.values()) {
      for (long seed = 1; seed <= 12; seed++) {
        cases.add(Arguments.of(ChunkPolicy.DEFAULT.withCompression(compression).withEncryption(true), seed));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("encryptedPoliciesAndSeeds")
  void anyFlippedBitOfAnEncryptedChunkIsACorruptChunkNeverABlock(ChunkPolicy policy, long seed) {
    Random random = new Random(seed);
    ChunkCodec codec = codec(policy);
    byte[] block = block(random.nextBoolean() ? Content.TEXT : Content.RANDOM, random, 4096);
    Fingerprint id = codec.fingerprint(ByteBuffer.wrap(block));
    byte[] chunk = toArray(encode(codec, block, false));
    // Flip a bit in the header, the nonce or the payload: every region gets tried across seeds.
    int[] regionStarts = {0, ChunkHeader.FIXED_BYTES, ChunkHeader.FIXED_BYTES + 24};
    int region = random.nextInt(3);
    int end = region == 2 ? chunk.length : regionStarts[region + 1];
    int at = regionStarts[region] + random.nextInt(end - regionStarts[region]);
    chunk[at] ^= (byte) (1 << random.nextInt(8));

    assertThatThrownBy(() -> decode(codec, chunk, id, 4096))
        .isInstanceOfSatisfying(ChunkCorruptException.class, e -> assertThat(e.id()).isEqualTo(id));
  }

  @Test
  void payloadTamperingOfAnEncryptedChunkIsAnAuthenticationFailure() {
    ChunkCodec codec = codec(ChunkPolicy.DEFAULT.withEncryption(true));
    byte[] block = block(Content.TEXT, new Random(3), 4096);
    Fingerprint id = codec.fingerprint(ByteBuffer.wrap(block));
    byte[] chunk = toArray(encode(codec, block, false));
    chunk[chunk.length - 20] ^= 1;
    assertThatThrownBy(() -> decode(codec, chunk, id, 4096))
        .isInstanceOfSatisfying(ChunkCorruptException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION));
  }

  @Test
  void anEncryptedChunkDoesNotDecodeAsAnotherIdOrInAnotherVolume() {
    ChunkPolicy policy = ChunkPolicy.DEFAULT.withEncryption(true);
    ChunkCodec codec = codec(policy);
    byte[] block = block(Content.TEXT, new Random(4), 4096);
    byte[] chunk = toArray(encode(codec, block, false));
    Fingerprint id = codec.fingerprint(ByteBuffer.wrap(block));
    Fingerprint otherId = new Fingerprint(id.word0() ^ 1, id.word1(), id.word2(), id.word3());

    assertThatThrownBy(() -> decode(codec, chunk, otherId, 4096))
        .isInstanceOfSatisfying(ChunkCorruptException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION));
    assertThatThrownBy(() -> decode(codec(VOLUME + 1, policy), chunk, id, 4096))
        .isInstanceOfSatisfying(ChunkCorruptException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION));
  }

  @Test
  void aModifiedPlainChunkFailsTheFingerprintOrDecompression() {
    byte[] block = block(Content.TEXT, new Random(5), 4096);
    for (Codec compression : Codec.values()) {
      ChunkCodec codec = codec(ChunkPolicy.DEFAULT.withCompression(compression));
      Fingerprint id = codec.fingerprint(ByteBuffer.wrap(block));
      byte[] chunk = toArray(encode(codec, block, false));
      chunk[chunk.length - 1] ^= 0x40;
      assertThatThrownBy(() -> decode(codec, chunk, id, 4096))
          .as(compression.name())
          .isInstanceOfSatisfying(ChunkCorruptException.class,
              e -> assertThat(e.reason()).isIn(Reason.FINGERPRINT_MISMATCH, Reason.DECOMPRESSION));
    }
    ChunkCodec raw = codec(ChunkPolicy.DEFAULT.withCompression(Codec.NONE));
    byte[] chunk = toArray(encode(raw, block, false));
    Fingerprint wrongId = new Fingerprint(1, 2, 3, 4);
    assertThatThrownBy(() -> decode(raw, chunk, wrongId, 4096))
        .isInstanceOfSatisfying(ChunkCorruptException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FINGERPRINT_MISMATCH));
  }

  @Test
  void malformedHeadersFailWithThePreciseReason() {
    ChunkCodec codec = codec(ChunkPolicy.DEFAULT);
    byte[] block = block(Content.TEXT, new Random(6), 4096);
    Fingerprint id = codec.fingerprint(ByteBuffer.wrap(block));
    byte[] chunk = toArray(encode(codec, block, false));

    assertThat(reasonFor(codec, java.util.Arrays.copyOf(chunk, 11), id)).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonFor(codec, java.util.Arrays.copyOf(chunk, chunk.length - 1), id)).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonFor(codec, java.util.Arrays.copyOf(chunk, chunk.length + 1), id)).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonFor(codec, withByte(chunk, 0, 2), id)).isEqualTo(Reason.BAD_HEADER);
    assertThat(reasonFor(codec, withByte(chunk, 1, 9), id)).isEqualTo(Reason.UNKNOWN_CODEC);
    assertThat(reasonFor(codec, withByte(chunk, 2, 4), id)).isEqualTo(Reason.BAD_HEADER);
    assertThat(reasonFor(codec, withByte(chunk, 3, 1), id)).isEqualTo(Reason.BAD_HEADER);
    assertThat(reasonFor(codec, withByte(chunk, 4, 0x7f), id)).isEqualTo(Reason.BAD_HEADER);
    assertThat(reasonFor(codec, withByte(chunk, 6, 0x08), id)).isEqualTo(Reason.DECOMPRESSION);
  }

  @Test
  void encryptionMustMatchTheVolumeBothWays() {
    byte[] block = block(Content.TEXT, new Random(7), 4096);
    ChunkCodec plain = codec(ChunkPolicy.DEFAULT);
    ChunkCodec encrypted = codec(ChunkPolicy.DEFAULT.withEncryption(true));
    Fingerprint id = plain.fingerprint(ByteBuffer.wrap(block));

    assertThat(reasonFor(encrypted, toArray(encode(plain, block, false)), id)).isEqualTo(Reason.ENCRYPTION_MISMATCH);
    assertThat(reasonFor(plain, toArray(encode(encrypted, block, false)), id)).isEqualTo(Reason.ENCRYPTION_MISMATCH);
  }

  @Test
  void aFailedDecodeLeavesTheDestinationPositionWhereItWas() {
    ChunkCodec codec = codec(ChunkPolicy.DEFAULT);
    byte[] block = block(Content.TEXT, new Random(8), 4096);
    byte[] chunk = toArray(encode(codec, block, false));
    ByteBuffer out = ByteBuffer.allocate(8192).position(100);
    assertThatThrownBy(() -> codec.decode(ByteBuffer.wrap(chunk), new Fingerprint(0, 0, 0, 0), out))
        .isInstanceOf(ChunkCorruptException.class);
    assertThat(out.position()).isEqualTo(100);
  }

  @Test
  void theBlocksOfOneWriteEncodeInOneCallBackToBack() {
    Random random = new Random(9);
    ChunkCodec codec = codec(ChunkPolicy.DEFAULT.withEncryption(true));
    List<byte[]> blocks = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      blocks.add(block(Content.values()[i % 3], random, 4096));
    }
    int max = blocks.stream().mapToInt(b -> codec.maxChunkBytes(b.length)).sum();
    ByteBuffer dst = ByteBuffer.allocate(max);

    List<Chunk> chunks = codec.encodeAll(blocks.stream().map(ByteBuffer::wrap).toList(), dst);

    assertThat(chunks).hasSize(32);
    assertThat(chunks.stream().mapToInt(c -> c.bytes().remaining()).sum()).isEqualTo(dst.position());
    for (int i = 0; i < 32; i++) {
      assertThat(chunks.get(i).id()).isEqualTo(codec.fingerprint(ByteBuffer.wrap(blocks.get(i))));
      assertThat(decode(codec, toArray(chunks.get(i).bytes()), chunks.get(i).id(), 4096)).isEqualTo(blocks.get(i));
    }
  }

  @Test
  void aBatchThatMightNotFitIsRefusedBeforeAnythingIsWritten() {
    ChunkCodec codec = codec(ChunkPolicy.DEFAULT);
    List<ByteBuffer> blocks = List.of(ByteBuffer.allocate(4096), ByteBuffer.allocate(4096));
    ByteBuffer dst = ByteBuffer.allocate(codec.maxChunkBytes(4096) * 2 - 1);
    assertThatThrownBy(() -> codec.encodeAll(blocks, dst))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("dst:");
    assertThat(dst.position()).isZero();
    assertThat(blocks.get(0).position()).isZero();
  }

  @Test
  void badArgumentsAreRefusedByName() {
    ChunkCodec codec = codec(ChunkPolicy.DEFAULT);
    assertThatThrownBy(() -> codec.encode(ByteBuffer.allocate(4096), ByteBuffer.allocate(9000).asReadOnlyBuffer()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dst: is read-only");
    assertThatThrownBy(() -> codec.encode(null, ByteBuffer.allocate(9000))).isInstanceOf(NullPointerException.class).hasMessage("block");
    assertThatThrownBy(() -> codec.encode(ByteBuffer.allocate(0), ByteBuffer.allocate(9000)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("block:");
    assertThatThrownBy(() -> codec.decode(ByteBuffer.allocate(40), null, ByteBuffer.allocate(10)))
        .isInstanceOf(NullPointerException.class).hasMessage("id");
    assertThatThrownBy(() -> new ChunkCodec(1, ChunkPolicy.DEFAULT.withEncryption(true), new Fingerprinter(DOMAIN_KEY), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cipher:");
    assertThatThrownBy(() -> new ChunkPolicy(Codec.ZSTD, 99, true, false, 1.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("level:");
    assertThatThrownBy(() -> new ChunkPolicy(Codec.LZ4, 3, true, false, 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("minRatio:");
  }

  private static Reason reasonFor(ChunkCodec codec, byte[] chunk, Fingerprint id) {
    try {
      decode(codec, chunk, id, 4096);
    } catch (ChunkCorruptException e) {
      return e.reason();
    }
    throw new AssertionError("decoded a chunk that should have been refused");
  }

  private static byte[] withByte(byte[] chunk, int at, int value) {
    byte[] copy = chunk.clone();
    copy[at] = (byte) value;
    return copy;
  }
}
