package io.cairn.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.node.store.StoreDirectory.StoreOpenException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreDirectoryTest {

  @TempDir Path dir;

  @Test
  void opensAndCreatesTheDirectory() throws Exception {
    Path path = dir.resolve("a/b/store-1");
    try (StoreDirectory store = StoreDirectory.open("n1/store-1", path)) {
      assertThat(path).isDirectory();
      assertThat(store.capacityBytes()).isPositive();
      assertThat(store.usableBytes()).isPositive();
    }
  }

  @Test
  void aStoreCannotBeOpenedTwice() throws Exception {
    Path path = dir.resolve("store-1");
    try (StoreDirectory first = StoreDirectory.open("n1/store-1", path)) {
      assertThatThrownBy(() -> StoreDirectory.open("n1/store-1", path))
          .isInstanceOf(StoreOpenException.class)
          .hasMessageContaining(path.toString());
    }
    // Released on close: it can be opened again.
    StoreDirectory.open("n1/store-1", path).close();
  }

  @Test
  void aPathUnderARegularFileCannotBeCreated() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    Path path = file.resolve("store-1");

    assertThatThrownBy(() -> StoreDirectory.open("n1/store-1", path))
        .isInstanceOf(StoreOpenException.class)
        .hasMessageStartingWith("store " + path + " cannot be created");
  }
}
