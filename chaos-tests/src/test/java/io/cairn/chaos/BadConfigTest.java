package io.cairn.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration the node cannot run with: one clear line naming the problem, non-zero exit. */
class BadConfigTest {

  @TempDir Path dir;

  @Test
  void aMissingConfigFileIsNamed() throws Exception {
    Path missing = dir.resolve("missing.conf");

    String line = failingRun("node", "--config", missing.toString());

    assertThat(line).isEqualTo("cairn: config file not found: " + missing);
  }

  @Test
  void aStorePathThatCannotBeCreatedIsNamed() throws Exception {
    Path plainFile = Files.writeString(dir.resolve("not-a-dir"), "x");
    Path config = writeConfig(CairnProcess.freePort(), CairnProcess.freePort(),
        "\"" + plainFile.resolve("store-1") + "\"");

    String line = failingRun("node", "--config", config.toString());

    assertThat(line).startsWith("cairn: store " + plainFile.resolve("store-1"))
        .contains("cannot be created");
  }

  @Test
  void aPortInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      Path config = writeConfig(port, CairnProcess.freePort(), "\"./data/store-1\"");

      String line = failingRun("node", "--config", config.toString());

      assertThat(line).startsWith("cairn: port " + port + " on 127.0.0.1 (cairn.http.port)")
          .contains("not available");
    }
  }

  /**
   * A problem found once the node's actor system is up (here: a volume whose erasure code needs
   * more failure domains than there are) still ends with status 2 and one line, not a silent 0.
   */
  @Test
  void aVolumeThatCannotBePlacedIsNamedAfterStartUpBegan() throws Exception {
    Path config = oneStoreConfig(
        "cairn.volumes = [ { name = wide, size = 1 GiB, policy { ec = \"4+2\" } } ]");

    String line = failingRun("node", "--config", config.toString());

    assertThat(line).startsWith("cairn: cannot create the configured volumes (cairn.volumes)")
        .contains("4+2");
  }

  @Test
  void anUnknownStoreFormatIsNamed() throws Exception {
    Path config = oneStoreConfig("cairn.store.format = tape");

    String line = failingRun("node", "--config", config.toString());

    assertThat(line).isEqualTo("cairn: cairn.store.format must be files or rocksdb, got \"tape\"");
  }

  @Test
  void aUnixSocketPathHoldingAFileIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("nbd.sock"), "not a socket");
    Path config = oneStoreConfig("cairn.nbd.unix-socket = \"" + file + "\"");

    String line = failingRun("node", "--config", config.toString());

    assertThat(line).startsWith("cairn: cairn.nbd.unix-socket: cannot listen on " + file)
        .contains("not a socket");
    assertThat(Files.readString(file)).isEqualTo("not a socket");
  }

  @Test
  void anUnknownOptionIsRefusedWithUsage() throws Exception {
    try (CairnProcess cairn = CairnProcess.start(dir, "node", "--no-such-option")) {
      assertThat(cairn.awaitExit(Duration.ofSeconds(60))).isNotZero();
      assertThat(cairn.output()).contains("Unknown option: '--no-such-option'")
          .contains("Usage: cairn node");
    }
  }

  @Test
  void helpExplainsEveryOption() throws Exception {
    try (CairnProcess cairn = CairnProcess.start(dir, "node", "--help")) {
      assertThat(cairn.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(cairn.output()).contains("--config=FILE").contains("SIGTERM");
    }
  }

  private Path writeConfig(int httpPort, int clusterPort, String stores) throws Exception {
    return Files.writeString(dir.resolve("node.conf"), """
        cairn.stores = [%s]
        cairn.http.port = %d
        pekko.remote.artery.canonical.port = %d
        pekko.cluster.seed-nodes = ["pekko://cairn@127.0.0.1:%d"]
        """.formatted(stores, httpPort, clusterPort, clusterPort));
  }

  /** A config with one store, every port free, and {@code line} on top. */
  private Path oneStoreConfig(String line) throws Exception {
    Path config = writeConfig(CairnProcess.freePort(), CairnProcess.freePort(),
        "\"./data/store-1\"");
    return Files.writeString(config, Files.readString(config)
        + "cairn.nbd.port = " + CairnProcess.freePort() + "\n" + line + "\n");
  }

  /** Runs cairn, expects a non-zero exit, and returns its one line of diagnosis. */
  private String failingRun(String... args) throws Exception {
    try (CairnProcess cairn = CairnProcess.start(dir, args)) {
      assertThat(cairn.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      return cairn.output().lines()
          .filter(l -> l.startsWith("cairn: "))
          .reduce((a, b) -> {
            throw new AssertionError("more than one diagnosis line: " + a + " / " + b);
          })
          .orElseThrow(() -> new AssertionError("no diagnosis line in:\n" + safeOutput(cairn)));
    }
  }

  private static String safeOutput(CairnProcess cairn) {
    try {
      return cairn.output();
    } catch (Exception e) {
      return "(unreadable: " + e + ")";
    }
  }
}
