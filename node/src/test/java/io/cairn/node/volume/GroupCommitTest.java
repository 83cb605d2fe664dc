package io.cairn.node.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.node.SerialExecutor;
import io.cairn.node.meta.MetaStore;
import io.cairn.node.volume.VolumeData.BlockUpdate;
import io.cairn.offload.dedup.Fingerprint;
import io.cairn.offload.pipeline.Chunk;
import io.cairn.protocol.segment.VolumeState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The group commit takes writes in any order (each as its encoding completes, on whatever thread)
 * and still commits and acknowledges them in sequence order: a write to a block that a later
 * write overwrites must never end up as the block's content.
 */
class GroupCommitTest {

  private static final long VOLUME = 7;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void writesOfferedOutOfOrderFromManyThreadsCommitInSequenceOrder(long seed) throws Exception {
    int writes = 200;
    ExecutorService io = Executors.newFixedThreadPool(2);
    ExecutorService offering = Executors.newFixedThreadPool(4);
    try (MetaStore meta = MetaStore.open(dir.resolve("meta-" + seed))) {
      VolumeData data = new VolumeData(VOLUME, false, meta,
          VolumeState.newBuilder().setNextChunkNumber(1).build(), 1 << 20, 16, seg -> { });
      List<Long> acknowledged = new CopyOnWriteArrayList<>();
      GroupCommit commit = new GroupCommit(new SerialExecutor(io), data, 8, (n, nanos) -> { },
          VOLUME, new BlockCache(0), t -> t, outcome -> { });

      // Every write goes to one of four blocks, so later writes overwrite earlier ones; they are
      // offered in a shuffled order from four threads at once.
      List<GroupCommit.Entry> entries = new ArrayList<>();
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (long seq = 1; seq <= writes; seq++) {
        CompletableFuture<Void> d = new CompletableFuture<>();
        long s = seq;
        done.add(d.thenRun(() -> acknowledged.add(s)));
        ByteBuffer payload = ByteBuffer.allocate(Long.BYTES).putLong(0, seq);
        Chunk chunk = new Chunk(new Fingerprint(seq, 0, 0, 0), payload);
        entries.add(new GroupCommit.Entry(seq, List.of(new BlockUpdate(seq % 4, chunk, 4096)),
            Collections.singletonList(null), null, d, null));
      }
      Collections.shuffle(entries, new Random(seed));
      for (GroupCommit.Entry e : entries) {
        offering.execute(() -> commit.offer(e));
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

      assertThat(acknowledged).as("acknowledged in sequence order").isSorted().hasSize(writes);
      assertThat(data.state().getSequence()).isEqualTo(writes);
      for (long block = 0; block < 4; block++) {
        long lastWriter = writes - ((writes - block) % 4);
        byte[] chunkNumber = meta.get(MetaStore.Table.BLOCK_MAP, VolumeKeys.block(VOLUME, block));
        byte[] payload = meta.get(MetaStore.Table.JOURNAL,
            VolumeKeys.chunk(VOLUME, VolumeKeys.longOf(chunkNumber)));
        assertThat(ByteBuffer.wrap(payload).getLong()).as("content of block %d", block)
            .isEqualTo(lastWriter);
      }
    } finally {
      offering.shutdownNow();
      io.shutdownNow();
    }
  }
}
