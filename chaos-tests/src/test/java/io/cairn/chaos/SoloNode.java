package io.cairn.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration of a one-node cluster for a test: six stores, metadata and key under
 * {@code ./data} of the working directory, and free loopback ports for HTTP, NBD and the cluster.
 * {@code extra} adds or overrides settings (volumes, tunables).
 */
record SoloNode(Path config, int httpPort, int nbdPort, int clusterPort) {

  static SoloNode write(Path dir, String extra) throws IOException {
    int httpPort = CairnProcess.freePort();
    int nbdPort = CairnProcess.freePort();
    int clusterPort = CairnProcess.freePort();
    Path config = Files.writeString(dir.resolve("node.conf"), """
        cairn.stores = ["./data/s1", "./data/s2", "./data/s3", "./data/s4", "./data/s5", "./data/s6"]
        cairn.metadata-dir = "./data/meta"
        cairn.keys.file = "./data/master.key"
        cairn.http.port = %d
        cairn.nbd.port = %d
        pekko.remote.artery.canonical.port = %d
        pekko.cluster.seed-nodes = ["pekko://cairn@127.0.0.1:%d"]
        """.formatted(httpPort, nbdPort, clusterPort, clusterPort) + extra);
    return new SoloNode(config, httpPort, nbdPort, clusterPort);
  }

  /** Starts `cairn node` on this configuration in {@code dir}. */
  CairnProcess start(Path dir) throws IOException {
    return CairnProcess.start(dir, "node", "--config", config.toString());
  }
}
