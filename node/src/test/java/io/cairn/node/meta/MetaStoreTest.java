package io.cairn.node.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.node.meta.MetaStore.Table;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

class MetaStoreTest {

  @TempDir Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void multiGetAnswersEveryKeyInOrderWithNullWhereAbsent() throws Exception {
    try (MetaStore meta = MetaStore.open(dir.resolve("meta"))) {
      try (WriteBatch batch = new WriteBatch()) {
        for (int i = 0; i < 100; i += 2) {
          batch.put(meta.cf(Table.BLOCK_MAP), bytes("k" + i), bytes("v" + i));
        }
        // The same key in another table must not answer a lookup in this one.
        batch.put(meta.cf(Table.CHUNKS), bytes("k1"), bytes("other table"));
        meta.commit(batch);
      }
      List<byte[]> keys = new ArrayList<>();
      for (int i = 99; i >= 0; i--) {
        keys.add(bytes("k" + i));
      }
      List<byte[]> values = meta.multiGet(Table.BLOCK_MAP, keys);
      assertThat(values).hasSize(100);
      for (int j = 0; j < 100; j++) {
        int i = 99 - j;
        if (i % 2 == 0) {
          assertThat(values.get(j)).isEqualTo(bytes("v" + i));
        } else {
          assertThat(values.get(j)).isNull();
        }
        // Same answer as a single lookup.
        assertThat(values.get(j)).isEqualTo(meta.get(Table.BLOCK_MAP, keys.get(j)));
      }
      assertThat(meta.multiGet(Table.BLOCK_MAP, List.of())).isEmpty();
    }
  }
}
