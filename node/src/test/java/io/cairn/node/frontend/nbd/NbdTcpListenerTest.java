package io.cairn.node.frontend.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP listener itself, below the protocol: connections beyond max-connections wait (in the
 * listen backlog, unanswered) until one ends; a port in use fails the start and says why; a
 * stopped server no longer listens.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NbdTcpListenerTest {

  /** NBDMAGIC, IHAVEOPT, handshake flags. */
  private static final int GREETING_BYTES = 8 + 8 + 2;

  @Test
  void clientsBeyondMaxConnectionsWaitUntilOneLeaves() throws Exception {
    InMemoryVolumeRegistry volumes = new InMemoryVolumeRegistry();
    volumes.add("vol", 1 << 20);
    try (NbdServerFixture fixture = new NbdServerFixture(volumes, "cairn.nbd.max-connections = 2");
        Socket first = connect(fixture.port());
        Socket second = connect(fixture.port());
        Socket third = connect(fixture.port())) {
      greeting(first, 5_000);
      greeting(second, 5_000);
      assertThatThrownBy(() -> greeting(third, 500))
          .as("the third client while two are served").isInstanceOf(SocketTimeoutException.class);

      first.close();
      assertThat(greeting(third, 10_000)).as("the third client once the first left")
          .startsWith((byte) 'N', (byte) 'B', (byte) 'D', (byte) 'M');
    }
  }

  @Test
  void aPortInUseFailsTheStartWithTheReason() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> new NbdServerFixture(new InMemoryVolumeRegistry(),
          "cairn.nbd.port = " + taken.getLocalPort()))
          .hasRootCauseInstanceOf(BindException.class);
    }
  }

  @Test
  void aStoppedServerNoLongerListens() throws Exception {
    int port;
    try (NbdServerFixture fixture = new NbdServerFixture(new InMemoryVolumeRegistry(), "")) {
      port = fixture.port();
      try (Socket client = connect(port)) {
        greeting(client, 5_000);
      }
    }
    assertThatThrownBy(() -> connect(port).close()).isInstanceOf(ConnectException.class);
  }

  private static Socket connect(int port) throws Exception {
    return new Socket(InetAddress.getLoopbackAddress(), port);
  }

  private static byte[] greeting(Socket socket, int timeoutMillis) throws Exception {
    socket.setSoTimeout(timeoutMillis);
    byte[] greeting = new byte[GREETING_BYTES];
    new DataInputStream(socket.getInputStream()).readFully(greeting);
    return greeting;
  }
}
