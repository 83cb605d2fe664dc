package io.cairn.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.node.frontend.nbd.NbdTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk dies: a node process is stopped, one store's directory is deleted outright, and the node
 * is started again with that store empty. Every byte still reads back (reconstructed from the
 * other shards); the volume shows as degraded; a scrub started through the REST API finds the
 * missing shards and rebuilds them, and the metrics count it.
 */
class StoreLossTest {

  @TempDir Path dir;

  @Test
  void aDeletedStoreDirectoryIsReconstructedOnReadAndRebuiltByScrub() throws Exception {
    SoloNode solo = SoloNode.write(dir, """
        cairn.volume.seal-idle = 200ms
        cairn.volumes = [{ name = "v", size = 64 MiB }]
        """);
    byte[] data = new byte[8 << 20];
    new Random(8).nextBytes(data);

    try (CairnProcess node = solo.start(dir)) {
      awaitReady(solo);
      try (NbdTestClient client = NbdTestClient.open(solo.nbdPort(), "v", true, false)) {
        for (int off = 0; off < data.length; off += 1 << 20) {
          byte[] piece = java.util.Arrays.copyOfRange(data, off, off + (1 << 20));
          assertThat(client.write(off, piece).error()).isZero();
        }
        assertThat(client.flush().error()).isZero();
      }
      // Let the journal be sealed into erasure-coded segments across the stores.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> shardsOn(solo, "s3") > 0 && sealedBytes(solo) >= data.length);
      assertThat(node.stop(Duration.ofSeconds(60))).isNotNegative();
    }

    deleteRecursively(dir.resolve("data/s3"));

    try (CairnProcess node = solo.start(dir)) {
      awaitReady(solo);
      try (NbdTestClient client = NbdTestClient.open(solo.nbdPort(), "v", true, false)) {
        byte[] back = new byte[data.length];
        for (int off = 0; off < data.length; off += 1 << 20) {
          NbdTestClient.Reply reply = client.read(off, 1 << 20);
          assertThat(reply.error()).isZero();
          System.arraycopy(reply.data(), 0, back, off, 1 << 20);
        }
        assertThat(back).isEqualTo(data);
      }
      assertThat(api(solo, "GET", "/api/v1/volumes/v").body()).contains("\"health\":\"degraded\"");

      assertThat(api(solo, "POST", "/api/v1/maintenance/scrub").statusCode()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
          .until(() -> api(solo, "GET", "/api/v1/maintenance/scrub").body()
              .contains("\"state\":\"completed\""));

      String run = api(solo, "GET", "/api/v1/maintenance/scrub").body();
      assertThat(run).doesNotContain("\"found\":0");
      String metrics = CairnProcess.get(solo.httpPort(), "/metrics").body();
      assertThat(metrics).containsPattern("cairn_scrub_shards_total\\{result=\"repaired\"\\} [1-9]");
      assertThat(shardsOn(solo, "s3")).as("shards rebuilt onto the replaced store").isPositive();
      assertThat(api(solo, "GET", "/api/v1/volumes/v").body()).contains("\"health\":\"healthy\"");
    }
  }

  private static void awaitReady(SoloNode solo) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> CairnProcess.statusOf(solo.httpPort(), "/ready") == 200);
  }

  private long shardsOn(SoloNode solo, String store) throws Exception {
    String body = api(solo, "GET", "/api/v1/stores").body();
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("\"id\":\"[^\"]*/" + store + "\"[^}]*\"shards\":(\\d+)").matcher(body);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Bytes the DPU tier has erasure-coded into segments so far (random data: about all of it). */
  private static double sealedBytes(SoloNode solo) throws Exception {
    String metrics = CairnProcess.get(solo.httpPort(), "/metrics").body();
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("cairn_dpu_bytes_in_bytes_total\\{engine=\"segment-encode\"\\} ([0-9.E]+)")
        .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private HttpResponse<String> api(SoloNode solo, String method, String path) throws Exception {
    String token = Files.readString(dir.resolve("data/api-token")).trim();
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + solo.httpPort() + path))
        .header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void deleteRecursively(Path path) throws Exception {
    try (Stream<Path> files = Files.walk(path)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
