package io.cairn.offload.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyWrapTest {
  @Test
  void wrapsAsRfc3394Section4_6() {
    // RFC 3394, 4.6: wrap 256 bits of key data with a 256-bit KEK.
    HexFormat hex = HexFormat.of();
    MasterKey kek = MasterKey.of(1, hex.parseHex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"));
    DataKey data = DataKey.of(hex.parseHex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"));

    WrappedKey wrapped = KeyWrap.wrap(data, kek);

    assertThat(hex.formatHex(wrapped.wrapped())).isEqualToIgnoringCase(
        "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");
    assertThat(wrapped.masterKeyVersion()).isEqualTo(1);
    assertThat(KeyWrap.unwrap(wrapped, kek).material()).isEqualTo(data.material());
  }

  @Test
  void rotationRewrapsTheSameDataKeySoExistingChunksStillOpen() {
    KeyRing ring = KeyRing.generate(VolumeCipherTest.seeded(1));
    DataKey dataKey = DataKey.generate(VolumeCipherTest.seeded(2));
    WrappedKey before = KeyWrap.wrap(dataKey, ring.current());
    VolumeCipher writer = new VolumeCipher(9, dataKey, VolumeCipherTest.seeded(3));
    ByteBuffer sealed = ByteBuffer.allocate(VolumeCipher.sealedBytes(5));
    ChunkNonce nonce = writer.seal(ByteBuffer.wrap("hello".getBytes()), ByteBuffer.allocate(0), sealed);

    KeyRing rotated = ring.rotate(VolumeCipherTest.seeded(4));
    WrappedKey after = KeyWrap.rewrap(before, ring.current(), rotated.current());

    assertThat(rotated.current().version()).isEqualTo(2);
    assertThat(after.masterKeyVersion()).isEqualTo(2);
    assertThat(after.wrapped()).isNotEqualTo(before.wrapped());
    VolumeCipher reader = new VolumeCipher(9, KeyWrap.unwrap(after, rotated), VolumeCipherTest.seeded(5));
    ByteBuffer opened = ByteBuffer.allocate(5);
    reader.open(nonce, sealed.flip(), ByteBuffer.allocate(0), opened);
    assertThat(opened.array()).isEqualTo("hello".getBytes());
    // The old wrap still unwraps through the rotated ring until version 1 is retired.
    assertThat(KeyWrap.unwrap(before, rotated).material()).isEqualTo(dataKey.material());
    assertThatThrownBy(() -> KeyWrap.unwrap(before, rotated.retire(1)))
        .isInstanceOf(KeyUnwrapException.class).hasMessageContaining("no longer holds");
  }

  @Test
  void theWrongMasterKeyOrACorruptWrapIsATypedError() {
    MasterKey right = MasterKey.generate(3, VolumeCipherTest.seeded(6));
    MasterKey wrong = MasterKey.generate(3, VolumeCipherTest.seeded(7));
    WrappedKey wrapped = KeyWrap.wrap(DataKey.generate(VolumeCipherTest.seeded(8)), right);
    byte[] corrupt = wrapped.wrapped();
    corrupt[17] ^= 4;

    assertThatThrownBy(() -> KeyWrap.unwrap(wrapped, wrong))
        .isInstanceOfSatisfying(KeyUnwrapException.class, e -> assertThat(e.masterKeyVersion()).isEqualTo(3));
    assertThatThrownBy(() -> KeyWrap.unwrap(new WrappedKey(3, corrupt), right)).isInstanceOf(KeyUnwrapException.class);
    assertThatThrownBy(() -> KeyWrap.unwrap(wrapped, MasterKey.generate(4, VolumeCipherTest.seeded(9))))
        .isInstanceOf(KeyUnwrapException.class).hasMessageContaining("wrapped by version 3");
  }

  @Test
  void malformedKeysAreRefusedByName() {
    assertThatThrownBy(() -> new WrappedKey(1, new byte[39])).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("wrapped:");
    assertThatThrownBy(() -> new WrappedKey(0, new byte[40])).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("masterKeyVersion:");
    assertThatThrownBy(() -> MasterKey.of(1, new byte[31])).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("material:");
    assertThatThrownBy(() -> MasterKey.of(0, new byte[32])).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("version:");
    assertThatThrownBy(() -> KeyRing.generate(VolumeCipherTest.seeded(1)).retire(1)).isInstanceOf(IllegalArgumentException.class);
  }
}
