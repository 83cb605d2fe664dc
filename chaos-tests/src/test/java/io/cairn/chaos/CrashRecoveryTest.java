package io.cairn.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cairn.node.frontend.nbd.NbdTestClient;
import io.cairn.protocol.nbd.NbdConstants;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with real processes: a node serves a volume over NBD, a verifying workload writes
 * to it (random offsets and sizes, several writes in flight, every acknowledged write remembered),
 * and the node is killed with SIGKILL at a random moment, then restarted on the same disks.
 *
 * <p>After every restart the whole volume is read back and checked: every acknowledged write is
 * there exactly; a block that an unacknowledged write touched holds either entirely its old or
 * entirely its new content. Writes in flight together never overlap, so each block has at most
 * one write in doubt. The number of cycles is {@code -Dcairn.crash.cycles} (20 in the suite;
 * scripts/soak-crash runs more); the run is reproducible from {@code -Dcairn.crash.seed}.
 */
class CrashRecoveryTest {

  private static final int VOLUME_BYTES = 16 << 20;
  private static final int BLOCK_BYTES = 4096;

  @TempDir Path dir;

  /** A write sent to the node: its range and bytes. */
  private record SentWrite(long offset, byte[] data) {
    long end() {
      return offset + data.length;
    }
  }

  @Test
  void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
    int cycles = Integer.getInteger("cairn.crash.cycles", 20);
    long seed = Long.getLong("cairn.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    SoloNode solo = SoloNode.write(dir, """
        cairn.node.name = "crash"
        # Small segments and a short idle time: crashes land during sealing too.
        cairn.volume.segment-bytes = 256 KiB
        cairn.volume.seal-idle = 300ms
        cairn.volume.compaction-interval = 2s
        cairn.volumes = [{ name = "crash", size = %d }]
        """.formatted(VOLUME_BYTES));
    int httpPort = solo.httpPort();
    int nbdPort = solo.nbdPort();

    byte[] model = new byte[VOLUME_BYTES];
    List<SentWrite> inDoubt = List.of();
    long acknowledged = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      try (CairnProcess node = solo.start(dir)) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
            .until(() -> CairnProcess.statusOf(httpPort, "/ready") == 200);
        try (NbdTestClient client = NbdTestClient.open(nbdPort, "crash", true, false)) {
          verify(client, model, inDoubt, "seed " + seed + ", cycle " + cycle);
        }
        Workload workload = new Workload(nbdPort, model, new Random(random.nextLong()));
        Thread thread = new Thread(workload, "workload");
        thread.start();
        Thread.sleep(300 + random.nextInt(1700));
        node.kill();
        thread.join(30_000);
        assertThat(workload.unexpected).as("seed " + seed + ": NBD errors").isNull();
        inDoubt = workload.inFlight();
        acknowledged += workload.acknowledged;
      }
    }
    try (CairnProcess node = solo.start(dir)) {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
          .until(() -> CairnProcess.statusOf(httpPort, "/ready") == 200);
      try (NbdTestClient client = NbdTestClient.open(nbdPort, "crash", true, false)) {
        verify(client, model, inDoubt, "seed " + seed + ", final");
      }
    }
    assertThat(acknowledged).as("writes acknowledged across all cycles").isGreaterThan(cycles);
  }

  /**
   * Reads the whole volume: blocks no write in doubt touched must equal the model; the others
   * must be entirely old or entirely new, and the model adopts what was found.
   */
  private static void verify(NbdTestClient client, byte[] model, List<SentWrite> inDoubt,
      String context) throws IOException {
    byte[] actual = new byte[VOLUME_BYTES];
    int chunk = 1 << 20;
    for (int off = 0; off < VOLUME_BYTES; off += chunk) {
      NbdTestClient.Reply reply = client.read(off, chunk);
      assertThat(reply.error()).as(context + ": read error at " + off).isZero();
      System.arraycopy(reply.data(), 0, actual, off, chunk);
    }
    Map<Integer, SentWrite> doubtByBlock = new HashMap<>();
    for (SentWrite w : inDoubt) {
      for (long b = w.offset() / BLOCK_BYTES; b <= (w.end() - 1) / BLOCK_BYTES; b++) {
        doubtByBlock.put((int) b, w);
      }
    }
    for (int b = 0; b < VOLUME_BYTES / BLOCK_BYTES; b++) {
      int from = b * BLOCK_BYTES;
      byte[] old = Arrays.copyOfRange(model, from, from + BLOCK_BYTES);
      byte[] got = Arrays.copyOfRange(actual, from, from + BLOCK_BYTES);
      SentWrite w = doubtByBlock.get(b);
      if (w == null) {
        assertThat(got).as(context + ": acknowledged content of block " + b).isEqualTo(old);
        continue;
      }
      byte[] updated = old.clone();
      long lo = Math.max(from, w.offset());
      long hi = Math.min(from + BLOCK_BYTES, w.end());
      System.arraycopy(w.data(), (int) (lo - w.offset()), updated, (int) (lo - from),
          (int) (hi - lo));
      assertThat(Arrays.equals(got, old) || Arrays.equals(got, updated))
          .as(context + ": block " + b + " is entirely old or entirely new").isTrue();
      System.arraycopy(got, 0, model, from, BLOCK_BYTES);
    }
  }

  /**
   * Writes until the node dies: batches of up to 8 non-overlapping writes in flight, applying
   * each to the model when (and only when) the node acknowledges it.
   */
  private static final class Workload implements Runnable {
    final int port;
    final byte[] model;
    final Random random;
    final Map<Long, SentWrite> sent = new HashMap<>();
    volatile long acknowledged;
    volatile String unexpected;

    Workload(int port, byte[] model, Random random) {
      this.port = port;
      this.model = model;
      this.random = random;
    }

    @Override
    public void run() {
      try (NbdTestClient client = NbdTestClient.open(port, "crash", true, false)) {
        while (true) {
          List<SentWrite> batch = nonOverlapping(1 + random.nextInt(8));
          for (SentWrite w : batch) {
            long handle = client.send(NbdConstants.CMD_WRITE,
                random.nextInt(4) == 0 ? NbdConstants.CMD_FLAG_FUA : 0, w.offset(),
                w.data().length, w.data());
            synchronized (sent) {
              sent.put(handle, w);
            }
          }
          for (int i = 0; i < batch.size(); i++) {
            NbdTestClient.Reply reply = client.readReply();
            SentWrite w;
            synchronized (sent) {
              w = sent.remove(reply.handle());
            }
            if (reply.error() != 0) {
              unexpected = "write at " + w.offset() + " failed with error " + reply.error();
              return;
            }
            System.arraycopy(w.data(), 0, model, (int) w.offset(), w.data().length);
            acknowledged++;
          }
        }
      } catch (IOException killed) {
        // The node was killed: whatever was not acknowledged is in doubt.
      }
    }

    List<SentWrite> inFlight() {
      synchronized (sent) {
        return new ArrayList<>(sent.values());
      }
    }

    private List<SentWrite> nonOverlapping(int count) {
      List<SentWrite> out = new ArrayList<>();
      while (out.size() < count) {
        boolean aligned = random.nextBoolean();
        int length = aligned ? BLOCK_BYTES * (1 + random.nextInt(16)) : 1 + random.nextInt(65536);
        long offset = aligned
            ? (long) BLOCK_BYTES * random.nextInt((VOLUME_BYTES - length) / BLOCK_BYTES)
            : random.nextInt(VOLUME_BYTES - length);
        byte[] data = new byte[length];
        random.nextBytes(data);
        if (random.nextInt(3) == 0) {
          Arrays.fill(data, 0, length / 2, (byte) (random.nextInt(4))); // some compressible runs
        }
        SentWrite w = new SentWrite(offset, data);
        // Blocks, not bytes: two writes in doubt must not share a block.
        boolean clash = out.stream().anyMatch(o ->
            o.offset() / BLOCK_BYTES <= (w.end() - 1) / BLOCK_BYTES
                && w.offset() / BLOCK_BYTES <= (o.end() - 1) / BLOCK_BYTES);
        if (!clash) {
          out.add(w);
        }
      }
      return out;
    }
  }
}
