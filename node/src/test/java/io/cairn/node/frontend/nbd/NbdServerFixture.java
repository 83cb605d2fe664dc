package io.cairn.node.frontend.nbd;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.cairn.node.volume.VolumeRegistry;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Starts an actor system and an NBD server on an ephemeral loopback port for one test class. */
final class NbdServerFixture implements AutoCloseable {

  final ActorSystem<Void> system;
  final NbdServer server;

  NbdServerFixture(VolumeRegistry volumes, String overrides) {
    Config config = ConfigFactory.parseString("cairn.nbd.port = 0\n" + overrides)
        .withFallback(ConfigFactory.load())
        .resolve();
    system = ActorSystem.create(Behaviors.empty(), "nbd-test", config);
    try {
      server = NbdServer.start(system, config, volumes).toCompletableFuture()
          .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop().toCompletableFuture().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture()
        .orTimeout(Duration.ofSeconds(20).toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
        .join();
  }
}
