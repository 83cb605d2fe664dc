package io.cairn.node;

import io.cairn.node.admin.AdminRoutes.Readiness;
import io.cairn.node.admin.AdminSettings;
import io.cairn.node.admin.ApiToken;
import io.cairn.node.admin.JvmMeters;
import io.cairn.node.admin.ManagementApi;
import io.cairn.node.admin.NodeServices;
import io.cairn.node.cluster.ClusterStatus;
import org.apache.pekko.http.javadsl.server.Route;
import io.cairn.node.store.StoreDirectory;
import io.cairn.node.store.StoreDirectory.StoreOpenException;
import com.typesafe.config.Config;
import io.cairn.node.frontend.nbd.NbdServer;
import io.cairn.node.maintenance.LocalMaintenance;
import io.cairn.node.maintenance.MaintenanceService;
import io.cairn.node.meta.MetaStore;
import io.cairn.node.store.ShardStore;
import io.cairn.node.store.Stores;
import io.cairn.node.volume.LocalVolume;
import io.cairn.node.volume.VolumeManager;
import io.cairn.node.volume.VolumeSpec;
import io.cairn.offload.crypto.KeyRing;
import io.cairn.offload.crypto.KeyRingFile;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.dpu.DpuSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.DispatcherSelector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Cairn node: its stores, its actor system (a Pekko cluster member) and its HTTP
 * port. {@link #start} either returns a node that serves, or fails with a {@link ConfigProblem}
 * naming what stood in the way, having released everything it took.
 *
 * <p>Shutdown is Pekko's coordinated shutdown, started by SIGTERM (the JVM shutdown hook), by
 * {@link #close()}, or by the cluster downing this node: the HTTP port is unbound first, the
 * stores are closed last.
 */
public final class CairnNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CairnNode.class);

  private final NodeSettings settings;
  private final ActorSystem<Void> system;
  private final List<StoreDirectory> stores;
  private final ServerBinding httpBinding;
  private final VolumeManager volumes;
  private final Dpu dpu;
  private final PrometheusMeterRegistry registry;
  private final LocalMaintenance maintenance;
  private final Stores shardStores;
  private final NbdServer nbd;

  private CairnNode(
      NodeSettings settings, ActorSystem<Void> system, List<StoreDirectory> stores,
      ServerBinding httpBinding, VolumeManager volumes, Dpu dpu,
      PrometheusMeterRegistry registry, LocalMaintenance maintenance, Stores shardStores,
      NbdServer nbd) {
    this.settings = settings;
    this.system = system;
    this.stores = stores;
    this.httpBinding = httpBinding;
    this.volumes = volumes;
    this.dpu = dpu;
    this.registry = registry;
    this.maintenance = maintenance;
    this.shardStores = shardStores;
    this.nbd = nbd;
  }

  /** The port the NBD frontend listens on (the real one when 0 was configured). */
  public int nbdPort() {
    return nbd.port();
  }

  public VolumeManager volumes() {
    return volumes;
  }

  public Dpu dpu() {
    return dpu;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public LocalMaintenance maintenance() {
    return maintenance;
  }

  public Stores shardStores() {
    return shardStores;
  }

  public static CairnNode start(NodeSettings settings) throws ConfigProblem {
    Config config = settings.config();
    ensurePortFree(settings.httpHost(), settings.httpPort(), "cairn.http.port");
    ensurePortFree(settings.arteryHost(), settings.arteryPort(),
        "pekko.remote.artery.canonical.port");
    ensurePortFree(config.getString("cairn.nbd.host"), config.getInt("cairn.nbd.port"),
        "cairn.nbd.port");
    String unixSocket = config.getString("cairn.nbd.unix-socket");
    if (!unixSocket.isEmpty()) {
      try {
        NbdServer.checkUnixSocket(Path.of(unixSocket));
      } catch (NbdServer.UnixSocketUnavailable e) {
        throw new ConfigProblem(e.getMessage(), e);
      }
    }
    List<VolumeSpec> wanted = volumeSpecs(config);
    List<StoreDirectory> directories = openStores(settings);
    Resources resources = new Resources(directories);
    try {
      int pageBytes = (int) Math.min(Integer.MAX_VALUE, config.getBytes("cairn.store.page-bytes"));
      Stores.Format format = storeFormat(config);
      List<ShardStore> shardStores = new ArrayList<>();
      for (StoreDirectory d : directories) {
        try {
          shardStores.add(Stores.open(d, pageBytes, format));
        } catch (ShardStore.StoreException e) {
          throw new ConfigProblem(e.getMessage(), e);
        }
      }
      resources.stores = new Stores(settings.nodeName(), shardStores);
      Path metaDir = Path.of(config.getString("cairn.metadata-dir")).toAbsolutePath().normalize();
      try {
        resources.meta = MetaStore.open(metaDir);
      } catch (Exception e) {
        throw new ConfigProblem("metadata store " + metaDir + " (cairn.metadata-dir) cannot be "
            + "opened: " + rootMessage(e), e);
      }
      Path keyFile = Path.of(config.getString("cairn.keys.file")).toAbsolutePath().normalize();
      KeyRing keys;
      try {
        keys = KeyRingFile.loadOrCreate(keyFile, new SecureRandom());
      } catch (RuntimeException e) {
        throw new ConfigProblem("key file " + keyFile + " (cairn.keys.file) cannot be used: "
            + rootMessage(e), e);
      }

      ActorSystem<Void> system;
      try {
        system = ActorSystem.create(Behaviors.empty(), "cairn", DpuSettings.applyTo(config));
      } catch (RuntimeException e) {
        throw new ConfigProblem("cannot start the cluster member on " + settings.arteryHost()
            + ":" + settings.arteryPort() + ": " + rootMessage(e), e);
      }
      resources.system = system;
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Dpu dpu = Dpu.start(system, registry);
      Executor io = system.dispatchers().lookup(DispatcherSelector.fromConfig("cairn.io.dispatcher"));
      LocalVolume.Settings volumeSettings = new LocalVolume.Settings(
          (int) config.getBytes("cairn.volume.segment-bytes").longValue(),
          config.getInt("cairn.volume.seal-parallelism"),
          config.getDouble("cairn.volume.compaction-live-fraction"),
          config.getInt("cairn.volume.stash-capacity"),
          config.getInt("cairn.volume.group-max"),
          config.getInt("cairn.volume.in-flight-max"),
          config.getBytes("cairn.volume.cache-bytes"),
          config.getBytes("cairn.volume.journal-tail-bytes"),
          (int) Math.min(Integer.MAX_VALUE, config.getBytes("cairn.volume.direct-write-bytes")),
          config.getInt("cairn.volume.row-cache-blocks"));
      VolumeManager volumes = new VolumeManager(system, resources.meta, resources.stores, dpu, io,
          keys, volumeSettings, registry);
      try {
        volumes.openAll();
        for (VolumeSpec spec : wanted) {
          if (volumes.local(spec.name()).isEmpty()) {
            volumes.create(spec.name(), spec.sizeBytes(), spec.blockBytes(), spec.policy())
                .toCompletableFuture().get(settings.bindTimeout().toMillis(), TimeUnit.MILLISECONDS);
          }
        }
      } catch (ExecutionException e) {
        throw new ConfigProblem("cannot create the configured volumes (cairn.volumes): "
            + rootMessage(e), e);
      } catch (Exception e) {
        throw new ConfigProblem("cannot open the volumes: " + rootMessage(e), e);
      }
      LocalMaintenance maintenance = new LocalMaintenance(volumes, registry);
      scheduleBackground(system, config, volumes, maintenance);
      registerStoreMeters(registry, resources.stores);

      AtomicBoolean storesOpen = new AtomicBoolean(true);
      Resources owned = resources;
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-stores", () -> {
            storesOpen.set(false);
            owned.closeStorage();
            log.info("Cairn node {}: stores closed, stopped cleanly", settings.nodeName());
            return CompletableFuture.completedFuture(Done.getInstance());
          });

      Cluster cluster = Cluster.get(system);
      AdminSettings admin;
      String token;
      try {
        admin = AdminSettings.from(config);
        token = ApiToken.loadOrCreate(admin.tokenFile());
      } catch (com.typesafe.config.ConfigException | ApiToken.ApiTokenException e) {
        throw new ConfigProblem(e.getMessage(), e);
      }
      JvmMeters jvm = JvmMeters.bindTo(registry);
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "jvm-meters", () -> {
            jvm.close();
            return CompletableFuture.completedFuture(Done.getInstance());
          });
      Stores stores = resources.stores;
      NodeServices services = new NodeServices(
          settings.nodeName(),
          () -> new Readiness(cluster.selfMember().status() == MemberStatus.up(), storesOpen.get()),
          () -> clusterStatus(cluster, volumes, stores),
          stores::infos,
          volumes,
          maintenance,
          dpu,
          registry,
          token,
          admin.openReads());
      Route routes = ManagementApi.create(system, services, admin).routes();

      ServerBinding binding;
      try {
        binding = Http.get(system)
            .newServerAt(settings.httpHost(), settings.httpPort())
            .bind(routes)
            .toCompletableFuture()
            .get(settings.bindTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new ConfigProblem("cannot listen on " + settings.httpHost() + ":"
            + settings.httpPort() + " (cairn.http.port): " + rootMessage(e), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConfigProblem("interrupted while starting", e);
      }
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseServiceUnbind(), "http-unbind",
          () -> binding.unbind().thenApply(done -> Done.getInstance()));

      NbdServer nbd;
      try {
        nbd = NbdServer.start(system, config, volumes.registry()).toCompletableFuture()
            .get(settings.bindTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
          if (t instanceof NbdServer.UnixSocketUnavailable unix) {
            throw new ConfigProblem(unix.getMessage(), e); // names its setting and path already
          }
        }
        throw new ConfigProblem("cannot serve NBD on " + config.getString("cairn.nbd.host") + ":"
            + config.getInt("cairn.nbd.port") + " (cairn.nbd.port): " + rootMessage(e), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConfigProblem("interrupted while starting", e);
      }
      CoordinatedShutdown.get(system).addTask(
          CoordinatedShutdown.PhaseServiceUnbind(), "nbd-stop", nbd::stop);

      log.info("Cairn node {} started: http://{}:{}, nbd://{}:{}, cluster member {}:{}, "
              + "{} stores, {} volumes",
          settings.nodeName(), settings.httpHost(), binding.localAddress().getPort(),
          nbd.address().getHostString(), nbd.port(), settings.arteryHost(),
          settings.arteryPort(), directories.size(), volumes.localVolumes().size());
      for (LocalVolume v : volumes.localVolumes()) {
        String url = "nbd://" + nbd.address().getHostString() + ":" + nbd.port() + "/" + v.name();
        log.info("Volume {} ({} bytes) is exported as {}", v.name(), v.sizeBytes(), url);
        nbd.unixSocket().ifPresent(socket -> log.info("Volume {} is exported as nbd+unix:///{}"
            + "?socket={}", v.name(), v.name(), socket));
      }
      if (!volumes.localVolumes().isEmpty()) {
        String url = "nbd://" + nbd.address().getHostString() + ":" + nbd.port() + "/"
            + volumes.localVolumes().get(0).name();
        log.info("Attach it from a VM host:\n"
            + "  qemu-system-x86_64 -drive file={},format=raw,cache=none ...\n"
            + "  qemu-img info {}\n"
            + "  nbdinfo {}\n"
            + "  nbd-client -N {} {} {} /dev/nbd0   (Linux kernel client)\n"
            + "  fio --ioengine=nbd --uri={} --rw=randwrite --bs=4k --size=64m --name=t",
            url, url, url, volumes.localVolumes().get(0).name(), nbd.address().getHostString(),
            nbd.port(), url);
      }
      CairnNode node = new CairnNode(settings, system, directories, binding, volumes, dpu,
          registry, maintenance, resources.stores, nbd);
      resources = null;
      return node;
    } finally {
      if (resources != null) {
        resources.abandon();
      }
    }
  }

  /** What start() has opened so far, so that a failed start releases all of it. */
  private static final class Resources {
    final List<StoreDirectory> directories;
    Stores stores;
    MetaStore meta;
    ActorSystem<Void> system;

    Resources(List<StoreDirectory> directories) {
      this.directories = directories;
    }

    /** Closes the databases, then unlocks the store directories. */
    void closeStorage() {
      if (meta != null) {
        meta.close();
      }
      if (stores != null) {
        stores.close();
      }
      closeAll(directories);
    }

    void abandon() {
      if (system != null) {
        terminate(system);
      }
      closeStorage();
    }
  }

  private static Stores.Format storeFormat(Config config) throws ConfigProblem {
    String format = config.getString("cairn.store.format");
    return switch (format) {
      case "files" -> Stores.Format.FILES;
      case "rocksdb" -> Stores.Format.ROCKSDB;
      default -> throw new ConfigProblem("cairn.store.format must be files or rocksdb, got \""
          + format + "\"", null);
    };
  }

  private static List<VolumeSpec> volumeSpecs(Config config) throws ConfigProblem {
    List<VolumeSpec> specs = new ArrayList<>();
    List<? extends Config> entries = config.getConfigList("cairn.volumes");
    for (int i = 0; i < entries.size(); i++) {
      try {
        specs.add(VolumeSpec.from(entries.get(i), i));
      } catch (IllegalArgumentException e) {
        throw new ConfigProblem(e.getMessage(), e);
      }
    }
    return specs;
  }

  /**
   * The fault tolerance the cluster really has: the smallest parity count over the volumes (each
   * placed with the store as failure domain on one node), and no node failure while every shard
   * lives on this one node.
   */
  private static ClusterStatus clusterStatus(Cluster cluster, VolumeManager volumes,
      Stores stores) {
    List<ClusterStatus.Member> members = StreamSupport
        .stream(cluster.state().getMembers().spliterator(), false)
        .map(m -> new ClusterStatus.Member(m.address().toString(), m.status().toString(),
            List.copyOf(m.getRoles())))
        .toList();
    int storeFailures = volumes.localVolumes().stream()
        .mapToInt(v -> Math.min(v.policy().parityShards(),
            Math.max(0, stores.healthyCount() - v.policy().dataShards())))
        .min().orElse(0);
    int nodeFailures = 0;
    String summary = "survives " + storeFailures + " store failure"
        + (storeFailures == 1 ? "" : "s") + ", " + nodeFailures + " node failures";
    return new ClusterStatus(cluster.selfMember().address().toString(), members, storeFailures,
        nodeFailures, summary);
  }

  private static void scheduleBackground(ActorSystem<Void> system, Config config,
      VolumeManager volumes, LocalMaintenance maintenance) {
    Duration sealIdle = config.getDuration("cairn.volume.seal-idle");
    Duration compactionInterval = config.getDuration("cairn.volume.compaction-interval");
    Executor io = system.dispatchers().lookup(DispatcherSelector.fromConfig("cairn.io.dispatcher"));
    system.scheduler().scheduleAtFixedRate(Duration.ofMillis(500), Duration.ofMillis(500),
        () -> volumes.tick(sealIdle), system.executionContext());
    system.scheduler().scheduleAtFixedRate(compactionInterval, compactionInterval, () -> {
      try {
        maintenance.start(MaintenanceService.Kind.COMPACTION);
      } catch (IllegalStateException stillRunning) {
        // The previous round is still running: this tick has nothing to add.
      }
    }, (scala.concurrent.ExecutionContext) scala.concurrent.ExecutionContext.fromExecutor(io));
  }

  private static void registerStoreMeters(MeterRegistry registry, Stores stores) {
    for (ShardStore s : stores.all()) {
      Gauge.builder("cairn.store.capacity.bytes", s, ShardStore::capacityBytes)
          .tag("store", s.id()).baseUnit("bytes").register(registry);
      Gauge.builder("cairn.store.used.bytes", s, ShardStore::usedBytes)
          .tag("store", s.id()).baseUnit("bytes").register(registry);
      FunctionCounter.builder("cairn.store.errors", s, ShardStore::readErrors)
          .tag("store", s.id()).tag("kind", "read").register(registry);
      FunctionCounter.builder("cairn.store.errors", s, ShardStore::writeErrors)
          .tag("store", s.id()).tag("kind", "write").register(registry);
    }
  }

  public NodeSettings settings() {
    return settings;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return httpBinding.localAddress().getPort();
  }

  public List<StoreDirectory> stores() {
    return stores;
  }

  /** Blocks until the node has shut down, however that was started. */
  public void awaitTermination() throws InterruptedException {
    try {
      system.getWhenTerminated().toCompletableFuture().get();
    } catch (ExecutionException e) {
      log.warn("Actor system terminated with an error", e.getCause());
    }
  }

  @Override
  public void close() {
    terminate(system);
  }

  private static void terminate(ActorSystem<Void> system) {
    try {
      CoordinatedShutdown.get(system)
          .runAll(CoordinatedShutdown.unknownReason())
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Coordinated shutdown did not finish cleanly", e);
    }
  }

  private static List<StoreDirectory> openStores(NodeSettings settings) throws ConfigProblem {
    List<StoreDirectory> opened = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Path path : settings.storePaths()) {
      String id = settings.nodeName() + "/" + path.getFileName();
      if (!ids.add(id)) {
        closeAll(opened);
        throw new ConfigProblem("cairn.stores: two stores are named '" + path.getFileName()
            + "'; each store directory needs a distinct last path element");
      }
      try {
        opened.add(StoreDirectory.open(id, path));
      } catch (StoreOpenException e) {
        closeAll(opened);
        throw new ConfigProblem(e.getMessage(), e);
      }
    }
    return List.copyOf(opened);
  }

  private static void closeAll(List<StoreDirectory> stores) {
    for (StoreDirectory store : stores) {
      try {
        store.close();
      } catch (IOException e) {
        log.warn("Closing store {} failed", store.path(), e);
      }
    }
  }

  /**
   * Fails fast with a clear message when a configured port is taken, rather than with a bind
   * error deep inside Pekko. Port 0 (any free port) is always available.
   */
  private static void ensurePortFree(String host, int port, String setting) throws ConfigProblem {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new ConfigProblem("port " + port + " on " + host + " (" + setting
          + ") is not available: " + e.getMessage());
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
