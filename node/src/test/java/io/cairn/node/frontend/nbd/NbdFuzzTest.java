package io.cairn.node.frontend.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.protocol.nbd.NbdConstants;
import io.cairn.protocol.nbd.NbdExportInfoRequest;
import io.cairn.protocol.nbd.NbdMetaContextRequest;
import io.cairn.protocol.nbd.NbdOptionHeader;
import io.cairn.protocol.nbd.NbdRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random and mutated handshakes and requests against a running server, then proof that
 * it still serves a well-behaved client and that data written before the storm is intact. A
 * failing run is reproduced by its seed (printed in the assertion messages).
 */
class NbdFuzzTest {

  private static final long SEED = Long.getLong("cairn.nbd.fuzz.seed", 0x5eed_cafeL);
  private static final int MESSAGES = 10_000;
  private static final int MESSAGES_PER_CONNECTION_MAX = 60;
  private static final long SCRATCH_BYTES = 8L << 20;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void randomAndMutatedInputLeavesTheServerServingAndStoredDataIntact() throws Exception {
    InMemoryVolumeRegistry volumes = new InMemoryVolumeRegistry();
    volumes.add("precious", 4L << 20);
    volumes.add("scratch", SCRATCH_BYTES);
    try (NbdServerFixture fixture = new NbdServerFixture(volumes, "cairn.nbd.handshake-timeout = 5s")) {
      byte[] precious = new byte[256 * 1024];
      new Random(SEED).nextBytes(precious);
      try (NbdTestClient client = NbdTestClient.open(fixture.port(), "precious", true, true)) {
        assertThat(client.write(123_457, precious).error()).isZero();
        assertThat(client.flush().error()).isZero();
      }

      Random random = new Random(SEED);
      int sent = 0;
      int connections = 0;
      while (sent < MESSAGES) {
        int batch = 1 + random.nextInt(MESSAGES_PER_CONNECTION_MAX);
        sent += storm(fixture.port(), random, batch);
        connections++;
      }

      try (NbdTestClient client = NbdTestClient.open(fixture.port(), "precious", true, true)) {
        assertThat(client.read(123_457, precious.length).data())
            .as("seed %x: data written before %d messages on %d connections", SEED, sent, connections)
            .isEqualTo(precious);
        assertThat(client.write(0, new byte[] {7}).error()).isZero();
        assertThat(client.read(0, 1).data()).containsExactly(7);
      }
      try (NbdTestClient client = NbdTestClient.open(fixture.port(), "scratch", false, false)) {
        assertThat(client.read(SCRATCH_BYTES - 4096, 4096).error()).isZero();
      }
    }
  }

  /** One connection: a random handshake, then random requests; returns the messages sent. */
  private static int storm(int port, Random random, int messages) throws IOException {
    int sent = 0;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(5_000);
      Thread drain = drainer(socket.getInputStream());
      var out = socket.getOutputStream();
      try {
        // Client flags: mostly valid, sometimes unknown bits (the server must hang up).
        int flags = random.nextInt(20) == 0 ? random.nextInt() : random.nextInt(4);
        out.write(ByteBuffer.allocate(4).putInt(flags).array());
        boolean transmission = false;
        boolean structured = false;
        while (sent < messages) {
          byte[] message;
          if (!transmission) {
            int choice = random.nextInt(10);
            if (choice < 2) {
              boolean sr = random.nextBoolean();
              if (sr) {
                out.write(option(NbdConstants.OPT_STRUCTURED_REPLY, new byte[0]));
                structured = true;
              }
              message = option(NbdConstants.OPT_GO, bytes(new NbdExportInfoRequest(
                  random.nextInt(4) == 0 ? randomName(random) : "scratch",
                  List.of(NbdConstants.INFO_BLOCK_SIZE)).encode()));
              transmission = true;
            } else if (choice < 4) {
              message = option(random.nextBoolean()
                      ? NbdConstants.OPT_SET_META_CONTEXT : NbdConstants.OPT_LIST_META_CONTEXT,
                  bytes(new NbdMetaContextRequest("scratch",
                      List.of(NbdConstants.META_CONTEXT_BASE_ALLOCATION, randomName(random))).encode()));
            } else {
              message = mutate(random, option(random.nextInt(14), randomBytes(random, 40)));
            }
          } else {
            message = request(random, structured);
          }
          out.write(message);
          sent++;
          if (random.nextInt(200) == 0) {
            break; // vanish mid-session, sometimes mid-message
          }
        }
        out.flush();
      } catch (IOException closedByServer) {
        // The server may hang up on bad input; that is one of the allowed outcomes.
      }
      socket.shutdownOutput();
      try {
        drain.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } catch (IOException ignored) {
      // Reset by the server after it hung up: allowed.
    }
    return Math.max(sent, 1);
  }

  private static byte[] request(Random random, boolean structured) {
    int type = random.nextInt(10) < 8
        ? List.of(NbdConstants.CMD_READ, NbdConstants.CMD_WRITE, NbdConstants.CMD_FLUSH,
            NbdConstants.CMD_TRIM, NbdConstants.CMD_WRITE_ZEROES, NbdConstants.CMD_BLOCK_STATUS)
            .get(random.nextInt(6))
        : random.nextInt(1 << 16);
    int flags = random.nextInt(4) == 0 ? random.nextInt(1 << 16) : 0;
    long offset = switch (random.nextInt(5)) {
      case 0 -> random.nextLong();
      case 1 -> SCRATCH_BYTES - random.nextInt(8192);
      default -> (long) random.nextInt((int) SCRATCH_BYTES);
    };
    long length = switch (random.nextInt(6)) {
      case 0 -> 0;
      case 1 -> Integer.toUnsignedLong(random.nextInt());
      default -> 1 + random.nextInt(16384);
    };
    ByteBuffer header = new NbdRequest(flags, type, random.nextLong(), offset, length).encode();
    byte[] bytes = bytes(header);
    if (random.nextInt(50) == 0) {
      bytes[random.nextInt(4)] ^= (byte) (1 + random.nextInt(255)); // wrong magic
    }
    if (type == NbdConstants.CMD_WRITE && length <= 16384) {
      // Usually the whole payload; sometimes less (the message then runs into the next one).
      int payload = random.nextInt(10) == 0 ? random.nextInt((int) length + 1) : (int) length;
      byte[] withPayload = new byte[bytes.length + payload];
      System.arraycopy(bytes, 0, withPayload, 0, bytes.length);
      return withPayload;
    }
    return bytes;
  }

  private static byte[] option(int option, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(new NbdOptionHeader(option, data.length).encode()));
    out.writeBytes(data);
    return out.toByteArray();
  }

  /** Flips bytes, truncates, or rewrites the length field of an otherwise valid message. */
  private static byte[] mutate(Random random, byte[] message) {
    byte[] copy = message.clone();
    switch (random.nextInt(4)) {
      case 0 -> copy[random.nextInt(copy.length)] ^= (byte) (1 + random.nextInt(255));
      case 1 -> {
        if (copy.length >= 16) {
          ByteBuffer.wrap(copy).putInt(12, random.nextInt(1 << 17));
        }
      }
      case 2 -> {
        byte[] cut = new byte[random.nextInt(copy.length)];
        System.arraycopy(copy, 0, cut, 0, cut.length);
        return cut;
      }
      default -> { }
    }
    return copy;
  }

  private static Thread drainer(InputStream in) {
    Thread thread = new Thread(() -> {
      byte[] sink = new byte[64 * 1024];
      try {
        while (in.read(sink) >= 0) {
          // Replies are not checked here; the server's survival and the data are.
        }
      } catch (IOException ignored) {
        // Closed or reset: the connection is over.
      }
    });
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static String randomName(Random random) {
    return "v" + Integer.toHexString(random.nextInt());
  }

  private static byte[] randomBytes(Random random, int maxBytes) {
    byte[] bytes = new byte[random.nextInt(maxBytes + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
