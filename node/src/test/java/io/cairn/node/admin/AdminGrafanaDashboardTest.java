package io.cairn.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard queries is one the node's /metrics really exposes (names
 * after Micrometer's Prometheus naming: units and _total suffixes), so no panel is silently empty.
 */
class AdminGrafanaDashboardTest {

  private static final Path DASHBOARD = Path.of("..", "docker", "grafana", "dashboards",
      "cairn.json");
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:cairn|jvm|process)_[a-z0-9_]+)\\b");

  @Test
  void everyQueriedMetricIsExposed() throws Exception {
    Set<String> queried = new TreeSet<>();
    Matcher m = METRIC.matcher(Files.readString(DASHBOARD));
    while (m.find()) {
      queried.add(m.group(1));
    }
    assertThat(queried).contains("cairn_dpu_cores", "cairn_volume_bytes_total");

    try (AdminTestServer server = AdminTestServer.start();
        JvmMeters jvm = JvmMeters.bindTo(server.registry)) {
      // The store meters the store engine registers, as it names them.
      Gauge.builder("cairn.store.capacity.bytes", () -> 1).tag("store", "s1")
          .register(server.registry);
      Gauge.builder("cairn.store.used.bytes", () -> 1).tag("store", "s1")
          .register(server.registry);
      Counter.builder("cairn.store.errors").tag("store", "s1").tag("kind", "read")
          .register(server.registry);
      server.volumes.create("v", 4096, 4096, io.cairn.node.volume.VolumePolicy.DEFAULT);
      server.io("v", 1, 1);
      server.dpuWork(1, new java.util.Random(1)).toCompletableFuture().join();
      System.gc(); // so that the GC pause meters exist

      String scrape = ApiCall.send(server.baseUri(), "GET", "/metrics", null, null).body();
      Set<String> exposed = new TreeSet<>();
      for (String line : scrape.split("\n")) {
        if (!line.startsWith("#") && !line.isBlank()) {
          exposed.add(line.split("[{ ]", 2)[0]);
        }
      }
      assertThat(exposed).containsAll(queried);
    }
  }
}
