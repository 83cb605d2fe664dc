package io.cairn.node.frontend.nbd;

import com.typesafe.config.Config;
import io.cairn.node.volume.VolumeRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NBD frontend of a node: serves the volumes of a {@link VolumeRegistry} as NBD exports over
 * TCP, one Pekko Streams flow per connection:
 * socket bytes → {@link NbdSessionStage} (framing, handshake, checks) → bounded
 * {@code mapAsyncUnordered} into the volume → replies → socket.
 *
 * <p>Guarantees: all stages run on the materializer's default dispatcher and never block it
 * (the volume is asynchronous); per connection, at most max-in-flight-requests requests and
 * max-in-flight-bytes payload bytes are held, and beyond that the socket is not read; at most
 * max-connections connections are served per listener; one client's bad input closes at most
 * its own connection.
 *
 * <p>Assumes: {@link VolumeRegistry#find} and {@link VolumeRegistry#list} are cheap and do not
 * block (they are called during negotiation on the stream's thread).
 */
public final class NbdServer {

  private static final Logger log = LoggerFactory.getLogger(NbdServer.class);
  /** Pending TCP connections the OS may queue while max-connections are being served. */
  private static final int LISTEN_BACKLOG = 128;

  private final NbdSettings settings;
  private final Tcp.ServerBinding binding;
  private final CompletionStage<Done> connectionsDone;
  private final CompletableFuture<Done> stopping;
  private final SharedKillSwitch cut;
  private final Optional<UnixSocketListener> unix;

  private NbdServer(
      NbdSettings settings,
      Tcp.ServerBinding binding,
      CompletionStage<Done> connectionsDone,
      CompletableFuture<Done> stopping,
      SharedKillSwitch cut,
      Optional<UnixSocketListener> unix) {
    this.settings = settings;
    this.binding = binding;
    this.connectionsDone = connectionsDone;
    this.stopping = stopping;
    this.cut = cut;
    this.unix = unix;
  }

  /**
   * Binds the listeners of {@code cairn.nbd} and starts serving. The stage fails if the
   * settings are invalid or the address cannot be bound.
   */
  public static CompletionStage<NbdServer> start(
      ActorSystem<?> system, Config config, VolumeRegistry volumes) {
    NbdSettings settings;
    try {
      settings = NbdSettings.from(config);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Materializer materializer = Materializer.matFromSystem(system);
    CompletableFuture<Done> stopping = new CompletableFuture<>();
    SharedKillSwitch cut = KillSwitches.shared("cairn-nbd-cut");
    List<Inet.SocketOption> options = List.of(TcpSO.tcpNoDelay(true));

    Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Done>> running =
        Tcp.get(system)
            .bind(settings.host(), settings.port(), LISTEN_BACKLOG, options, false,
                Optional.empty())
            .mapAsyncUnordered(settings.maxConnections(), connection -> connection
                .handleWith(
                    connectionFlow(settings, volumes, stopping, cut,
                        String.valueOf(connection.remoteAddress())),
                    materializer)
                // One connection's end, however it ends, must not end the listener.
                .handle((done, failure) -> Done.getInstance()))
            .toMat(Sink.ignore(), Keep.both())
            .run(materializer);

    return running.first().thenCompose(binding -> {
      log.info("NBD frontend listening on {}", binding.localAddress());
      Optional<UnixSocketListener> unix = Optional.empty();
      if (settings.unixSocket().isPresent()) {
        Path path = settings.unixSocket().get();
        try {
          unix = Optional.of(UnixSocketListener.start(path, settings.maxConnections(),
              () -> connectionFlow(settings, volumes, stopping, cut, "unix:" + path),
              materializer));
        } catch (java.io.IOException | RuntimeException e) {
          return binding.unbind().thenCompose(unbound -> CompletableFuture.failedFuture(
              new UnixSocketUnavailable(path, e)));
        }
      }
      return CompletableFuture.completedFuture(
          new NbdServer(settings, binding, running.second(), stopping, cut, unix));
    });
  }

  /**
   * The flow of one connection. Its materialized value completes when the connection has ended.
   */
  static Flow<ByteString, ByteString, CompletionStage<Done>> connectionFlow(
      NbdSettings settings,
      VolumeRegistry volumes,
      CompletionStage<Done> stopping,
      SharedKillSwitch cut,
      String peer) {
    InFlightBudget budget =
        new InFlightBudget(settings.maxInFlightRequests(), settings.maxInFlightBytes());
    return Flow.of(ByteString.class)
        .via(new NbdSessionStage(settings, volumes, budget, peer, stopping))
        // The budget keeps transmission work within max-in-flight-requests; the +1 leaves room
        // for the one handshake reply that may be waiting while the last request drains.
        .mapAsyncUnordered(settings.maxInFlightRequests() + 1, NbdWork::start)
        .map(NbdWork::release)
        .via(replyBatching(settings.replyBatchBytes()))
        // Aborting this one fails the output: the connection is reset, not drained.
        .via(cut.flow())
        .watchTermination(Keep.right());
  }

  /**
   * Joins replies that are ready while the socket is still writing earlier ones (the TCP stage
   * takes the next element only once the previous write is done), at most {@code maxBytes} at a
   * time, so a deep queue of small replies costs one write instead of one each. With nothing
   * waiting, a reply passes straight through: batching adds no latency.
   */
  static Flow<ByteString, ByteString, NotUsed> replyBatching(int maxBytes) {
    if (maxBytes == 0) {
      return Flow.of(ByteString.class);
    }
    return Flow.of(ByteString.class)
        .batchWeighted(maxBytes, reply -> (long) reply.size(), reply -> reply, ByteString::concat);
  }

  /** The bound TCP address (with the real port when port 0 was configured). */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /** The configured unix socket cannot be served; the message names the setting and the path. */
  public static final class UnixSocketUnavailable extends IllegalStateException {
    UnixSocketUnavailable(Path path, Exception cause) {
      super("cairn.nbd.unix-socket: cannot listen on " + path + ": " + cause.getMessage(), cause);
    }
  }

  /**
   * Checks, before anything starts, that a unix socket can be served at {@code path}: its
   * directory exists, and the path is free or holds a stale socket (which is removed).
   *
   * @throws UnixSocketUnavailable saying why not
   */
  public static void checkUnixSocket(Path path) {
    try {
      UnixSocketListener.removeStaleSocket(path);
      Path parent = path.toAbsolutePath().getParent();
      if (parent == null || !java.nio.file.Files.isDirectory(parent)) {
        throw new java.io.IOException("directory " + parent + " does not exist");
      }
    } catch (java.io.IOException e) {
      throw new UnixSocketUnavailable(path, e);
    }
  }

  /** The unix-domain socket served on, if one is configured. */
  public Optional<Path> unixSocket() {
    return unix.map(UnixSocketListener::path);
  }

  public NbdSettings settings() {
    return settings;
  }

  /**
   * Stops accepting connections, lets open connections answer their in-flight requests (up to
   * stop-timeout), then closes them. Completes when every connection has ended.
   */
  public CompletionStage<Done> stop() {
    Duration grace = settings.stopTimeout();
    unix.ifPresent(UnixSocketListener::stopAccepting);
    return binding.unbind()
        .thenCompose(unbound -> {
          stopping.complete(Done.getInstance());
          CompletableFuture<Void> unixDone = unix
              .map(u -> u.connectionsDone().toCompletableFuture())
              .orElse(CompletableFuture.completedFuture(null));
          return CompletableFuture.allOf(connectionsDone.toCompletableFuture(), unixDone)
              .thenApply(all -> Done.getInstance())
              .completeOnTimeout(Done.getInstance(), grace.toMillis(), TimeUnit.MILLISECONDS);
        })
        .thenApply(done -> {
          // Whatever did not drain in time is cut off now.
          cut.abort(new IllegalStateException("NBD frontend stopped"));
          log.info("NBD frontend on {} stopped", binding.localAddress());
          return Done.getInstance();
        });
  }
}
