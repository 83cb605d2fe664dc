package io.cairn.node;

import io.cairn.node.admin.AdminRoutes;
import io.cairn.node.admin.AdminRoutes.MemberView;
import io.cairn.node.admin.AdminRoutes.Readiness;
import io.cairn.node.store.StoreDirectory;
import io.cairn.node.store.StoreDirectory.StoreOpenException;
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

  private CairnNode(
      NodeSettings settings, ActorSystem<Void> system, List<StoreDirectory> stores,
      ServerBinding httpBinding) {
    this.settings = settings;
    this.system = system;
    this.stores = stores;
    this.httpBinding = httpBinding;
  }

  public static CairnNode start(NodeSettings settings) throws ConfigProblem {
    ensurePortFree(settings.httpHost(), settings.httpPort(), "cairn.http.port");
    ensurePortFree(settings.arteryHost(), settings.arteryPort(),
        "pekko.remote.artery.canonical.port");
    List<StoreDirectory> stores = openStores(settings);

    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), "cairn", settings.config());
    } catch (RuntimeException e) {
      closeAll(stores);
      throw new ConfigProblem("cannot start the cluster member on " + settings.arteryHost() + ":"
          + settings.arteryPort() + ": " + rootMessage(e), e);
    }
    AtomicBoolean storesOpen = new AtomicBoolean(true);
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-stores", () -> {
          storesOpen.set(false);
          closeAll(stores);
          log.info("Cairn node {}: stores closed, stopped cleanly", settings.nodeName());
          return CompletableFuture.completedFuture(Done.getInstance());
        });

    Cluster cluster = Cluster.get(system);
    AdminRoutes routes = new AdminRoutes(
        settings.nodeName(),
        () -> new Readiness(cluster.selfMember().status() == MemberStatus.up(), storesOpen.get()),
        () -> StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
            .map(m -> new MemberView(m.address().toString(), m.status().toString(),
                List.copyOf(m.getRoles())))
            .toList());

    ServerBinding binding;
    try {
      binding = Http.get(system)
          .newServerAt(settings.httpHost(), settings.httpPort())
          .bind(routes.routes())
          .toCompletableFuture()
          .get(settings.bindTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      terminate(system);
      throw new ConfigProblem("cannot listen on " + settings.httpHost() + ":"
          + settings.httpPort() + " (cairn.http.port): " + rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate(system);
      throw new ConfigProblem("interrupted while starting", e);
    }
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseServiceUnbind(), "http-unbind",
        () -> binding.unbind().thenApply(done -> Done.getInstance()));

    log.info("Cairn node {} started: http://{}:{}, cluster member {}:{}, {} stores",
        settings.nodeName(), settings.httpHost(), binding.localAddress().getPort(),
        settings.arteryHost(), settings.arteryPort(), stores.size());
    return new CairnNode(settings, system, stores, binding);
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
