package io.cairn.offload.dpu;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.cairn.offload.compress.Codec;
import io.cairn.offload.crypto.DataKey;
import io.cairn.offload.crypto.VolumeCipher;
import io.cairn.offload.dedup.Fingerprinter;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.offload.pipeline.ChunkPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.SecureRandom;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/** An actor system with a DPU tier of the given size, for tests. */
final class DpuTestKit implements AutoCloseable {

  final ActorTestKit testKit;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Dpu dpu;

  DpuTestKit(int threads, int queueDepth) {
    this(threads, queueDepth, "4s");
  }

  DpuTestKit(int threads, int queueDepth, String shutdownTimeout) {
    Config config = DpuSettings.applyTo(ConfigFactory.parseString(
            "cairn.dpu.threads = " + threads + "\n"
                + "cairn.dpu.queue-depth = " + queueDepth + "\n"
                + "cairn.dpu.shutdown-timeout = " + shutdownTimeout)
        .withFallback(ConfigFactory.load()));
    testKit = ActorTestKit.create("dpu-test", config);
    dpu = Dpu.start(testKit.system(), registry);
  }

  /** A codec with every data service on: dedup fingerprint, the given compression, AES-GCM. */
  static ChunkCodec codec(Codec compression) {
    SecureRandom random = new SecureRandom(new byte[] {1});
    byte[] domainKey = new byte[Fingerprinter.KEY_BYTES];
    random.nextBytes(domainKey);
    ChunkPolicy policy = ChunkPolicy.DEFAULT.withCompression(compression).withEncryption(true);
    return new ChunkCodec(7, policy, new Fingerprinter(domainKey),
        new VolumeCipher(7, DataKey.generate(random)));
  }

  @Override
  public void close() {
    testKit.shutdownTestKit();
  }
}
