package io.cairn.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ready-made local cluster in cluster-config/local-3node, started as separate processes. */
class LocalClusterTest {

  @TempDir Path dir;

  @Test
  void twoNodesOfTheLocalClusterSeeEachOtherAsUp() throws Exception {
    Path configs = CairnProcess.repositoryRoot().resolve("cluster-config/local-3node");
    try (CairnProcess node1 = CairnProcess.start(dir, "node", "--config",
            configs.resolve("node-1.conf").toString());
        CairnProcess node2 = CairnProcess.start(dir, "node", "--config",
            configs.resolve("node-2.conf").toString())) {

      for (int httpPort : new int[] {8081, 8082}) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
            .until(() -> upMembers(httpPort) == 2);
      }

      String seenBy1 = CairnProcess.get(8081, "/api/v1/cluster/members").body();
      assertThat(seenBy1).contains("127.0.0.1:25521").contains("127.0.0.1:25522");
      assertThat(dir.resolve("data/node-1/store-1")).isDirectory();
      assertThat(dir.resolve("data/node-2/store-3")).isDirectory();
    }
  }

  private static int upMembers(int httpPort) {
    try {
      String body = CairnProcess.get(httpPort, "/api/v1/cluster/members").body();
      return body.split("\"status\":\"Up\"", -1).length - 1;
    } catch (Exception e) {
      return 0;
    }
  }
}
