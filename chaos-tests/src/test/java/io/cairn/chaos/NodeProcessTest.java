package io.cairn.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `cairn node` as an operator runs it: a separate process from the assembled jar. */
class NodeProcessTest {

  @TempDir Path dir;

  @Test
  void aNodeServesHealthAndReadinessAndStopsCleanlyOnSigterm() throws Exception {
    int httpPort = CairnProcess.freePort();
    int clusterPort = CairnProcess.freePort();
    Path config = Files.writeString(dir.resolve("node.conf"), """
        cairn.node.name = "solo"
        cairn.stores = ["./data/store-a", "./data/store-b"]
        cairn.http.port = %d
        pekko.remote.artery.canonical.port = %d
        pekko.cluster.seed-nodes = ["pekko://cairn@127.0.0.1:%d"]
        """.formatted(httpPort, clusterPort, clusterPort));

    try (CairnProcess node = CairnProcess.start(dir, "node", "--config", config.toString())) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> CairnProcess.statusOf(httpPort, "/ready") == 200);

      assertThat(CairnProcess.get(httpPort, "/health").body()).contains("\"status\":\"ok\"");
      assertThat(CairnProcess.get(httpPort, "/api/v1/cluster/members").body())
          .contains("127.0.0.1:" + clusterPort).contains("\"status\":\"Up\"");
      assertThat(dir.resolve("data/store-a/store.lock")).exists();
      assertThat(dir.resolve("data/store-b")).isDirectory();

      node.stop(Duration.ofSeconds(60));

      assertThat(node.output()).contains("solo: stores closed, stopped cleanly");
    }
  }

  @Test
  void theEmbeddedDefaultStartsWithSixStoresUnderData() throws Exception {
    int httpPort = CairnProcess.freePort();
    int clusterPort = CairnProcess.freePort();
    // The embedded default, with only its ports moved so the test cannot collide with a node an
    // operator runs on this machine.
    String javaOpts = "-Dcairn.http.port=" + httpPort
        + " -Dpekko.remote.artery.canonical.port=" + clusterPort
        + " -Dpekko.cluster.seed-nodes.0=pekko://cairn@127.0.0.1:" + clusterPort;
    try (CairnProcess node = CairnProcess.startWithJavaOpts(dir, javaOpts, "node")) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> CairnProcess.statusOf(httpPort, "/ready") == 200);

      for (int i = 1; i <= 6; i++) {
        assertThat(dir.resolve("data/store-" + i + "/store.lock")).exists();
      }
    }
  }
}
