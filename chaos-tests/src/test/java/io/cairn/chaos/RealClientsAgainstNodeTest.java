package io.cairn.chaos;

import static io.cairn.node.testing.ClientCommand.installed;
import static io.cairn.node.testing.ClientCommand.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a VM host does, against a real `cairn node` process and its real volume engine (RocksDB
 * stores, journal, erasure coding, dedup, lz4, AES-GCM): stock clients no one here wrote.
 */
class RealClientsAgainstNodeTest {

  @TempDir static Path dir;
  private static CairnProcess node;
  private static int nbdPort;
  private static int httpPort;

  @BeforeAll
  static void startNode() throws Exception {
    SoloNode solo = SoloNode.write(dir, """
        cairn.volume.seal-idle = 500ms
        cairn.volumes = [
          { name = "vm1", size = 256 MiB },
          { name = "plain", size = 128 MiB, policy { ec = "1+0", compression = none, dedup = off, encryption = off } }
        ]
        """);
    httpPort = solo.httpPort();
    nbdPort = solo.nbdPort();
    node = solo.start(dir);
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> CairnProcess.statusOf(httpPort, "/ready") == 200);
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.stop(Duration.ofSeconds(60));
    }
  }

  private static String uri(String volume) {
    return "nbd://127.0.0.1:" + nbdPort + "/" + volume;
  }

  @Test
  void nbdinfoListsTheVolumesWithTheirSizes() throws Exception {
    assumeTrue(installed("nbdinfo"), "nbdinfo (libnbd-bin) is not installed");

    String listing = run("nbdinfo", "--list", "nbd://127.0.0.1:" + nbdPort);

    assertThat(listing).contains("export=\"vm1\"").contains("268435456")
        .contains("export=\"plain\"").contains("134217728");
  }

  @Test
  void anImageCopiedOntoAVolumeAndBackIsByteIdenticalAndUnwrittenRangesAreHoles()
      throws Exception {
    assumeTrue(installed("qemu-img"), "qemu-img (qemu-utils) is not installed");
    Path image = dir.resolve("image.raw");
    byte[] bytes = new byte[64 << 20];
    Random random = new Random(64);
    for (int i = 0; i < bytes.length; i += 4096) {
      int kind = random.nextInt(4);
      if (kind == 0) {
        for (int j = 0; j < 4096; j++) {
          bytes[i + j] = (byte) random.nextInt();
        }
      } else if (kind == 1) {
        java.util.Arrays.fill(bytes, i, i + 4096, (byte) (i / 4096 % 7)); // dedupable
      } // else: zeroes
    }
    Files.write(image, bytes);

    run("qemu-img", "info", uri("vm1"));
    run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", image.toString(), uri("vm1"));
    Path back = dir.resolve("back.raw");
    run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri("vm1"), back.toString());
    String map = run("qemu-img", "map", "--output=json", "-f", "raw", uri("vm1"));

    byte[] copied = java.util.Arrays.copyOf(Files.readAllBytes(back), bytes.length);
    assertThat(copied).isEqualTo(bytes);
    // Everything past the 64 MiB image was never written: the last extent is one hole that
    // reaches the end of the volume from at most the image's end (earlier if the image ends in
    // zero blocks, which are stored as holes too).
    java.util.regex.Matcher last = java.util.regex.Pattern.compile(
        "\\{ \"start\": (\\d+), \"length\": (\\d+), \"depth\": 0, \"present\": true,"
            + " \"zero\": true, \"data\": false[^}]*}]").matcher(map);
    assertThat(last.find()).as("a final hole in %s", map).isTrue();
    assertThat(Long.parseLong(last.group(1))).isLessThanOrEqualTo(64L << 20);
    assertThat(Long.parseLong(last.group(1)) + Long.parseLong(last.group(2)))
        .isEqualTo(256L << 20);
    assertThat(map).contains("\"data\": true");
  }

  @Test
  void qemuIoPatternsAtOddOffsetsDiscardAndWriteZeroesReadBack() throws Exception {
    assumeTrue(installed("qemu-io"), "qemu-io (qemu-utils) is not installed");
    String target = uri("plain");

    run("qemu-io", "-f", "raw", "-c", "write -P 0xab 1000 70001", "-c", "write -P 0xcd 90000 3",
        "-c", "discard 200000 8192", "-c", "write -z 5000 12345", target);
    String check = run("qemu-io", "-f", "raw",
        "-c", "read -P 0xab 1000 4000", "-c", "read -P 0x00 5000 12345",
        "-c", "read -P 0xab 17345 53656", "-c", "read -P 0xcd 90000 3",
        "-c", "read -P 0x00 200000 8192", target);

    assertThat(check).doesNotContain("Pattern verification failed");
  }

  @Test
  void fioRandomWritesVerifyInASeparatePass() throws Exception {
    assumeTrue(installed("fio"), "fio is not installed");
    String[] common = {"fio", "--name=verify", "--ioengine=nbd", "--uri=" + uri("plain"),
        "--rw=randwrite", "--bs=4k", "--offset=64m", "--size=32m", "--iodepth=16",
        "--verify=crc32c", "--randseed=7"};

    String write = run(concat(common, "--do_verify=0"));
    String verify = run(concat(common, "--verify_only"));

    assertThat(write).contains("err= 0");
    assertThat(verify).contains("err= 0").doesNotContain("verify: bad");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
