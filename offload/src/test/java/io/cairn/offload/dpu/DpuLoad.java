package io.cairn.offload.dpu;

import io.cairn.offload.compress.Codec;
import io.cairn.offload.ec.ReedSolomon;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.offload.pipeline.SegmentCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the DPU tier saturated with the work of a busy node: chunk encoding (zstd + AES-256-GCM
 * of 64 × 4 KiB blocks) and segment sealing (RS(4,2) of 1 MiB), at most {@code outstanding} jobs
 * in flight. Counts the bytes done.
 */
final class DpuLoad implements AutoCloseable {

  private final Dpu dpu;
  private final Semaphore slots;
  private final AtomicLong bytesDone = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Thread feeder;
  private volatile boolean running = true;

  DpuLoad(Dpu dpu, int outstanding) {
    this.dpu = dpu;
    this.slots = new Semaphore(outstanding);
    this.feeder = new Thread(this::feed, "dpu-load-feeder");
    feeder.setDaemon(true);
    feeder.start();
  }

  private void feed() {
    ChunkCodec chunks = DpuTestKit.codec(Codec.ZSTD);
    SegmentCodec segments = new SegmentCodec(ReedSolomon.create(4, 2), 1 << 20);
    Random random = new Random(11);
    List<ByteBuffer> blocks = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      byte[] b = new byte[4096];
      for (int j = 0; j < b.length; j += 8) {
        b[j] = (byte) random.nextInt(); // compressible, not trivially
      }
      blocks.add(ByteBuffer.wrap(b));
    }
    byte[] segment = new byte[1 << 20];
    random.nextBytes(segment);
    long jobs = 0;
    while (running) {
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        return;
      }
      CompletionStage<?> stage;
      long bytes;
      if (jobs++ % 2 == 0) {
        stage = dpu.encodeBlocks(chunks, blocks);
        bytes = 64 * 4096;
      } else {
        stage = dpu.sealSegment(segments, ByteBuffer.wrap(segment));
        bytes = segment.length;
      }
      stage.whenComplete((r, e) -> {
        slots.release();
        if (e == null) {
          bytesDone.addAndGet(bytes);
        } else {
          refused.incrementAndGet();
        }
      });
    }
  }

  long bytesDone() {
    return bytesDone.get();
  }

  long refused() {
    return refused.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    feeder.interrupt();
    feeder.join(5000);
  }
}
