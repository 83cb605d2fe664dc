package io.cairn.node.frontend.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.node.testing.ClientCommand;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exports on a unix-domain socket (cairn.nbd.unix-socket), driven by stock clients: the same
 * server as on TCP, a socket only its owner may use, stale sockets replaced, foreign files and
 * live sockets refused, the file gone after stop.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NbdUnixSocketTest {

  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  private static NbdServerFixture serve(Path socket, InMemoryVolumeRegistry volumes) {
    return new NbdServerFixture(volumes, "cairn.nbd.unix-socket = \"" + socket + "\"");
  }

  @Test
  void stockClientsWriteAndReadBackOverTheUnixSocket() throws Exception {
    assumeTrue(ClientCommand.installed("qemu-io"), "qemu-io is not installed");
    assumeTrue(ClientCommand.installed("nbdinfo"), "nbdinfo is not installed");
    Path socket = dir.resolve("nbd.sock");
    InMemoryVolumeRegistry volumes = new InMemoryVolumeRegistry();
    volumes.add("vol", 16 * MIB);
    try (NbdServerFixture fixture = serve(socket, volumes)) {
      String uri = "nbd+unix:///vol?socket=" + socket;

      assertThat(fixture.server.unixSocket()).contains(socket);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
          .isEqualTo("rw-------");
      assertThat(ClientCommand.run("nbdinfo", "--json", uri))
          .contains("\"export-size\": " + 16 * MIB);
      ClientCommand.run("qemu-io", "-f", "raw", "-c", "write -P 0x6b 1000 70000", uri);
      String read = ClientCommand.run("qemu-io", "-f", "raw",
          "-c", "read -P 0x6b 1000 70000", "-c", "read -P 0 71000 4096", uri);
      assertThat(read).doesNotContain("Pattern verification failed");
      // The same bytes through TCP: one server, two ways in.
      String overTcp = ClientCommand.run("qemu-io", "-f", "raw", "-c", "read -P 0x6b 1000 70000",
          "nbd://127.0.0.1:" + fixture.port() + "/vol");
      assertThat(overTcp).doesNotContain("Pattern verification failed");
    }
    assertThat(socket).as("the socket file after stop").doesNotExist();
  }

  @Test
  void clientsVanishingMidHandshakeOrMidRequestLeaveTheNextOneServed() throws Exception {
    assumeTrue(ClientCommand.installed("qemu-io"), "qemu-io is not installed");
    Path socket = dir.resolve("vanish.sock");
    InMemoryVolumeRegistry volumes = new InMemoryVolumeRegistry();
    volumes.add("vol", 16 * MIB);
    try (NbdServerFixture fixture = serve(socket, volumes)) {
      // One hangs up at once, one after half a handshake, one after garbage: each is one
      // connection's end, not the listener's.
      for (byte[] sent : new byte[][] {{}, {0, 0, 0, 3}, "not nbd at all".getBytes()}) {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
          client.write(ByteBuffer.wrap(sent));
        }
      }
      String uri = "nbd+unix:///vol?socket=" + socket;
      ClientCommand.run("qemu-io", "-f", "raw", "-c", "write -P 0x2c 0 64k", uri);
      assertThat(ClientCommand.run("qemu-io", "-f", "raw", "-c", "read -P 0x2c 0 64k", uri))
          .doesNotContain("Pattern verification failed");
    }
  }

  @Test
  void aStaleSocketLeftByADeadNodeIsReplaced() throws Exception {
    Path socket = dir.resolve("stale.sock");
    // Bound and closed without unlinking: what a node killed with SIGKILL leaves behind.
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).exists();
    try (NbdServerFixture fixture = serve(socket, new InMemoryVolumeRegistry())) {
      assertThat(fixture.server.unixSocket()).contains(socket);
    }
  }

  @Test
  void aPathHoldingAFileOrALiveSocketIsRefusedAtStart() throws Exception {
    Path file = dir.resolve("not-a-socket");
    Files.writeString(file, "precious");
    assertThatThrownBy(() -> serve(file, new InMemoryVolumeRegistry()))
        .hasMessageContaining("unix-socket").hasMessageContaining("not a socket");
    assertThat(Files.readString(file)).isEqualTo("precious");

    Path live = dir.resolve("live.sock");
    try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      other.bind(UnixDomainSocketAddress.of(live));
      assertThatThrownBy(() -> serve(live, new InMemoryVolumeRegistry()))
          .hasMessageContaining("in use");
    }
  }
}
