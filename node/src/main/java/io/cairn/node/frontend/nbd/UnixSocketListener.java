package io.cairn.node.frontend.nbd;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NBD frontend on a unix-domain socket ({@code cairn.nbd.unix-socket}): what a VM host on the
 * same machine uses instead of TCP ({@code nbd+unix:///vol?socket=PATH}). Each connection runs the
 * very flow a TCP connection runs ({@link NbdServer#connectionFlow}), so every guarantee, bound
 * and check is the same.
 *
 * <p>Pekko's TCP layer has no unix-domain sockets, so the socket's blocking I/O runs on threads of
 * this listener's own, never on a dispatcher: one accepting thread, and per connection one
 * thread reading the socket into the flow (it waits while the flow back-pressures) and one
 * writing the flow's replies to it. Connections are bounded by {@code max-connections}: beyond
 * it, clients wait in the listen backlog.
 *
 * <p>Access control is the socket file's permissions: it is created for the node's user only
 * (0600), because NBD itself has no authentication. A socket file left by a node that died is
 * replaced; a path that holds anything else, or a socket some server still listens on, is
 * refused at start-up.
 */
final class UnixSocketListener {

  private static final Logger log = LoggerFactory.getLogger(UnixSocketListener.class);
  private static final int LISTEN_BACKLOG = 128;
  /** Bytes one read of the socket hands to the flow at most. */
  private static final int READ_BYTES = 64 << 10;

  private final Path path;
  private final ServerSocketChannel server;
  private final Set<CompletableFuture<Void>> connections = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> acceptorDone = new CompletableFuture<>();

  private UnixSocketListener(Path path, ServerSocketChannel server) {
    this.path = path;
    this.server = server;
  }

  /** Binds {@code path} and starts accepting; each connection runs {@code flowPerConnection}. */
  static UnixSocketListener start(Path path, int maxConnections,
      java.util.function.Supplier<Flow<ByteString, ByteString, CompletionStage<Done>>> flows,
      Materializer materializer) throws IOException {
    removeStaleSocket(path);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(path), LISTEN_BACKLOG);
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    UnixSocketListener listener = new UnixSocketListener(path, server);
    Thread acceptor = new Thread(() -> listener.accept(maxConnections, flows, materializer),
        "cairn-nbd-unix-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.info("NBD frontend listening on unix socket {}", path);
    return listener;
  }

  Path path() {
    return path;
  }

  /** A socket file nobody listens on is a leftover of a node that died: remove it. */
  static void removeStaleSocket(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    BasicFileAttributes attributes =
        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isOther()) {
      throw new IOException(path + " exists and is not a socket");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      throw new IOException(path + " is in use: another server listens on it");
    } catch (java.net.SocketException refused) {
      Files.delete(path); // nobody listens: connection refused
    }
  }

  private void accept(int maxConnections,
      java.util.function.Supplier<Flow<ByteString, ByteString, CompletionStage<Done>>> flows,
      Materializer materializer) {
    Semaphore slots = new Semaphore(maxConnections);
    AtomicInteger numbers = new AtomicInteger();
    try {
      while (true) {
        slots.acquire();
        SocketChannel channel;
        try {
          channel = server.accept();
        } catch (IOException closed) {
          slots.release();
          return; // stop() closed the listening socket
        }
        CompletableFuture<Void> done;
        try {
          done = serve(channel, flows.get(), materializer, numbers.incrementAndGet());
        } catch (RuntimeException e) {
          // The stream could not start (the node is shutting down): nothing more is served.
          log.warn("NBD unix socket {}: cannot serve a connection: {}", path, e.toString());
          closeQuietly(channel);
          slots.release();
          return;
        }
        connections.add(done);
        done.whenComplete((r, e) -> {
          connections.remove(done);
          slots.release();
        });
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      acceptorDone.complete(null);
    }
  }

  /** Runs one connection; completes when both of its threads have ended and it is closed. */
  private static CompletableFuture<Void> serve(SocketChannel channel,
      Flow<ByteString, ByteString, CompletionStage<Done>> flow, Materializer materializer,
      int number) {
    Pair<SourceQueueWithComplete<ByteString>, SinkQueueWithCancel<ByteString>> queues =
        Source.<ByteString>queue(1, OverflowStrategy.backpressure())
            .via(flow)
            // The writer takes one element at a time: replies that become ready meanwhile are
            // joined by the flow's reply batching, not queued here one by one.
            .toMat(Sink.<ByteString>queue().withAttributes(Attributes.inputBuffer(1, 1)),
                Keep.both())
            .run(materializer);
    CompletableFuture<Void> reading = new CompletableFuture<>();
    CompletableFuture<Void> writing = new CompletableFuture<>();
    start("cairn-nbd-unix-read-" + number, () -> read(channel, queues.first()), reading);
    start("cairn-nbd-unix-write-" + number, () -> write(channel, queues.second()), writing);
    return CompletableFuture.allOf(reading, writing);
  }

  private static void start(String name, Runnable body, CompletableFuture<Void> done) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } finally {
        done.complete(null);
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  /** Socket → flow, one read at a time, waiting while the flow does not want more. */
  private static void read(SocketChannel channel, SourceQueueWithComplete<ByteString> in) {
    ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
    try {
      while (true) {
        buffer.clear();
        int n = channel.read(buffer);
        if (n < 0) {
          in.complete(); // the client closed its end: the session finishes what is in flight
          return;
        }
        QueueOfferResult offered = in.offer(ByteString.fromArray(buffer.array(), 0, n))
            .toCompletableFuture().get();
        if (!(offered instanceof QueueOfferResult.Enqueued$)) {
          return; // the flow has ended (the session closed the connection)
        }
      }
    } catch (ClosedChannelException writerClosedIt) {
      in.complete();
    } catch (IOException e) {
      in.fail(e);
    } catch (ExecutionException e) {
      // The flow failed or was cancelled: the writer sees it too and closes the socket.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      in.fail(e);
    }
  }

  /** Flow → socket, every reply written whole; closes the socket when the flow ends. */
  private static void write(SocketChannel channel, SinkQueueWithCancel<ByteString> out) {
    try {
      while (true) {
        Optional<ByteString> next = out.pull().toCompletableFuture().get();
        if (next.isEmpty()) {
          return;
        }
        // One gathering write for a reply made of many pieces (a read's blocks), not a write
        // per piece.
        List<ByteBuffer> pieces = new ArrayList<>();
        next.get().getByteBuffers().forEach(pieces::add);
        ByteBuffer[] buffers = pieces.toArray(ByteBuffer[]::new);
        for (long left = next.get().size(); left > 0; ) {
          left -= channel.write(buffers);
        }
      }
    } catch (IOException e) {
      out.cancel(); // the client is gone: the session stops, nothing more is answered
    } catch (ExecutionException e) {
      // The flow failed (a protocol error, or stop() cut it off): the connection ends here.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.cancel();
    } finally {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing a unix socket fails only if it is already closed.
    }
  }

  /** Stops accepting and removes the socket file; open connections go on. */
  void stopAccepting() {
    try {
      server.close();
    } catch (IOException e) {
      log.warn("closing NBD unix socket {}: {}", path, e.toString());
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.warn("removing NBD unix socket {}: {}", path, e.toString());
    }
  }

  /** Completes when the acceptor has stopped and every connection open now has ended. */
  CompletionStage<Void> connectionsDone() {
    return acceptorDone.thenCompose(stopped ->
        CompletableFuture.allOf(connections.toArray(CompletableFuture[]::new)));
  }
}
