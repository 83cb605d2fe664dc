package io.cairn.node.volume;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.cairn.node.meta.MetaStore;
import io.cairn.node.store.RocksShardStore;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/**
 * A one-node volume engine on real parts, in one JVM: six RocksDB shard stores and a metadata
 * RocksDB under a directory, the DPU tier on its own dispatcher, the master key file. Reopening a
 * rig on the same directory is a restart.
 */
final class VolumeRig implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(60);

  final Path dir;
  final ActorTestKit kit;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Dpu dpu;
  final MetaStore meta;
  final List<StoreDirectory> directories = new ArrayList<>();
  final List<RocksShardStore> shardStores = new ArrayList<>();
  final Stores stores;
  final ExecutorService io = Executors.newFixedThreadPool(8);
  final VolumeManager volumes;

  VolumeRig(Path dir) throws Exception {
    this(dir, 6, 1 << 20);
  }

  VolumeRig(Path dir, int storeCount, int segmentBytes) throws Exception {
    this.dir = dir;
    Config config = DpuSettings.applyTo(ConfigFactory.parseString(
        "cairn.dpu.threads = 1\ncairn.dpu.queue-depth = 64").withFallback(ConfigFactory.load()));
    kit = ActorTestKit.create("volume-test", config);
    dpu = Dpu.start(kit.system(), registry);
    meta = MetaStore.open(dir.resolve("meta"));
    for (int i = 1; i <= storeCount; i++) {
      StoreDirectory d = StoreDirectory.open("node-1/store-" + i, dir.resolve("store-" + i));
      directories.add(d);
      shardStores.add(RocksShardStore.open(d, 64 * 1024));
    }
    stores = new Stores("node-1", shardStores);
    KeyRing keys = KeyRingFile.loadOrCreate(dir.resolve("master.key"), new SecureRandom());
    volumes = new VolumeManager(kit.system(), meta, stores, dpu, io, keys,
        new LocalVolume.Settings(segmentBytes, 0.5, 1024, 256, 4096), registry);
    volumes.openAll();
  }

  LocalVolume create(String name, long sizeBytes, VolumePolicy policy) throws Exception {
    await(volumes.create(name, sizeBytes, 4096, policy));
    return volumes.local(name).orElseThrow();
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static ByteBuffer bytes(byte[] b) {
    return ByteBuffer.wrap(b);
  }

  static byte[] array(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Override
  public void close() throws Exception {
    kit.shutdownTestKit();
    io.shutdown();
    io.awaitTermination(30, TimeUnit.SECONDS);
    stores.close();
    meta.close();
    for (StoreDirectory d : directories) {
      d.close();
    }
  }
}
