package io.cairn.node.frontend.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.node.testing.ClientCommand;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stock NBD clients, no line of which was written here, against the server and the in-memory
 * test volume. Each test is skipped (not failed) only when its client binary is not installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NbdRealClientsTest {

  private static final int MIB = 1 << 20;
  private static final InMemoryVolumeRegistry volumes = new InMemoryVolumeRegistry();
  private static NbdServerFixture fixture;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    for (String name : List.of("info", "convert", "map", "io", "copy", "fio", "multi")) {
      volumes.add(name, 64L * MIB);
    }
    fixture = new NbdServerFixture(volumes, "");
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static String uri(String export) {
    return "nbd://127.0.0.1:" + fixture.port() + "/" + export;
  }

  @Test
  void nbdinfoShowsTheVolumeSizeAndMultiConn() throws Exception {
    requireBinary("nbdinfo");
    String json = run("nbdinfo", "--json", uri("info"));
    assertThat(json).contains("\"export-size\": " + 64L * MIB);
    assertThat(json).contains("\"can_multi_conn\": true");
    assertThat(json).contains("\"can_flush\": true");
    assertThat(json).contains("\"can_fua\": true");
    assertThat(json).contains("\"block_size_preferred\": 4096");
  }

  @Test
  void nbdinfoListShowsEveryVolume() throws Exception {
    requireBinary("nbdinfo");
    String listing = run("nbdinfo", "--list", "--json", "nbd://127.0.0.1:" + fixture.port());
    for (String name : List.of("info", "convert", "map", "io", "copy", "fio", "multi")) {
      assertThat(listing).contains("\"export-name\": \"" + name + "\"");
    }
  }

  @Test
  void qemuImgInfoReportsTheVirtualSize() throws Exception {
    requireBinary("qemu-img");
    String json = run("qemu-img", "info", "--output=json", uri("info"));
    assertThat(json).contains("\"virtual-size\": " + 64L * MIB);
  }

  @Test
  void qemuImgConvertRoundTripsA64MibImageByteForByte() throws Exception {
    requireBinary("qemu-img");
    Path source = image(dir.resolve("source.img"), 64 * MIB, 1);
    Path back = dir.resolve("back.img");
    run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", source.toString(), uri("convert"));
    run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri("convert"), back.toString());
    assertThat(Files.mismatch(source, back)).isEqualTo(-1L);
  }

  @Test
  void qemuImgMapShowsUnwrittenRangesAsHoles() throws Exception {
    requireBinary("qemu-io");
    requireBinary("qemu-img");
    run("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 1M", "-c", "write -P 0x33 10M 64k",
        uri("map"));
    String map = run("qemu-img", "map", "--output=json", "-f", "raw", uri("map"));
    // Holes read as zero and hold no data; written ranges are data.
    assertThat(map).contains("{ \"start\": 0, \"length\": 1048576, \"depth\": 0, \"present\": true, \"zero\": true, \"data\": false");
    assertThat(map).contains("{ \"start\": 1048576, \"length\": 1048576, \"depth\": 0, \"present\": true, \"zero\": false, \"data\": true");
    assertThat(map).contains("{ \"start\": 2097152, \"length\": 8388608, \"depth\": 0, \"present\": true, \"zero\": true, \"data\": false");
    assertThat(map).contains("{ \"start\": 10485760, \"length\": 65536, \"depth\": 0, \"present\": true, \"zero\": false, \"data\": true");
    assertThat(map).contains("{ \"start\": 10551296, \"length\": 56557568, \"depth\": 0, \"present\": true, \"zero\": true, \"data\": false");
  }

  @Test
  void qemuIoPatternsAtUnalignedOffsetsDiscardAndWriteZeroes() throws Exception {
    requireBinary("qemu-io");
    String output = run("qemu-io", "-f", "raw",
        "-c", "write -P 0xab 1000 3333",
        "-c", "read -P 0xab 1000 3333",
        "-c", "read -P 0 0 1000",
        "-c", "read -P 0 4333 100",
        "-c", "write -P 0xcd 8191 2",
        "-c", "read -P 0xcd 8191 2",
        "-c", "write -P 0x11 65536 131072",
        "-c", "discard 65536 65536",
        "-c", "read -P 0 65536 65536",
        "-c", "read -P 0x11 131072 65536",
        "-c", "write -z 135168 4096",
        "-c", "read -P 0 135168 4096",
        "-c", "read -P 0x11 139264 57344",
        "-c", "write -z -u 196608 65536",
        "-c", "write -P 0x77 -f 300001 12345",
        "-c", "read -P 0x77 300001 12345",
        "-c", "flush",
        uri("io"));
    assertThat(output).doesNotContain("Pattern verification failed").doesNotContain("error");
    assertThat(output.split("read ", -1)).hasSize(10);
  }

  @Test
  void nbdcopyRoundTripsByteForByte() throws Exception {
    requireBinary("nbdcopy");
    Path source = image(dir.resolve("copy-source.img"), 64 * MIB, 2);
    Path back = dir.resolve("copy-back.img");
    // Four connections to one export at once: nbdcopy spreads its writes over them because the
    // server advertises CAN_MULTI_CONN, and flushes each before it exits.
    run("nbdcopy", "--connections=4", "--flush", source.toString(), uri("copy"));
    run("nbdcopy", "--connections=4", uri("copy"), back.toString());
    assertThat(Files.mismatch(source, back)).isEqualTo(-1L);
  }

  @Test
  void fioRandomWritesVerifyInASeparatePass() throws Exception {
    requireBinary("fio");
    List<String> common = List.of("fio", "--name=cairn", "--ioengine=nbd", "--uri=" + uri("fio"),
        "--rw=randwrite", "--bs=4k", "--size=16m", "--iodepth=16", "--verify=crc32c",
        "--randseed=1234", "--output-format=terse");
    List<String> write = new ArrayList<>(common);
    write.add("--do_verify=0");
    run(write.toArray(String[]::new));
    List<String> verify = new ArrayList<>(common);
    verify.add("--verify_only");
    String output = run(verify.toArray(String[]::new));
    assertThat(output).doesNotContain("verify:").doesNotContain("bad");
  }

  /** An image with random data, zero runs and repeating runs, so holes and data both occur. */
  private static Path image(Path path, int bytes, long seed) throws IOException {
    byte[] data = new byte[bytes];
    Random random = new Random(seed);
    for (int offset = 0; offset < bytes; offset += MIB) {
      switch (random.nextInt(3)) {
        case 0 -> { } // a zero MiB
        case 1 -> Arrays.fill(data, offset, offset + MIB, (byte) random.nextInt(256));
        default -> {
          byte[] chunk = new byte[MIB];
          random.nextBytes(chunk);
          System.arraycopy(chunk, 0, data, offset, MIB);
        }
      }
    }
    Files.write(path, data);
    return path;
  }

  private static void requireBinary(String name) {
    boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
    assumeTrue(found, name + " is not installed");
  }

  /** Runs a client to completion (60 s at most) and returns its output; fails on nonzero exit. */
  private static String run(String... command) throws Exception {
    return ClientCommand.run(command);
  }
}
