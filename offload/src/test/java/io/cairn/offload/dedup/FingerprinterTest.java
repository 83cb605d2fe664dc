package io.cairn.offload.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FingerprinterTest {
  private static final byte[] KEY = HexFormat.of().parseHex(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

  @Test
  void isTheHmacSha256OfTheBlockUnderTheDomainKey() {
    // Reference: printf '...' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0001...1f
    ByteBuffer block = ByteBuffer.wrap("The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII));
    Fingerprint fingerprint = new Fingerprinter(KEY).fingerprint(block);
    assertThat(fingerprint.toHex()).isEqualTo("f87ad256151fc7b4c5dffa4adb3ebe911a8eeb8a8ebdee3c2a4a8e5f5ec02c32");
    assertThat(block.position()).isZero();
  }

  @Test
  void equalBlocksInDifferentDomainsHaveUnrelatedFingerprints() {
    byte[] otherKey = KEY.clone();
    otherKey[0] ^= 1;
    ByteBuffer block = ByteBuffer.allocate(4096);
    assertThat(new Fingerprinter(KEY).fingerprint(block)).isNotEqualTo(new Fingerprinter(otherKey).fingerprint(block));
  }

  /**
   * The hand-built HMAC equals javax.crypto.Mac's HmacSHA256 for random keys and blocks of every
   * length around SHA-256's padding boundaries (55, 56, 63, 64 bytes) and up to 64 KiB, read from
   * heap, direct and offset buffers.
   */
  @ParameterizedTest
  @ValueSource(longs = {21, 22, 23, 24, 25, 26})
  void equalsJavaxCryptoHmacSha256OnRandomKeysAndBlocks(long seed) throws Exception {
    Random random = new Random(seed);
    int[] lengths = {0, 1, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4096, 4097, 65536};
    for (int round = 0; round < 40; round++) {
      byte[] key = new byte[Fingerprinter.KEY_BYTES];
      random.nextBytes(key);
      int length = round < lengths.length ? lengths[round] : random.nextInt(70_000);
      int offset = random.nextInt(100);
      byte[] bytes = new byte[offset + length + random.nextInt(100)];
      random.nextBytes(bytes);
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      mac.update(bytes, offset, length);
      Fingerprint expected = Fingerprint.fromBytes(mac.doFinal());

      Fingerprinter fingerprinter = new Fingerprinter(key);
      ByteBuffer heap = ByteBuffer.wrap(bytes, offset, length);
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).position(offset).limit(offset + length);
      assertThat(fingerprinter.fingerprint(heap)).as("seed %d round %d length %d", seed, round, length).isEqualTo(expected);
      assertThat(fingerprinter.fingerprint(direct)).as("direct, length %d", length).isEqualTo(expected);
      assertThat(fingerprinter.fingerprint(heap)).as("again: no state carried between calls").isEqualTo(expected);
      assertThat(heap.position()).isEqualTo(offset);
      assertThat(direct.position()).isEqualTo(offset);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13})
  void heapDirectAndSlicedBuffersOfTheSameBytesAgree(long seed) {
    byte[] bytes = new byte[4096];
    new Random(seed).nextBytes(bytes);
    Fingerprinter fingerprinter = new Fingerprinter(KEY);
    Fingerprint heap = fingerprinter.fingerprint(ByteBuffer.wrap(bytes));
    Fingerprint direct = fingerprinter.fingerprint(ByteBuffer.allocateDirect(4096).put(bytes).flip());
    byte[] padded = new byte[5000];
    System.arraycopy(bytes, 0, padded, 100, 4096);
    Fingerprint window = fingerprinter.fingerprint(ByteBuffer.wrap(padded, 100, 4096).asReadOnlyBuffer());
    assertThat(direct).isEqualTo(heap);
    assertThat(window).isEqualTo(heap);
  }

  /**
   * Heap buffers are hashed straight from their backing array: the window must start at
   * arrayOffset() + position() (a slice of a larger array has a non-zero arrayOffset) and end at
   * the limit, and neither position nor limit may move.
   */
  @ParameterizedTest
  @ValueSource(longs = {31, 32, 33})
  void aHeapSliceIsHashedFromItsOwnWindowOfTheBackingArray(long seed) throws Exception {
    Random random = new Random(seed);
    byte[] bytes = new byte[10_000];
    random.nextBytes(bytes);
    int sliceStart = 1 + random.nextInt(500);
    int position = random.nextInt(300);
    int length = 4096 + random.nextInt(100);
    ByteBuffer slice = ByteBuffer.wrap(bytes, sliceStart, 8000).slice();
    slice.position(position).limit(position + length);
    assertThat(slice.arrayOffset()).isEqualTo(sliceStart);

    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
    mac.update(bytes, sliceStart + position, length);
    Fingerprint expected = Fingerprint.fromBytes(mac.doFinal());

    Fingerprinter fingerprinter = new Fingerprinter(KEY);
    assertThat(fingerprinter.fingerprint(slice)).isEqualTo(expected);
    assertThat(fingerprinter.fingerprint(slice)).as("again: no state carried between calls").isEqualTo(expected);
    assertThat(slice.position()).isEqualTo(position);
    assertThat(slice.limit()).isEqualTo(position + length);
  }

  @Test
  void threadsSharingAFingerprinterGetTheSameAnswers() throws Exception {
    Fingerprinter fingerprinter = new Fingerprinter(KEY);
    Random random = new Random(5);
    List<byte[]> blocks = new java.util.ArrayList<>();
    for (int i = 0; i < 64; i++) {
      byte[] block = new byte[512 + random.nextInt(4096)];
      random.nextBytes(block);
      blocks.add(block);
    }
    List<Fingerprint> expected = blocks.stream().map(b -> fingerprinter.fingerprint(ByteBuffer.wrap(b))).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Fingerprint>>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> blocks.stream().map(b -> fingerprinter.fingerprint(ByteBuffer.wrap(b))).toList()));
      }
      for (Future<List<Fingerprint>> result : results) {
        assertThat(result.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDomainKeyOfTheWrongSizeIsRefusedByName() {
    assertThatThrownBy(() -> new Fingerprinter(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("domainKey").hasMessageContaining("16");
    assertThatThrownBy(() -> new Fingerprinter(null)).isInstanceOf(NullPointerException.class).hasMessage("domainKey");
    assertThatThrownBy(() -> new Fingerprinter(KEY).fingerprint(null)).isInstanceOf(NullPointerException.class).hasMessage("block");
  }

  @Test
  void aFingerprintIsAValueUsableAsAMapKeyAndAsKeyBytes() {
    byte[] bytes = new byte[32];
    new Random(3).nextBytes(bytes);
    Fingerprint a = Fingerprint.fromBytes(bytes);
    Fingerprint b = Fingerprint.fromBytes(bytes.clone());
    Map<Fingerprint, String> index = new HashMap<>();
    index.put(a, "chunk");

    assertThat(index).containsEntry(b, "chunk");
    assertThat(a.toBytes()).isEqualTo(bytes);
    assertThat(a.toHex()).isEqualTo(HexFormat.of().formatHex(bytes));
  }

  @Test
  void bufferEncodingIsBigEndianWhateverTheBuffersByteOrder() {
    byte[] bytes = new byte[32];
    new Random(4).nextBytes(bytes);
    Fingerprint fingerprint = Fingerprint.fromBytes(bytes);
    ByteBuffer little = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).position(3);

    fingerprint.writeTo(little);

    assertThat(little.position()).isEqualTo(35);
    assertThat(java.util.Arrays.copyOfRange(little.array(), 3, 35)).isEqualTo(bytes);
    assertThat(Fingerprint.readFrom(little.position(3))).isEqualTo(fingerprint);
  }

  @Test
  void malformedEncodingsAreRefusedByName() {
    assertThatThrownBy(() -> Fingerprint.fromBytes(new byte[31])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes");
    assertThatThrownBy(() -> Fingerprint.readFrom(ByteBuffer.allocate(20))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("buffer");
    Fingerprint fingerprint = new Fingerprint(1, 2, 3, 4);
    assertThatThrownBy(() -> fingerprint.writeTo(ByteBuffer.allocate(64).asReadOnlyBuffer()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
  }
}
