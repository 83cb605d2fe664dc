package io.cairn.node.volume;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.cairn.node.meta.MetaStore;
import io.cairn.node.store.FileShardStore;
import io.cairn.node.store.RocksShardStore;
import io.cairn.node.store.ShardStore;
import io.cairn.node.store.StoreDirectory;
import io.cairn.node.store.Stores;
import io.cairn.offload.crypto.KeyRing;
import io.cairn.offload.crypto.KeyRingFile;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.dpu.DpuSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * A one-node volume engine on real parts, in one JVM: six RocksDB shard stores and a metadata
 * RocksDB under a directory, the DPU tier on its own dispatcher, blocking work on the node's I/O
 * dispatcher, the master key file. Reopening a rig on the same directory is a restart. Settings
 * are the node's (reference.conf) unless overridden. Used by the component tests and by the
 * volume benchmark (scripts/bench-volume).
 */
public final class VolumeRig implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(60);

  public final Path dir;
  public final ActorTestKit kit;
  public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  public final Dpu dpu;
  final MetaStore meta;
  final List<StoreDirectory> directories = new ArrayList<>();
  final List<ShardStore> shardStores = new ArrayList<>();
  final Stores stores;
  public final VolumeManager volumes;

  /**
   * The rig of the component tests: a one-thread DPU tier and no block cache (they test what the
   * stores hold: every read goes to them), the node's other defaults.
   */
  VolumeRig(Path dir) throws Exception {
    this(dir, component(""));
  }

  /** The component tests' settings (see {@link #VolumeRig(Path)}) with {@code settings} on top. */
  static Config component(String settings) {
    return ConfigFactory.parseString(settings).withFallback(ConfigFactory.parseString(
        "cairn.dpu.threads = 1\ncairn.dpu.queue-depth = 64\ncairn.volume.cache-bytes = 0"));
  }

  /** A rig with the node's settings, {@code overrides} on top. */
  public VolumeRig(Path dir, Config overrides) throws Exception {
    this.dir = dir;
    Config config = DpuSettings.applyTo(overrides.withFallback(ConfigFactory.load()));
    kit = ActorTestKit.create("volume-rig", config);
    dpu = Dpu.start(kit.system(), registry);
    meta = MetaStore.open(dir.resolve("meta"));
    int pageBytes = (int) config.getBytes("cairn.store.page-bytes").longValue();
    for (int i = 1; i <= 6; i++) {
      StoreDirectory d = StoreDirectory.open("node-1/store-" + i, dir.resolve("store-" + i));
      directories.add(d);
      shardStores.add(Stores.open(d, pageBytes,
          Stores.Format.valueOf(config.getString("cairn.store.format").toUpperCase())));
    }
    stores = new Stores("node-1", shardStores);
    KeyRing keys = KeyRingFile.loadOrCreate(dir.resolve("master.key"), new SecureRandom());
    Config v = config.getConfig("cairn.volume");
    LocalVolume.Settings settings = new LocalVolume.Settings(
        (int) v.getBytes("segment-bytes").longValue(), v.getInt("seal-parallelism"),
        v.getDouble("compaction-live-fraction"),
        v.getInt("stash-capacity"), v.getInt("group-max"), v.getInt("in-flight-max"),
        v.getBytes("cache-bytes"), v.getBytes("journal-tail-bytes"),
        (int) v.getBytes("direct-write-bytes").longValue(), v.getInt("row-cache-blocks"));
    Executor io = kit.system().dispatchers()
        .lookup(DispatcherSelector.fromConfig("cairn.io.dispatcher"));
    volumes = new VolumeManager(kit.system(), meta, stores, dpu, io, keys, settings, registry);
    volumes.openAll();
  }

  LocalVolume create(String name, long sizeBytes, VolumePolicy policy) throws Exception {
    await(volumes.create(name, sizeBytes, 4096, policy));
    return volumes.local(name).orElseThrow();
  }

  /** Flips bits in a stored page of store {@code index} (0-based), whatever its format. */
  boolean corruptPage(int index, long segmentId, int shardIndex, int page) throws Exception {
    ShardStore store = shardStores.get(index);
    if (store instanceof FileShardStore f) {
      return f.corruptPage(segmentId, shardIndex, page);
    }
    return ((RocksShardStore) store).corruptPage(segmentId, shardIndex, page);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Awaits every stage in order, then empties the list for the next batch. */
  static void awaitAll(List<? extends CompletionStage<?>> stages) throws Exception {
    for (CompletionStage<?> stage : stages) {
      await(stage);
    }
    stages.clear();
  }

  /**
   * Holds the volume's lane: nothing queued behind this (commits, seals, compaction records)
   * runs until the returned latch is counted down.
   */
  static CountDownLatch holdLane(LocalVolume v) {
    CountDownLatch held = new CountDownLatch(1);
    v.lane().submit(() -> {
      held.await();
      return null;
    });
    return held;
  }

  /** Rows of the volume's journal table. */
  long journalRows(LocalVolume v) {
    long[] rows = {0};
    meta.scan(MetaStore.Table.JOURNAL, VolumeKeys.volume(v.id()), (k, val) -> rows[0]++);
    return rows[0];
  }

  /** Shard files in all six stores. */
  long shardCount() {
    return shardStores.stream().mapToLong(ShardStore::shardCount).sum();
  }

  /** {@code n} bytes of seeded random data. */
  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static ByteBuffer bytes(byte[] b) {
    return ByteBuffer.wrap(b);
  }

  static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  /** Stops the actor system first (no lane task can still run), then closes the databases. */
  @Override
  public void close() throws Exception {
    kit.shutdownTestKit();
    stores.close();
    meta.close();
    for (StoreDirectory d : directories) {
      d.close();
    }
  }
}
