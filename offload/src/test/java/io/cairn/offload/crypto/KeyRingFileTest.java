package io.cairn.offload.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingFileTest {
  @TempDir
  Path directory;

  @Test
  void theFirstStartCreatesAnOwnerOnlyFileThatLaterStartsLoad() throws IOException {
    Path file = directory.resolve("master.keyring");

    KeyRing created = KeyRingFile.loadOrCreate(file, VolumeCipherTest.seeded(1));
    KeyRing loaded = KeyRingFile.loadOrCreate(file, VolumeCipherTest.seeded(2));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(loaded.current().version()).isEqualTo(1);
    assertThat(loaded.current().material()).isEqualTo(created.current().material());
    try (var entries = Files.list(directory)) {
      assertThat(entries.toList()).containsExactly(file);
    }
  }

  @Test
  void aStoredRotationKeepsEveryVersion() {
    Path file = directory.resolve("master.keyring");
    KeyRing ring = KeyRingFile.loadOrCreate(file, VolumeCipherTest.seeded(3)).rotate(VolumeCipherTest.seeded(4));

    KeyRingFile.store(file, ring);
    KeyRing loaded = KeyRingFile.load(file);

    assertThat(loaded.keys()).extracting(MasterKey::version).containsExactly(1, 2);
    assertThat(loaded.current().material()).isEqualTo(ring.current().material());
    assertThat(loaded.get(1).orElseThrow().material()).isEqualTo(ring.get(1).orElseThrow().material());
  }

  @Test
  void aFileOthersCanReadIsRefused() throws IOException {
    Path file = directory.resolve("master.keyring");
    KeyRingFile.loadOrCreate(file, VolumeCipherTest.seeded(5));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> KeyRingFile.loadOrCreate(file, VolumeCipherTest.seeded(6)))
        .isInstanceOfSatisfying(KeyFileException.class, e -> assertThat(e.file()).isEqualTo(file))
        .hasMessageContaining("rw-r--r--");
  }

  @Test
  void aCorruptOrTruncatedFileIsRefusedNotReplaced() throws IOException {
    Path file = directory.resolve("master.keyring");
    KeyRingFile.loadOrCreate(file, VolumeCipherTest.seeded(7));
    byte[] bytes = Files.readAllBytes(file);
    byte[] flipped = bytes.clone();
    flipped[20] ^= 1;
    Files.write(file, flipped);
    assertThatThrownBy(() -> KeyRingFile.loadOrCreate(file, VolumeCipherTest.seeded(8)))
        .isInstanceOf(KeyFileException.class).hasMessageContaining("checksum");
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(() -> KeyRingFile.load(file)).isInstanceOf(KeyFileException.class).hasMessageContaining("truncated");
    Files.write(file, "not a key ring at all".getBytes());
    assertThatThrownBy(() -> KeyRingFile.load(file)).isInstanceOf(KeyFileException.class).hasMessageContaining("magic");
  }

  @Test
  void aMissingFileIsATypedErrorForLoad() {
    assertThatThrownBy(() -> KeyRingFile.load(directory.resolve("absent")))
        .isInstanceOf(KeyFileException.class).hasMessageContaining("no key ring file");
  }

  @Test
  void theEncodingRoundTripsEveryVersion() {
    KeyRing ring = new KeyRing(List.of(MasterKey.generate(4, VolumeCipherTest.seeded(9)), MasterKey.generate(7, VolumeCipherTest.seeded(10))));
    KeyRing decoded = KeyRingFile.decode(directory, KeyRingFile.encode(ring));
    assertThat(decoded.current().version()).isEqualTo(7);
    assertThat(decoded.get(4).orElseThrow().material()).isEqualTo(ring.get(4).orElseThrow().material());
  }
}
