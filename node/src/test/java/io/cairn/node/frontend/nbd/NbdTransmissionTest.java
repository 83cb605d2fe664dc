package io.cairn.node.frontend.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.node.volume.VolumeException;
import io.cairn.protocol.nbd.NbdConstants;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NbdTransmissionTest {

  private static final int MIB = 1 << 20;
  private static final InMemoryVolumeRegistry volumes = new InMemoryVolumeRegistry();
  private static NbdServerFixture fixture;

  @BeforeAll
  static void start() {
    volumes.add("data", 16L * MIB);
    volumes.add("gated", 16L * MIB);
    volumes.add("failing", 16L * MIB);
    volumes.add("budget", 256L * MIB);
    fixture = new NbdServerFixture(volumes,
        "cairn.nbd.max-in-flight-requests = 8\ncairn.nbd.max-in-flight-bytes = 40 MiB");
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static byte[] random(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @ParameterizedTest(name = "structured replies {0}")
  @ValueSource(booleans = {false, true})
  void writesReadBackAtUnalignedOffsets(boolean structured) throws Exception {
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "data", structured, false)) {
      byte[] data = random(12_345, 1);
      assertThat(client.write(1_000_003, data).error()).isZero();
      NbdTestClient.Reply reply = client.read(1_000_003, data.length);
      assertThat(reply.error()).isZero();
      assertThat(reply.structured()).isEqualTo(structured);
      assertThat(reply.data()).isEqualTo(data);
    }
  }

  @Test
  void readPastTheEndIsEinvalAndWritePastTheEndIsEnospcWithItsPayloadSkipped() throws Exception {
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "data", false, false)) {
      assertThat(client.read(16L * MIB - 10, 11).error()).isEqualTo(NbdConstants.EINVAL);
      assertThat(client.call(NbdConstants.CMD_READ, 0, -4096, 512, null).error())
          .as("offset 2^64-4096 is unsigned, not negative").isEqualTo(NbdConstants.EINVAL);
      assertThat(client.write(16L * MIB - 10, new byte[4096]).error()).isEqualTo(NbdConstants.ENOSPC);
      // The refused payload was consumed, so the stream is still framed correctly.
      assertThat(client.write(0, new byte[] {1, 2, 3}).error()).isZero();
      assertThat(client.read(0, 3).data()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void zeroLengthsUnknownCommandsAndStrayFlagsAreEinval() throws Exception {
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "data", true, false)) {
      assertThat(client.read(0, 0).error()).isEqualTo(NbdConstants.EINVAL);
      assertThat(client.call(NbdConstants.CMD_TRIM, 0, 0, 0, null).error()).isEqualTo(NbdConstants.EINVAL);
      assertThat(client.call(42, 0, 0, 512, null).error()).isEqualTo(NbdConstants.EINVAL);
      assertThat(client.call(NbdConstants.CMD_READ, NbdConstants.CMD_FLAG_REQ_ONE, 0, 512, null).error())
          .isEqualTo(NbdConstants.EINVAL);
      assertThat(client.call(NbdConstants.CMD_FLUSH, 0, 4096, 0, null).error()).isEqualTo(NbdConstants.EINVAL);
      assertThat(client.call(NbdConstants.CMD_BLOCK_STATUS, 0, 0, 4096, null).error())
          .as("no metadata context was selected").isEqualTo(NbdConstants.EINVAL);
      assertThat(client.read(0, 33 * MIB).error()).isEqualTo(NbdConstants.EINVAL);
      assertThat(client.read(0, 512).error()).isZero();
    }
  }

  @Test
  void aWriteLargerThanTheMaximumPayloadIsRefusedAndTheConnectionClosedUnread() throws Exception {
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "data", false, false)) {
      client.send(NbdConstants.CMD_WRITE, 0, 0, 0xFFFF_FFF0L, null);
      assertThat(client.readReply().error()).isEqualTo(NbdConstants.EINVAL);
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void trimAndWriteZeroesReadAsZeroAndShowAsHoles() throws Exception {
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "data", true, true)) {
      client.write(4 * MIB, random(64 * 1024, 3));
      assertThat(client.call(NbdConstants.CMD_TRIM, 0, 4 * MIB, 16384, null).error()).isZero();
      assertThat(client.call(NbdConstants.CMD_WRITE_ZEROES,
          NbdConstants.CMD_FLAG_NO_HOLE | NbdConstants.CMD_FLAG_FAST_ZERO | NbdConstants.CMD_FLAG_FUA,
          4 * MIB + 32768, 16384, null).error()).isZero();
      byte[] back = client.read(4 * MIB, 64 * 1024).data();
      assertThat(Arrays.copyOfRange(back, 0, 16384)).containsOnly(0);
      assertThat(Arrays.copyOfRange(back, 32768, 49152)).containsOnly(0);
      assertThat(Arrays.copyOfRange(back, 16384, 32768)).isEqualTo(
          Arrays.copyOfRange(random(64 * 1024, 3), 16384, 32768));

      NbdTestClient.Reply status = client.call(NbdConstants.CMD_BLOCK_STATUS, 0, 4 * MIB, 65536, null);
      assertThat(status.error()).isZero();
      int holeZero = NbdConstants.STATE_HOLE | NbdConstants.STATE_ZERO;
      assertThat(status.descriptors()).extracting(d -> d[0] + ":" + d[1]).containsExactly(
          "16384:" + holeZero, "16384:0", "16384:" + holeZero, "16384:0");

      NbdTestClient.Reply one = client.call(NbdConstants.CMD_BLOCK_STATUS,
          NbdConstants.CMD_FLAG_REQ_ONE, 4 * MIB, 65536, null);
      assertThat(one.descriptors()).hasSize(1);
    }
  }

  @Test
  void fuaReachesTheVolumeAndFlushIsForwarded() throws Exception {
    InMemoryBlockVolume volume = (InMemoryBlockVolume) volumes.find("data").orElseThrow();
    int fuaBefore = volume.fuaWrites.get();
    int flushesBefore = volume.flushes.get();
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "data", false, false)) {
      assertThat(client.call(NbdConstants.CMD_WRITE, NbdConstants.CMD_FLAG_FUA, 0, 4, new byte[4]).error())
          .isZero();
      assertThat(client.flush().error()).isZero();
    }
    assertThat(volume.fuaWrites.get()).isEqualTo(fuaBefore + 1);
    assertThat(volume.flushes.get()).isEqualTo(flushesBefore + 1);
  }

  @Test
  void repliesOvertakeASlowWriteAndNothingIsAcknowledgedBeforeTheVolumeCompletes() throws Exception {
    InMemoryBlockVolume volume = (InMemoryBlockVolume) volumes.find("gated").orElseThrow();
    CompletableFuture<Void> gate = volume.closeWriteGate();
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "gated", true, false)) {
      long slowWrite = client.send(NbdConstants.CMD_WRITE, 0, 0, 4096, random(4096, 9));
      long read = client.send(NbdConstants.CMD_READ, 0, 8192, 512, null);
      NbdTestClient.Reply first = client.readReply();
      assertThat(first.handle()).isEqualTo(read);
      client.socket.setSoTimeout(500);
      assertThat(client.closedByServer()).as("no reply while the write is held").isFalse();
      client.socket.setSoTimeout(10_000);
      gate.complete(null);
      NbdTestClient.Reply second = client.readReply();
      assertThat(second.handle()).isEqualTo(slowWrite);
      assertThat(second.error()).isZero();
    } finally {
      gate.complete(null);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"OUT_OF_RANGE", "INVALID_ARGUMENT", "NO_SPACE", "IO_ERROR", "BUSY", "NOT_AVAILABLE"})
  void volumeFailuresMapToNbdErrorsByKind(String kindName) throws Exception {
    VolumeException.Kind kind = VolumeException.Kind.valueOf(kindName);
    InMemoryBlockVolume volume = (InMemoryBlockVolume) volumes.find("failing").orElseThrow();
    volume.failWith(kind);
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "failing", true, false)) {
      int expectedWrite = switch (kind) {
        case OUT_OF_RANGE, NO_SPACE -> NbdConstants.ENOSPC;
        case INVALID_ARGUMENT -> NbdConstants.EINVAL;
        case IO_ERROR, BUSY -> NbdConstants.EIO;
        case NOT_AVAILABLE -> NbdConstants.ESHUTDOWN;
      };
      assertThat(client.write(0, new byte[512]).error()).isEqualTo(expectedWrite);
      int expectedRead = kind == VolumeException.Kind.OUT_OF_RANGE ? NbdConstants.EINVAL : expectedWrite;
      assertThat(client.read(0, 512).error()).isEqualTo(expectedRead);
    } finally {
      volume.failWith(null);
    }
  }

  @Test
  void twoConnectionsSeeEachOthersFlushedWrites() throws Exception {
    try (NbdTestClient a = NbdTestClient.open(fixture.port(), "data", true, false);
        NbdTestClient b = NbdTestClient.open(fixture.port(), "data", false, false)) {
      assertThat(a.transmissionFlags & NbdConstants.FLAG_CAN_MULTI_CONN).isNotZero();
      byte[] data = random(8192, 11);
      a.write(8 * MIB, data);
      a.flush();
      assertThat(b.read(8 * MIB, 8192).data()).isEqualTo(data);
      b.write(8 * MIB + 100, new byte[] {9});
      b.flush();
      assertThat(a.read(8 * MIB + 100, 1).data()).containsExactly(9);
    }
  }

  @Test
  void disconnectAnswersEveryOutstandingRequestFirst() throws Exception {
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "data", false, false)) {
      for (int i = 0; i < 20; i++) {
        client.send(NbdConstants.CMD_WRITE, 0, i * 4096L, 4096, random(4096, i));
      }
      client.disconnect();
      for (int i = 0; i < 20; i++) {
        assertThat(client.readReply().error()).isZero();
      }
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void aClientVanishingMidWriteLeavesNothingWrittenAndOthersAreServed() throws Exception {
    InMemoryBlockVolume volume = (InMemoryBlockVolume) volumes.find("data").orElseThrow();
    int writesBefore = volume.writesStarted.get();
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "data", false, false)) {
      client.writeRaw(new io.cairn.protocol.nbd.NbdRequest(0, NbdConstants.CMD_WRITE, 77,
          12 * MIB, 65536).encode().array());
      client.writeRaw(new byte[30_000]);
    }
    try (NbdTestClient other = NbdTestClient.open(fixture.port(), "data", false, false)) {
      assertThat(other.read(12 * MIB, 65536).data()).containsOnly(0);
    }
    assertThat(volume.writesStarted.get()).isEqualTo(writesBefore);
  }

  @Test
  void wrongRequestMagicClosesOnlyThatConnection() throws Exception {
    try (NbdTestClient good = NbdTestClient.open(fixture.port(), "data", false, false);
        NbdTestClient bad = NbdTestClient.open(fixture.port(), "data", false, false)) {
      bad.writeRaw(new byte[28]);
      assertThat(bad.closedByServer()).isTrue();
      assertThat(good.read(0, 512).error()).isZero();
    }
  }

  @Test
  void inFlightBytesAndRequestsStayWithinTheirBoundsAndTheSocketIsNotRead() throws Exception {
    InMemoryBlockVolume volume = (InMemoryBlockVolume) volumes.find("budget").orElseThrow();
    CompletableFuture<Void> gate = volume.closeWriteGate();
    int writes = 24;
    int writeBytes = 8 * MIB;
    try (NbdTestClient client = NbdTestClient.open(fixture.port(), "budget", false, false)) {
      Thread sender = new Thread(() -> {
        try {
          for (int i = 0; i < writes; i++) {
            client.send(NbdConstants.CMD_WRITE, 0, (long) i * writeBytes, writeBytes, new byte[writeBytes]);
          }
        } catch (Exception ignored) {
          // The test fails below if the writes did not all arrive.
        }
      });
      sender.start();
      // 40 MiB budget: five 8 MiB writes fit, the sixth must wait for a reply.
      await().atMost(Duration.ofSeconds(10)).until(() -> volume.writesStarted.get() == 5);
      Thread.sleep(500);
      assertThat(volume.writesStarted.get()).isEqualTo(5);
      assertThat(sender.isAlive()).as("the sender is blocked by TCP back-pressure").isTrue();
      gate.complete(null);
      for (int i = 0; i < writes; i++) {
        assertThat(client.readReply().error()).isZero();
      }
      sender.join(10_000);
    } finally {
      gate.complete(null);
    }
    assertThat(volume.writeBytesInFlightMax.get()).isLessThanOrEqualTo(40L * MIB);
    assertThat(volume.writesInFlightMax.get()).isLessThanOrEqualTo(8);
  }

  @Test
  void stopLetsInFlightRequestsFinish() throws Exception {
    InMemoryVolumeRegistry own = new InMemoryVolumeRegistry();
    InMemoryBlockVolume volume = own.add("v", MIB);
    CompletableFuture<Void> gate = volume.closeWriteGate();
    NbdServerFixture local = new NbdServerFixture(own, "");
    try (NbdTestClient client = NbdTestClient.open(local.port(), "v", false, false)) {
      client.send(NbdConstants.CMD_WRITE, 0, 0, 4, new byte[] {1, 2, 3, 4});
      await().atMost(Duration.ofSeconds(5)).until(() -> volume.writesStarted.get() == 1);
      CompletableFuture<?> stopped = local.server.stop().toCompletableFuture();
      Thread.sleep(200);
      gate.complete(null);
      assertThat(client.readReply().error()).isZero();
      stopped.join();
      assertThat(client.closedByServer()).isTrue();
    } finally {
      gate.complete(null);
      local.system.terminate();
    }
    assertThat(volume.contents(0, 4)).containsExactly(1, 2, 3, 4);
    assertThat(List.of(volume.writesInFlight.get())).containsExactly(0);
  }
}
