package io.cairn.node.admin;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.cairn.node.cluster.ClusterStatus;
import io.cairn.node.store.StoreInfo;
import io.cairn.offload.compress.Codec;
import io.cairn.offload.crypto.DataKey;
import io.cairn.offload.crypto.VolumeCipher;
import io.cairn.offload.dedup.Fingerprinter;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.dpu.DpuSettings;
import io.cairn.offload.pipeline.ChunkCodec;
import io.cairn.offload.pipeline.ChunkPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The management plane on a real HTTP port (127.0.0.1, any free port), with a real DPU tier and
 * Prometheus registry, and test doubles of the volume and maintenance services. One actor system
 * per server; close it after use.
 */
public final class AdminTestServer implements AutoCloseable {

  public static final String TOKEN = "test-token-0123456789abcdefghijkl";
  public static final int STORES = 6;

  public final ActorSystem<Void> system;
  public final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  public final InMemoryVolumes volumes = new InMemoryVolumes(registry, STORES);
  public final PacedMaintenance maintenance;
  public final Dpu dpu;
  public final AtomicBoolean ready = new AtomicBoolean(true);
  public final AtomicReference<List<StoreInfo>> stores = new AtomicReference<>(stores());
  private final ServerBinding binding;
  private final ChunkCodec codec = codec();

  /** A server with the default test settings: reads need the token, scrubs take ~1 s. */
  public static AdminTestServer start() {
    return start(false, new PacedMaintenance(20, 50));
  }

  public static AdminTestServer start(boolean openReads, PacedMaintenance maintenance) {
    return new AdminTestServer(openReads, maintenance);
  }

  private AdminTestServer(boolean openReads, PacedMaintenance maintenance) {
    this.maintenance = maintenance;
    Config config = DpuSettings.applyTo(ConfigFactory.parseString(
            "cairn.dpu.threads = 1\npekko.loglevel = WARNING\n"
                + "cairn.api.rate-window = 2s\ncairn.api.rate-sample-interval = 250ms\n"
                + "cairn.api.operation-timeout = 2s\n")
        .withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "admin-test", config);
    dpu = Dpu.start(system, registry);
    NodeServices services = new NodeServices("node-t", () -> new AdminRoutes.Readiness(
            ready.get(), true),
        () -> new ClusterStatus("pekko://cairn@127.0.0.1:25520",
            List.of(new ClusterStatus.Member("pekko://cairn@127.0.0.1:25520", "Up",
                List.of("dc-default"))),
            2, 0, "survives 2 store failures, 0 node failures"),
        stores::get, volumes, maintenance, dpu, registry, TOKEN, openReads);
    ManagementApi api = ManagementApi.create(system, services, AdminSettings.from(config));
    try {
      binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(api.routes())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("cannot bind the test server", e);
    }
  }

  private static List<StoreInfo> stores() {
    List<StoreInfo> list = new ArrayList<>();
    for (int i = 1; i <= STORES; i++) {
      list.add(new StoreInfo("node-t/store-" + i, "/data/store-" + i, 100L << 30,
          (long) i << 30, (100L - i) << 30, 10L * i, "ok", 0, 0));
    }
    return List.copyOf(list);
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
  }

  /** Runs {@code blocks} 4 KiB blocks through the real DPU tier's chunk encoder. */
  public CompletionStage<?> dpuWork(int blocks, Random random) {
    List<ByteBuffer> list = new ArrayList<>();
    for (int i = 0; i < blocks; i++) {
      byte[] b = new byte[4096];
      // Half random, half zeroes: compressible, as real blocks often are.
      for (int j = 0; j < 2048; j++) {
        b[j] = (byte) random.nextInt();
      }
      list.add(ByteBuffer.wrap(b));
    }
    return dpu.encodeBlocks(codec, list);
  }

  private static ChunkCodec codec() {
    SecureRandom random = new SecureRandom(new byte[] {1});
    byte[] domainKey = new byte[Fingerprinter.KEY_BYTES];
    random.nextBytes(domainKey);
    ChunkPolicy policy = ChunkPolicy.DEFAULT.withCompression(Codec.LZ4).withEncryption(true);
    return new ChunkCodec(7, policy, new Fingerprinter(domainKey),
        new VolumeCipher(7, DataKey.generate(random)));
  }

  /** Shorthand for {@link InMemoryVolumes#io} with 1 ms reads. */
  public void io(String volume, int reads, int writes) {
    volumes.io(volume, reads, writes, 4096, Duration.ofMillis(1));
  }

  @Override
  public void close() {
    binding.unbind();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test actor system did not stop", e);
    }
  }
}
