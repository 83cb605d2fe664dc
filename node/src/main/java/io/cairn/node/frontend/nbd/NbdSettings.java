package io.cairn.node.frontend.nbd;

import com.typesafe.config.Config;
import io.cairn.protocol.nbd.NbdConstants;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code cairn.nbd} settings (documented in node's {@code reference.conf}), read once and
 * checked together so that a bad combination fails at start-up, not under load.
 *
 * @param host address to listen on
 * @param port TCP port; 0 for an ephemeral one
 * @param unixSocket path of a unix-domain socket to serve on as well, if any
 * @param defaultExport volume served for the empty export name, if any
 * @param maxConnections connections served at once per listener
 * @param maxInFlightRequests per connection, requests accepted but not yet answered
 * @param maxInFlightBytes per connection, payload bytes held between request and reply
 * @param maxPayloadBytes largest READ/WRITE payload of one request
 * @param replyBatchBytes per connection, reply bytes gathered into one socket write while the
 *     previous write is still in progress
 * @param handshakeTimeout time allowed to reach the transmission phase
 * @param stopTimeout time stop() waits for connections to drain
 */
public record NbdSettings(
    String host,
    int port,
    Optional<Path> unixSocket,
    Optional<String> defaultExport,
    int maxConnections,
    int maxInFlightRequests,
    long maxInFlightBytes,
    int maxPayloadBytes,
    int replyBatchBytes,
    Duration handshakeTimeout,
    Duration stopTimeout) {

  public NbdSettings {
    require(port >= 0 && port <= 65535, "port must be 0..65535, is " + port);
    require(maxConnections >= 1, "max-connections must be at least 1");
    // sockaddr_un holds 108 bytes including the terminating zero.
    require(unixSocket.isEmpty()
            || unixSocket.get().toString().getBytes(StandardCharsets.UTF_8).length <= 107,
        "unix-socket path is longer than 107 bytes: " + unixSocket.orElse(null));
    require(maxInFlightRequests >= 1, "max-in-flight-requests must be at least 1");
    // proto.md "Block size constraints": lengths below 2^25 SHOULD NOT be treated as a denial
    // of service, so the advertised maximum may not be smaller.
    require(maxPayloadBytes >= NbdConstants.INTEROPERABLE_PAYLOAD_BYTES,
        "max-payload-bytes must be at least 32 MiB, is " + maxPayloadBytes);
    // One maximal request must fit in the budget, or a connection could wait for itself.
    require(maxInFlightBytes >= maxPayloadBytes,
        "max-in-flight-bytes (" + maxInFlightBytes + ") must be at least max-payload-bytes ("
            + maxPayloadBytes + ")");
    require(replyBatchBytes >= 0, "reply-batch-bytes must not be negative");
    require(!handshakeTimeout.isNegative() && !handshakeTimeout.isZero(),
        "handshake-timeout must be positive");
    require(!stopTimeout.isNegative(), "stop-timeout must not be negative");
  }

  /** Reads {@code cairn.nbd} from a config that has the reference settings as fallback. */
  public static NbdSettings from(Config config) {
    Config c = config.getConfig("cairn.nbd");
    long payload = c.getBytes("max-payload-bytes");
    require(payload <= Integer.MAX_VALUE - 64, "max-payload-bytes must be below 2 GiB");
    long replyBatch = c.getBytes("reply-batch-bytes");
    require(replyBatch <= 64L << 20, "reply-batch-bytes must be at most 64 MiB");
    return new NbdSettings(
        c.getString("host"),
        c.getInt("port"),
        nonEmpty(c.getString("unix-socket")).map(Path::of),
        nonEmpty(c.getString("default-export")),
        c.getInt("max-connections"),
        c.getInt("max-in-flight-requests"),
        c.getBytes("max-in-flight-bytes"),
        (int) payload,
        (int) replyBatch,
        c.getDuration("handshake-timeout"),
        c.getDuration("stop-timeout"));
  }

  private static Optional<String> nonEmpty(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("cairn.nbd: " + message);
    }
  }
}
