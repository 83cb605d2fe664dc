package io.cairn.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksShardStoreTest {

  @TempDir Path dir;

  @Test
  void aStoreKeepsThePageSizeItWasCreatedWith() throws Exception {
    byte[] shard = new byte[100 * 1024 + 123];
    new Random(7).nextBytes(shard);
    Path path = dir.resolve("store-1");
    try (StoreDirectory d = StoreDirectory.open("n1/store-1", path);
        RocksShardStore store = RocksShardStore.open(d, 4096)) {
      assertThat(store.pageBytes()).isEqualTo(4096);
      store.put(9, 2, ByteBuffer.wrap(shard));
    }
    // The setting changed since: the store still reads its shards with its own page size.
    try (StoreDirectory d = StoreDirectory.open("n1/store-1", path);
        RocksShardStore store = RocksShardStore.open(d, 64 * 1024)) {
      assertThat(store.pageBytes()).isEqualTo(4096);
      ByteBuffer whole = ByteBuffer.allocate(shard.length);
      assertThat(store.read(9, 2, 0, whole)).isTrue();
      assertThat(whole.array()).isEqualTo(shard);
      ByteBuffer range = ByteBuffer.allocate(10_000);
      assertThat(store.read(9, 2, 70_001, range)).isTrue();
      assertThat(range.array()).isEqualTo(java.util.Arrays.copyOfRange(shard, 70_001, 80_001));
      assertThat(store.shardCount()).isEqualTo(1);
    }
    // A new store takes the setting.
    try (StoreDirectory d = StoreDirectory.open("n1/store-2", dir.resolve("store-2"));
        RocksShardStore store = RocksShardStore.open(d, 64 * 1024)) {
      assertThat(store.pageBytes()).isEqualTo(64 * 1024);
    }
  }
}
