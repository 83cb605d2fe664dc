package io.cairn.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every shard store format promises (ShardStore), and what the file format adds. */
class ShardStoreContractTest {

  @TempDir Path dir;

  private ShardStore open(Stores.Format format, String name, int pageBytes) throws Exception {
    StoreDirectory d = StoreDirectory.open("n1/" + name, dir.resolve(name));
    ShardStore store = Stores.open(d, pageBytes, format);
    return new Closing(store, d);
  }

  @ParameterizedTest
  @EnumSource(Stores.Format.class)
  void shardsReadBackWholeAndInAnyRange(Stores.Format format) throws Exception {
    Random random = new Random(42);
    try (ShardStore store = open(format, "s", 4096)) {
      for (int shard = 0; shard < 40; shard++) {
        byte[] bytes = new byte[random.nextInt(3) == 0 ? 1 + random.nextInt(10) : 1 + random.nextInt(70_000)];
        random.nextBytes(bytes);
        store.put(1000 + shard, shard % 6, ByteBuffer.wrap(bytes));
        ByteBuffer whole = ByteBuffer.allocate(bytes.length);
        assertThat(store.read(1000 + shard, shard % 6, 0, whole)).isTrue();
        assertThat(whole.array()).isEqualTo(bytes);
        for (int r = 0; r < 20 && bytes.length > 0; r++) {
          int from = random.nextInt(bytes.length);
          int length = random.nextInt(bytes.length - from + 1);
          ByteBuffer out = ByteBuffer.allocate(length + 3).position(3);
          assertThat(store.read(1000 + shard, shard % 6, from, out)).isTrue();
          assertThat(Arrays.copyOfRange(out.array(), 3, 3 + length))
              .isEqualTo(Arrays.copyOfRange(bytes, from, from + length));
        }
        // Past the end is not there.
        assertThat(store.read(1000 + shard, shard % 6, bytes.length, ByteBuffer.allocate(1)))
            .isFalse();
      }
      assertThat(store.shardCount()).isEqualTo(40);
    }
  }

  @ParameterizedTest
  @EnumSource(Stores.Format.class)
  void aShardReplacedByAShorterOneKeepsNothingOfTheOld(Stores.Format format) throws Exception {
    byte[] long_ = new byte[50_000];
    byte[] short_ = new byte[5_000];
    new Random(1).nextBytes(long_);
    new Random(2).nextBytes(short_);
    try (ShardStore store = open(format, "s", 4096)) {
      store.put(7, 1, ByteBuffer.wrap(long_));
      store.put(7, 1, ByteBuffer.wrap(short_));
      ByteBuffer out = ByteBuffer.allocate(short_.length);
      assertThat(store.read(7, 1, 0, out)).isTrue();
      assertThat(out.array()).isEqualTo(short_);
      assertThat(store.read(7, 1, 10_000, ByteBuffer.allocate(100))).isFalse();
      assertThat(store.shardCount()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Stores.Format.class)
  void missingAndDeletedShardsReadAsFalseAndCountAsReadErrors(Stores.Format format)
      throws Exception {
    try (ShardStore store = open(format, "s", 4096)) {
      store.put(3, 0, ByteBuffer.wrap(new byte[9000]));
      store.delete(3, 0);
      store.delete(3, 0); // absent: not an error
      store.delete(99, 4);
      assertThat(store.read(3, 0, 0, ByteBuffer.allocate(10))).isFalse();
      assertThat(store.read(4, 0, 0, ByteBuffer.allocate(10))).isFalse();
      assertThat(store.readErrors()).isEqualTo(2);
      assertThat(store.shardCount()).isZero();
      assertThat(store.healthy()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Stores.Format.class)
  void aCorruptPageIsNeverReadAndTheOthersStillAre(Stores.Format format) throws Exception {
    byte[] bytes = new byte[3 * 4096 + 100];
    new Random(3).nextBytes(bytes);
    try (ShardStore closing = open(format, "s", 4096)) {
      ShardStore store = ((Closing) closing).store;
      store.put(5, 2, ByteBuffer.wrap(bytes));
      boolean corrupted = store instanceof FileShardStore f ? f.corruptPage(5, 2, 1)
          : ((RocksShardStore) store).corruptPage(5, 2, 1);
      assertThat(corrupted).isTrue();
      assertThat(store.read(5, 2, 0, ByteBuffer.allocate(bytes.length))).isFalse();
      assertThat(store.read(5, 2, 4095, ByteBuffer.allocate(2))).isFalse();
      ByteBuffer first = ByteBuffer.allocate(4096);
      assertThat(store.read(5, 2, 0, first)).isTrue();
      assertThat(first.array()).isEqualTo(Arrays.copyOf(bytes, 4096));
      ByteBuffer last = ByteBuffer.allocate(4096 + 100);
      assertThat(store.read(5, 2, 2 * 4096, last)).isTrue();
      assertThat(last.array()).isEqualTo(Arrays.copyOfRange(bytes, 2 * 4096, bytes.length));
      assertThat(store.readErrors()).isEqualTo(2);
    }
  }

  @Test
  void fileShardsWrittenWithAnotherPageSizeStayReadable() throws Exception {
    byte[] bytes = new byte[100 * 1024 + 123];
    new Random(7).nextBytes(bytes);
    try (ShardStore store = open(Stores.Format.FILES, "s", 4096)) {
      store.put(9, 2, ByteBuffer.wrap(bytes));
    }
    try (ShardStore store = open(Stores.Format.FILES, "s", 64 * 1024)) {
      store.put(10, 2, ByteBuffer.wrap(bytes));
      for (long segment : List.of(9L, 10L)) {
        ByteBuffer range = ByteBuffer.allocate(10_000);
        assertThat(store.read(segment, 2, 70_001, range)).isTrue();
        assertThat(range.array()).isEqualTo(Arrays.copyOfRange(bytes, 70_001, 80_001));
      }
    }
  }

  @Test
  void aTruncatedOrGarbledFileReadsAsFalse() throws Exception {
    byte[] bytes = new byte[20_000];
    new Random(8).nextBytes(bytes);
    try (ShardStore store = open(Stores.Format.FILES, "s", 4096)) {
      store.put(1, 0, ByteBuffer.wrap(bytes));
      store.put(2, 0, ByteBuffer.wrap(bytes));
      Path one = shardFile(dir.resolve("s"), "1.0");
      Path two = shardFile(dir.resolve("s"), "2.0");
      try (FileChannel ch = FileChannel.open(one, StandardOpenOption.WRITE)) {
        ch.truncate(10_000);
      }
      try (FileChannel ch = FileChannel.open(two, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 8); // the header's length field
      }
      assertThat(store.read(1, 0, 0, ByteBuffer.allocate(4096))).isTrue(); // intact first pages
      assertThat(store.read(1, 0, 15_000, ByteBuffer.allocate(100))).isFalse();
      assertThat(store.read(2, 0, 0, ByteBuffer.allocate(100))).isFalse();
    }
  }

  @Test
  void temporaryFilesACrashLeftAreRemovedAtOpen() throws Exception {
    try (ShardStore store = open(Stores.Format.FILES, "s", 4096)) {
      store.put(1, 0, ByteBuffer.wrap(new byte[5000]));
    }
    Path leftover = shardFile(dir.resolve("s"), "1.0").resolveSibling("1.0.17.tmp");
    Files.write(leftover, new byte[123]);
    try (ShardStore store = open(Stores.Format.FILES, "s", 4096)) {
      assertThat(leftover).doesNotExist();
      assertThat(store.shardCount()).isEqualTo(1);
      assertThat(store.read(1, 0, 0, ByteBuffer.allocate(5000))).isTrue();
    }
  }

  @Test
  void aStoreKeepsItsFormatWhateverTheSettingSaysLater() throws Exception {
    byte[] bytes = new byte[10_000];
    new Random(9).nextBytes(bytes);
    try (ShardStore store = open(Stores.Format.ROCKSDB, "old", 4096)) {
      store.put(1, 0, ByteBuffer.wrap(bytes));
    }
    try (ShardStore store = open(Stores.Format.FILES, "new", 4096)) {
      store.put(1, 0, ByteBuffer.wrap(bytes));
    }
    try (ShardStore old = open(Stores.Format.FILES, "old", 4096);
        ShardStore fresh = open(Stores.Format.ROCKSDB, "new", 4096)) {
      assertThat(((Closing) old).store).isInstanceOf(RocksShardStore.class);
      assertThat(((Closing) fresh).store).isInstanceOf(FileShardStore.class);
      for (ShardStore s : List.of(old, fresh)) {
        ByteBuffer out = ByteBuffer.allocate(bytes.length);
        assertThat(s.read(1, 0, 0, out)).isTrue();
        assertThat(out.array()).isEqualTo(bytes);
      }
    }
    // A directory with both is refused rather than guessed at.
    Files.createDirectories(dir.resolve("old").resolve(FileShardStore.DIRECTORY));
    assertThatThrownBy(() -> open(Stores.Format.FILES, "old", 4096))
        .isInstanceOf(ShardStore.StoreException.class).hasMessageContaining("two formats");
  }

  private Closing openFiles(String name, long freeBytesMax) throws Exception {
    StoreDirectory d = StoreDirectory.open("n1/" + name, dir.resolve(name));
    return new Closing(FileShardStore.open(d, 4096, freeBytesMax), d);
  }

  private long freeFiles(String name) throws Exception {
    try (Stream<Path> files = Files.list(
        dir.resolve(name).resolve(FileShardStore.DIRECTORY).resolve(FileShardStore.FREE))) {
      return files.count();
    }
  }

  @Test
  void aDeletedShardsFileIsOverwrittenByLaterPutsWhateverTheirSize() throws Exception {
    Random random = new Random(11);
    byte[] first = new byte[30_000];
    random.nextBytes(first);
    try (Closing closing = openFiles("s", 1 << 20)) {
      FileShardStore store = (FileShardStore) closing.store;
      store.put(1, 0, ByteBuffer.wrap(first));
      Path firstFile = shardFile(dir.resolve("s"), "1.0");
      Object firstInode = Files.readAttributes(firstFile,
          java.nio.file.attribute.BasicFileAttributes.class).fileKey();
      store.delete(1, 0);
      assertThat(freeFiles("s")).isEqualTo(1);
      assertThat(store.shardCount()).isZero();

      // Shorter, then longer than the file it reuses: each reads back exactly, nothing of the old.
      byte[] shorter = new byte[9_000];
      random.nextBytes(shorter);
      store.put(2, 3, ByteBuffer.wrap(shorter));
      Path reused = shardFile(dir.resolve("s"), "2.3");
      assertThat(Files.readAttributes(reused, java.nio.file.attribute.BasicFileAttributes.class)
          .fileKey()).isEqualTo(firstInode);
      assertThat(Files.size(reused)).isLessThan(10_000);
      store.delete(2, 3);
      byte[] longer = new byte[70_000];
      random.nextBytes(longer);
      store.put(3, 1, ByteBuffer.wrap(longer));

      assertThat(store.recycledFiles()).isEqualTo(2);
      assertThat(freeFiles("s")).isZero();
      assertThat(store.shardCount()).isEqualTo(1);
      ByteBuffer out = ByteBuffer.allocate(longer.length);
      assertThat(store.read(3, 1, 0, out)).isTrue();
      assertThat(out.array()).isEqualTo(longer);
      assertThat(store.read(1, 0, 0, ByteBuffer.allocate(10))).isFalse();
      assertThat(store.read(2, 3, 0, ByteBuffer.allocate(10))).isFalse();
    }
  }

  /**
   * What a reader that opened a shard's file before it was recycled would see: another shard's
   * header, or this shard's header over another shard's pages. Both read as no shard, never as
   * the other shard's bytes.
   */
  @Test
  void anotherShardsBytesUnderThisShardsNameNeverReadAsThisShard() throws Exception {
    byte[] a = new byte[3 * 4096];
    byte[] b = new byte[3 * 4096];
    new Random(12).nextBytes(a);
    new Random(13).nextBytes(b);
    try (ShardStore store = open(Stores.Format.FILES, "s", 4096)) {
      store.put(1, 0, ByteBuffer.wrap(a));
      store.put(2, 0, ByteBuffer.wrap(b));
      store.put(1, 1, ByteBuffer.wrap(b));
      Path one = shardFile(dir.resolve("s"), "1.0");
      Path two = shardFile(dir.resolve("s"), "2.0");
      Path oneOne = shardFile(dir.resolve("s"), "1.1");
      byte[] headerOfOne = Arrays.copyOf(Files.readAllBytes(one), 28);
      byte[] twoBytes = Files.readAllBytes(two);

      // Shard 1.1's file holds 2.0's bytes whole: its header names 2.0.
      Files.write(oneOne, twoBytes);
      assertThat(store.read(1, 1, 0, ByteBuffer.allocate(100))).isFalse();
      // Shard 1.0's header over 2.0's pages: every page's checksum names 2.0.
      byte[] mixed = twoBytes.clone();
      System.arraycopy(headerOfOne, 0, mixed, 0, headerOfOne.length);
      Files.write(one, mixed);
      for (int page = 0; page < 3; page++) {
        assertThat(store.read(1, 0, page * 4096 + 5, ByteBuffer.allocate(10))).isFalse();
      }
      ByteBuffer out = ByteBuffer.allocate(b.length);
      assertThat(store.read(2, 0, 0, out)).isTrue();
      assertThat(out.array()).isEqualTo(b);
    }
  }

  @Test
  void freeFilesPastTheBoundAreUnlinkedAndNoneOutliveAReopen() throws Exception {
    try (Closing store = openFiles("s", 20_000)) {
      for (int i = 0; i < 3; i++) {
        store.put(i, 0, ByteBuffer.wrap(new byte[9_000]));
      }
      for (int i = 0; i < 3; i++) {
        store.delete(i, 0);
      }
      assertThat(freeFiles("s")).as("two files of about 9 KB fit in 20,000 bytes").isEqualTo(2);
      assertThat(store.shardCount()).isZero();
      store.put(7, 0, ByteBuffer.wrap(new byte[100]));
      store.delete(7, 0);
      assertThat(freeFiles("s")).isEqualTo(2);
    }
    try (Closing reopened = openFiles("s", 20_000)) {
      assertThat(freeFiles("s")).isZero();
      reopened.put(8, 0, ByteBuffer.wrap(new byte[100]));
      assertThat(((FileShardStore) reopened.store).recycledFiles()).isZero();
    }
    try (Closing none = openFiles("t", 0)) {
      none.put(1, 0, ByteBuffer.wrap(new byte[100]));
      none.delete(1, 0);
      assertThat(freeFiles("t")).isZero();
    }
  }

  @Test
  void aDeleteWithTheFreeDirectoryGoneStillRemovesTheShard() throws Exception {
    try (Closing store = openFiles("s", 1 << 20)) {
      store.put(1, 0, ByteBuffer.wrap(new byte[5000]));
      Files.delete(dir.resolve("s").resolve(FileShardStore.DIRECTORY)
          .resolve(FileShardStore.FREE));
      store.delete(1, 0);
      assertThat(store.shardCount()).isZero();
      assertThat(store.read(1, 0, 0, ByteBuffer.allocate(10))).isFalse();
      store.put(2, 0, ByteBuffer.wrap(new byte[5000]));
      assertThat(store.read(2, 0, 0, ByteBuffer.allocate(5000))).isTrue();
    }
  }

  /** A shard file of the first format (no identity in its checksums) stays readable. */
  @Test
  void shardFilesOfTheFirstFormatStayReadable() throws Exception {
    byte[] bytes = new byte[2 * 4096 + 300];
    new Random(14).nextBytes(bytes);
    try (ShardStore closing = open(Stores.Format.FILES, "s", 4096)) {
      FileShardStore store = (FileShardStore) ((Closing) closing).store;
      store.put(5, 4, ByteBuffer.wrap(new byte[1])); // where its file goes
      Path file = shardFile(dir.resolve("s"), "5.4");
      ByteBuffer v1 = ByteBuffer.allocate(16 + bytes.length + 3 * 4);
      v1.putInt(0x43534844).putInt(4096).putInt(bytes.length).putInt(crc(v1.array(), 0, 12));
      for (int page = 0; page < 3; page++) {
        int n = Math.min(4096, bytes.length - page * 4096);
        v1.put(bytes, page * 4096, n).putInt(crc(bytes, page * 4096, n));
      }
      Files.write(file, v1.array());

      ByteBuffer whole = ByteBuffer.allocate(bytes.length);
      assertThat(store.read(5, 4, 0, whole)).isTrue();
      assertThat(whole.array()).isEqualTo(bytes);
      ByteBuffer range = ByteBuffer.allocate(200);
      assertThat(store.read(5, 4, 4000, range)).isTrue();
      assertThat(range.array()).isEqualTo(Arrays.copyOfRange(bytes, 4000, 4200));
      assertThat(store.corruptPage(5, 4, 2)).isTrue();
      assertThat(store.read(5, 4, 2 * 4096, ByteBuffer.allocate(10))).isFalse();
      assertThat(store.read(5, 4, 0, ByteBuffer.allocate(10))).isTrue();
    }
  }

  private static int crc(byte[] bytes, int from, int length) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  private static Path shardFile(Path store, String name) throws Exception {
    try (Stream<Path> files = Files.walk(store.resolve(FileShardStore.DIRECTORY))) {
      return files.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }
  }

  /** A store that also closes its directory (the lock), so a test can open it again. */
  private static final class Closing implements ShardStore {
    final ShardStore store;
    final StoreDirectory directory;

    Closing(ShardStore store, StoreDirectory directory) {
      this.store = store;
      this.directory = directory;
    }

    @Override public String id() {
      return store.id();
    }

    @Override public void put(long s, int i, ByteBuffer b) throws StoreException {
      store.put(s, i, b);
    }

    @Override public boolean read(long s, int i, int from, ByteBuffer out) {
      return store.read(s, i, from, out);
    }

    @Override public void delete(long s, int i) throws StoreException {
      store.delete(s, i);
    }

    @Override public boolean healthy() {
      return store.healthy();
    }

    @Override public long usedBytes() {
      return store.usedBytes();
    }

    @Override public long freeBytes() {
      return store.freeBytes();
    }

    @Override public long capacityBytes() {
      return store.capacityBytes();
    }

    @Override public long readErrors() {
      return store.readErrors();
    }

    @Override public long writeErrors() {
      return store.writeErrors();
    }

    @Override public long shardCount() {
      return store.shardCount();
    }

    @Override public Path path() {
      return store.path();
    }

    @Override public void close() {
      store.close();
      try {
        directory.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
