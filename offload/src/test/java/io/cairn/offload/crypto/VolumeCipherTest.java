package io.cairn.offload.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeCipherTest {
  private static final long VOLUME = 42;

  /** A deterministic SecureRandom so a failing seed reproduces. */
  static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private record Sealed(ChunkNonce nonce, byte[] bytes) {}

  private static Sealed seal(VolumeCipher cipher, byte[] plaintext, byte[] aad) {
    ByteBuffer out = ByteBuffer.allocate(VolumeCipher.sealedBytes(plaintext.length));
    ChunkNonce nonce = cipher.seal(ByteBuffer.wrap(plaintext), ByteBuffer.wrap(aad), out);
    assertThat(out.hasRemaining()).isFalse();
    return new Sealed(nonce, out.array());
  }

  private static byte[] open(VolumeCipher cipher, ChunkNonce nonce, byte[] sealed, byte[] aad) {
    ByteBuffer out = ByteBuffer.allocate(sealed.length - VolumeCipher.TAG_BYTES);
    cipher.open(nonce, ByteBuffer.wrap(sealed), ByteBuffer.wrap(aad), out);
    return out.array();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void sealedChunksOpenToThePlaintextInHeapAndDirectBuffers(long seed) {
    Random random = new Random(seed);
    DataKey key = DataKey.generate(seeded(seed));
    VolumeCipher cipher = new VolumeCipher(VOLUME, key, seeded(seed));
    byte[] plaintext = new byte[1 + random.nextInt(8192)];
    random.nextBytes(plaintext);
    byte[] aad = "volume 42 chunk x".getBytes();

    Sealed sealed = seal(cipher, plaintext, aad);
    assertThat(open(cipher, sealed.nonce(), sealed.bytes(), aad)).isEqualTo(plaintext);

    ByteBuffer directIn = ByteBuffer.allocateDirect(plaintext.length).put(plaintext).flip();
    ByteBuffer directSealed = ByteBuffer.allocateDirect(VolumeCipher.sealedBytes(plaintext.length));
    ChunkNonce nonce = cipher.seal(directIn, ByteBuffer.wrap(aad), directSealed);
    ByteBuffer directOut = ByteBuffer.allocateDirect(plaintext.length);
    // A reader is another instance (another node, a restart): only the data key is shared.
    new VolumeCipher(VOLUME, key, seeded(seed + 100)).open(nonce, directSealed.flip(), ByteBuffer.wrap(aad), directOut);
    byte[] opened = new byte[plaintext.length];
    directOut.flip().get(opened);
    assertThat(opened).isEqualTo(plaintext);
  }

  @Test
  void noTwoChunksShareKeyAndNonceAcrossSealsAndInstances() {
    DataKey key = DataKey.generate(seeded(1));
    Set<ChunkNonce> seen = new HashSet<>();
    for (int instance = 0; instance < 4; instance++) {
      VolumeCipher cipher = new VolumeCipher(VOLUME, key, seeded(1000 + instance));
      for (int i = 0; i < 200; i++) {
        assertThat(seen.add(seal(cipher, new byte[16], new byte[0]).nonce())).isTrue();
      }
    }
  }

  @Test
  void anExhaustedSessionRollsOverToAFreshSaltAndOldChunksStillOpen() {
    DataKey key = DataKey.generate(seeded(2));
    VolumeCipher cipher = new VolumeCipher(VOLUME, key, seeded(3), 3);
    byte[] aad = new byte[8];
    Sealed[] sealed = new Sealed[7];
    for (int i = 0; i < sealed.length; i++) {
      sealed[i] = seal(cipher, new byte[] {(byte) i}, aad);
    }
    assertThat(sealed[0].nonce().counter()).isZero();
    assertThat(sealed[2].nonce().counter()).isEqualTo(2);
    assertThat(sealed[3].nonce().counter()).isZero();
    assertThat(sealed[3].nonce().saltHigh()).isNotEqualTo(sealed[0].nonce().saltHigh());
    assertThat(sealed[6].nonce().saltHigh()).isNotEqualTo(sealed[3].nonce().saltHigh());
    for (int i = 0; i < sealed.length; i++) {
      assertThat(open(cipher, sealed[i].nonce(), sealed[i].bytes(), aad)).containsExactly((byte) i);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void aFlippedBitInCiphertextTagNonceOrAssociatedDataIsAnIntegrityError(long seed) {
    Random random = new Random(seed);
    VolumeCipher cipher = new VolumeCipher(VOLUME, DataKey.generate(seeded(seed)), seeded(seed));
    byte[] plaintext = new byte[4096];
    random.nextBytes(plaintext);
    byte[] aad = new byte[52];
    random.nextBytes(aad);
    Sealed sealed = seal(cipher, plaintext, aad);

    byte[] badCiphertext = sealed.bytes().clone();
    badCiphertext[random.nextInt(4096)] ^= (byte) (1 << random.nextInt(8));
    byte[] badTag = sealed.bytes().clone();
    badTag[4096 + random.nextInt(16)] ^= (byte) (1 << random.nextInt(8));
    byte[] badAad = aad.clone();
    badAad[random.nextInt(aad.length)] ^= (byte) (1 << random.nextInt(8));
    ChunkNonce nonce = sealed.nonce();
    long bit = 1L << random.nextInt(64);
    ChunkNonce badCounter = new ChunkNonce(nonce.saltHigh(), nonce.saltLow(), nonce.counter() ^ bit);
    ChunkNonce badSalt = new ChunkNonce(nonce.saltHigh(), nonce.saltLow() ^ bit, nonce.counter());

    assertThatThrownBy(() -> open(cipher, nonce, badCiphertext, aad)).isInstanceOf(ChunkIntegrityException.class);
    assertThatThrownBy(() -> open(cipher, nonce, badTag, aad)).isInstanceOf(ChunkIntegrityException.class);
    assertThatThrownBy(() -> open(cipher, nonce, sealed.bytes(), badAad)).isInstanceOf(ChunkIntegrityException.class);
    assertThatThrownBy(() -> open(cipher, badCounter, sealed.bytes(), aad)).isInstanceOf(ChunkIntegrityException.class);
    assertThatThrownBy(() -> open(cipher, badSalt, sealed.bytes(), aad)).isInstanceOf(ChunkIntegrityException.class);
  }

  @Test
  void aChunkDoesNotOpenUnderAnotherVolumeEvenWithTheSameDataKey() {
    DataKey key = DataKey.generate(seeded(5));
    Sealed sealed = seal(new VolumeCipher(1, key, seeded(6)), new byte[64], new byte[0]);
    VolumeCipher otherVolume = new VolumeCipher(2, key, seeded(7));
    assertThatThrownBy(() -> open(otherVolume, sealed.nonce(), sealed.bytes(), new byte[0]))
        .isInstanceOf(ChunkIntegrityException.class);
  }

  @Test
  void aSealedChunkShorterThanItsTagIsAnIntegrityError() {
    VolumeCipher cipher = new VolumeCipher(VOLUME, DataKey.generate(seeded(8)), seeded(8));
    assertThatThrownBy(() -> cipher.open(new ChunkNonce(0, 0, 0), ByteBuffer.allocate(15), ByteBuffer.allocate(0), ByteBuffer.allocate(16)))
        .isInstanceOf(ChunkIntegrityException.class).hasMessageContaining("15 bytes");
  }

  @Test
  void badArgumentsAreRefusedByName() {
    VolumeCipher cipher = new VolumeCipher(VOLUME, DataKey.generate(seeded(9)), seeded(9));
    ByteBuffer plain = ByteBuffer.allocate(100);
    ByteBuffer aad = ByteBuffer.allocate(0);
    assertThatThrownBy(() -> cipher.seal(plain, aad, ByteBuffer.allocate(115)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dst: needs 116 bytes");
    assertThatThrownBy(() -> cipher.seal(plain, aad, ByteBuffer.allocate(200).asReadOnlyBuffer()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dst: is read-only");
    assertThatThrownBy(() -> cipher.seal(null, aad, ByteBuffer.allocate(200))).isInstanceOf(NullPointerException.class).hasMessage("plaintext");
    assertThatThrownBy(() -> cipher.seal(plain, null, ByteBuffer.allocate(200))).isInstanceOf(NullPointerException.class).hasMessage("aad");
    assertThatThrownBy(() -> DataKey.of(new byte[16])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("material").hasMessageContaining("16");
    assertThatThrownBy(() -> new VolumeCipher(1, null)).isInstanceOf(NullPointerException.class).hasMessage("dataKey");
  }

  @Test
  void theNonceEncodingRoundTrips() {
    ChunkNonce nonce = new ChunkNonce(-1L, 0x0102030405060708L, 99);
    ByteBuffer buffer = ByteBuffer.allocate(ChunkNonce.BYTES);
    nonce.writeTo(buffer);
    assertThat(ChunkNonce.readFrom(buffer.flip())).isEqualTo(nonce);
    assertThatThrownBy(() -> ChunkNonce.readFrom(ByteBuffer.allocate(23))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("buffer");
  }
}
