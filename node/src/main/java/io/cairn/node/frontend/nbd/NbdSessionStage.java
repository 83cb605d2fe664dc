package io.cairn.node.frontend.nbd;

import io.cairn.node.volume.BlockVolume;
import io.cairn.node.volume.VolumeRegistry;
import io.cairn.protocol.nbd.NbdConstants;
import io.cairn.protocol.nbd.NbdExportInfoRequest;
import io.cairn.protocol.nbd.NbdHandshake;
import io.cairn.protocol.nbd.NbdMetaContextRequest;
import io.cairn.protocol.nbd.NbdOptionHeader;
import io.cairn.protocol.nbd.NbdProtocolException;
import io.cairn.protocol.nbd.NbdRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NBD connection's protocol: bytes from the socket in, {@link NbdWork} (replies to be) out.
 * It frames the handshake (fixed newstyle, proto.md "Fixed newstyle negotiation") and the
 * transmission requests, answers options itself, and hands checked requests on as work.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Memory is bounded: the stage pulls from the socket only when the frame it is assembling
 *       is incomplete; option data above {@link #OPTION_DATA_BYTES_MAX} is skipped, not stored;
 *       a WRITE's payload is read only after its bytes were acquired from the connection's
 *       {@link InFlightBudget}, and a WRITE announcing more than max-payload-bytes is refused
 *       without reading its payload.
 *   <li>No partial write is started: a WRITE becomes work only with its whole payload; a client
 *       that vanishes mid-payload leaves nothing behind.
 *   <li>The stage completes (which closes the connection once in-flight replies are written)
 *       after NBD_CMD_DISC, NBD_OPT_ABORT, end of input, bytes it cannot frame (wrong magic),
 *       unknown client flags, an NBD_OPT_EXPORT_NAME it cannot satisfy, or the handshake
 *       timeout. Everything else gets the spec's error reply and the session continues.
 * </ul>
 *
 * <p>Assumes: the downstream completes every work's future (NbdWork futures never fail) and
 * releases the budget once a reply is written, or the stage would wait for ever.
 */
final class NbdSessionStage extends GraphStage<FlowShape<ByteString, NbdWork>> {

  /**
   * Largest option data kept in memory. The largest option Cairn parses is a meta-context query
   * list: a few strings of at most 4096 bytes each. Larger options are skipped as they stream
   * by and answered NBD_REP_ERR_TOO_BIG (or NBD_REP_ERR_UNSUP if unknown).
   */
  static final int OPTION_DATA_BYTES_MAX = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(NbdSessionStage.class);
  private static final String HANDSHAKE_TIMER = "handshake-timeout";

  private final Inlet<ByteString> in = Inlet.create("NbdSession.in");
  private final Outlet<NbdWork> out = Outlet.create("NbdSession.out");
  private final FlowShape<ByteString, NbdWork> shape = FlowShape.of(in, out);

  private final NbdSettings settings;
  private final VolumeRegistry volumes;
  private final InFlightBudget budget;
  private final String peer;
  private final CompletionStage<Done> serverStopping;

  NbdSessionStage(
      NbdSettings settings,
      VolumeRegistry volumes,
      InFlightBudget budget,
      String peer,
      CompletionStage<Done> serverStopping) {
    this.settings = settings;
    this.volumes = volumes;
    this.budget = budget;
    this.peer = peer;
    this.serverStopping = serverStopping;
  }

  @Override
  public FlowShape<ByteString, NbdWork> shape() {
    return shape;
  }

  /** What one attempt to make progress on the buffered input achieved. */
  private enum Step {
    /** A work item was produced and waits in {@code next}. */
    PRODUCED,
    /** Input was consumed without output (skipped bytes, DISC). */
    CONSUMED,
    /** The current frame is incomplete. */
    NEED_BYTES,
    /** The next request does not fit the in-flight budget yet. */
    BLOCKED
  }

  private enum Phase { CLIENT_FLAGS, OPTIONS, TRANSMISSION }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private ByteString buffer = ByteString.emptyByteString();
      private Phase phase = Phase.CLIENT_FLAGS;
      private long skipBytes;
      private boolean upstreamFinished;
      private boolean closing;
      private NbdWork next;

      // Negotiated state (proto.md "Option types").
      private boolean noZeroes;
      private boolean structuredReplies;
      private String metaContextExport;
      private boolean baseAllocationRequested;

      private NbdTransmission transmission;
      private NbdRequest pendingWrite;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            buffer = buffer.concat(grab(in));
            progress();
          }

          @Override
          public void onUpstreamFinish() {
            upstreamFinished = true;
            if (isClosed(out)) {
              completeStage();
            } else {
              progress();
            }
          }

          @Override
          public void onUpstreamFailure(Throwable ex) {
            log.debug("nbd {}: connection failed: {}", peer, ex.toString());
            // In-flight operations still complete in the volume; their replies have nowhere
            // to go. Completing (not failing) lets the reply path finish in order.
            upstreamFinished = true;
            buffer = ByteString.emptyByteString();
            if (isClosed(out)) {
              completeStage();
            } else {
              progress();
            }
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            progress();
          }
        });
      }

      @Override
      public void preStart() {
        AsyncCallback<Object> wake = createAsyncCallback(ignored -> progress());
        budget.onRelease(() -> wake.invoke(Boolean.TRUE));
        // proto.md "Terminating the transmission phase": on shutdown the server SHOULD wait for
        // in-flight requests; it stops reading new ones and closes once they are answered.
        AsyncCallback<Object> stop = createAsyncCallback(ignored -> {
          if (!isClosed(out)) {
            closeNow();
            progress();
          }
        });
        serverStopping.thenRun(() -> stop.invoke(Boolean.TRUE));
        scheduleOnce(HANDSHAKE_TIMER, settings.handshakeTimeout());
        next = NbdWork.handshake(bytes(NbdHandshake.greeting(
            NbdConstants.FLAG_FIXED_NEWSTYLE | NbdConstants.FLAG_NO_ZEROES)));
      }

      @Override
      public void onTimer(Object key) {
        if (phase != Phase.TRANSMISSION) {
          log.info("nbd {}: no export chosen within {}, closing", peer, settings.handshakeTimeout());
          closeNow();
          progress();
        }
      }

      /** Pushes what is ready and parses more while the socket side wants output. */
      private void progress() {
        while (true) {
          if (next != null) {
            if (!isAvailable(out)) {
              return;
            }
            push(out, next);
            next = null;
          }
          if (closing) {
            finish();
            return;
          }
          Step step = step();
          switch (step) {
            case PRODUCED, CONSUMED -> { }
            case BLOCKED -> {
              return;
            }
            case NEED_BYTES -> {
              if (upstreamFinished) {
                // A frame cut short by the client going away is dropped: a partial WRITE is
                // never applied, let alone acknowledged.
                if (!buffer.isEmpty() || pendingWrite != null) {
                  log.debug("nbd {}: input ended inside a message ({} bytes)", peer, buffer.size());
                }
                closing = true;
              } else {
                if (!hasBeenPulled(in)) {
                  pull(in);
                }
                return;
              }
            }
          }
        }
      }

      private Step step() {
        if (skipBytes > 0) {
          int n = (int) Math.min(skipBytes, buffer.size());
          buffer = buffer.drop(n);
          skipBytes -= n;
          return skipBytes > 0 ? Step.NEED_BYTES : Step.CONSUMED;
        }
        return switch (phase) {
          case CLIENT_FLAGS -> clientFlags();
          case OPTIONS -> option();
          case TRANSMISSION -> request();
        };
      }

      // ---- Handshake ----

      private Step clientFlags() {
        if (buffer.size() < NbdHandshake.CLIENT_FLAGS_BYTES) {
          return Step.NEED_BYTES;
        }
        int flags = buffer.take(4).asByteBuffer().getInt();
        buffer = buffer.drop(4);
        // proto.md "Client flags": the server MUST drop the connection on an unknown flag.
        if ((flags & ~NbdConstants.CLIENT_FLAGS_KNOWN) != 0) {
          log.info("nbd {}: unknown client flags 0x{}, closing", peer, Integer.toHexString(flags));
          return closeNow();
        }
        noZeroes = (flags & NbdConstants.FLAG_C_NO_ZEROES) != 0;
        phase = Phase.OPTIONS;
        return Step.CONSUMED;
      }

      private Step option() {
        if (buffer.size() < NbdOptionHeader.HEADER_BYTES) {
          return Step.NEED_BYTES;
        }
        NbdOptionHeader header;
        try {
          header = NbdOptionHeader.decode(buffer.take(NbdOptionHeader.HEADER_BYTES).asByteBuffer());
        } catch (NbdProtocolException e) {
          log.info("nbd {}: {}, closing", peer, e.getMessage());
          return closeNow();
        }
        int option = header.option();
        if (header.dataBytes() > OPTION_DATA_BYTES_MAX) {
          if (option == NbdConstants.OPT_EXPORT_NAME) {
            // It cannot be answered with an error (proto.md: the server MUST terminate).
            return closeNow();
          }
          buffer = buffer.drop(NbdOptionHeader.HEADER_BYTES);
          skipBytes = header.dataBytes();
          int error = knownOption(option) ? NbdConstants.REP_ERR_TOO_BIG : NbdConstants.REP_ERR_UNSUP;
          return produce(NbdHandshake.optionError(option, error,
              "option data of " + header.dataBytes() + " bytes is larger than "
                  + OPTION_DATA_BYTES_MAX));
        }
        int frameBytes = NbdOptionHeader.HEADER_BYTES + (int) header.dataBytes();
        if (buffer.size() < frameBytes) {
          return Step.NEED_BYTES;
        }
        ByteBuffer data = buffer.slice(NbdOptionHeader.HEADER_BYTES, frameBytes).toByteBuffer();
        buffer = buffer.drop(frameBytes);
        return answerOption(option, data);
      }

      private Step answerOption(int option, ByteBuffer data) {
        try {
          return switch (option) {
            case NbdConstants.OPT_EXPORT_NAME -> exportName(data);
            case NbdConstants.OPT_ABORT -> {
              // proto.md: the server MUST reply with NBD_REP_ACK, then the client hangs up.
              closing = true;
              yield produce(NbdHandshake.optionReply(option, NbdConstants.REP_ACK));
            }
            case NbdConstants.OPT_LIST -> list(data);
            case NbdConstants.OPT_INFO, NbdConstants.OPT_GO -> infoOrGo(option, data);
            case NbdConstants.OPT_STRUCTURED_REPLY -> {
              if (data.hasRemaining()) {
                yield invalid(option, "NBD_OPT_STRUCTURED_REPLY takes no data");
              }
              structuredReplies = true;
              yield produce(NbdHandshake.optionReply(option, NbdConstants.REP_ACK));
            }
            case NbdConstants.OPT_LIST_META_CONTEXT, NbdConstants.OPT_SET_META_CONTEXT ->
                metaContext(option, data);
            // NOTLS mode (proto.md "NOTLS mode"): STARTTLS is answered ERR_UNSUP, as is every
            // option this server does not implement, and the session stays in sync because the
            // option's length was honoured.
            default -> produce(NbdHandshake.optionError(option, NbdConstants.REP_ERR_UNSUP,
                "option " + option + " is not supported"));
          };
        } catch (NbdProtocolException e) {
          return invalid(option, e.getMessage());
        }
      }

      private Step exportName(ByteBuffer data) {
        String name = StandardCharsets.UTF_8.decode(data).toString();
        Optional<BlockVolume> volume = export(name);
        if (volume.isEmpty()) {
          log.info("nbd {}: NBD_OPT_EXPORT_NAME for unknown export '{}', closing", peer, name);
          return closeNow();
        }
        BlockVolume v = volume.get();
        startTransmission(v, name);
        return produce(NbdHandshake.exportNameReply(
            v.sizeBytes(), NbdTransmission.transmissionFlags(structuredReplies), noZeroes));
      }

      private Step list(ByteBuffer data) {
        if (data.hasRemaining()) {
          return invalid(NbdConstants.OPT_LIST, "NBD_OPT_LIST takes no data");
        }
        ByteString reply = ByteString.emptyByteString();
        for (BlockVolume volume : volumes.list()) {
          reply = reply.concat(bytes(NbdHandshake.server(volume.name())));
        }
        return produce(reply.concat(
            bytes(NbdHandshake.optionReply(NbdConstants.OPT_LIST, NbdConstants.REP_ACK))));
      }

      private Step infoOrGo(int option, ByteBuffer data) {
        NbdExportInfoRequest request = NbdExportInfoRequest.decode(data);
        Optional<BlockVolume> found = export(request.exportName());
        if (found.isEmpty()) {
          return produce(NbdHandshake.optionError(option, NbdConstants.REP_ERR_UNKNOWN,
              "no volume named '" + request.exportName() + "' is served here"));
        }
        BlockVolume volume = found.get();
        ByteString reply = bytes(NbdHandshake.infoExport(option, volume.sizeBytes(),
            NbdTransmission.transmissionFlags(structuredReplies)));
        // Sent whether or not it was asked for (proto.md allows unrequested info): minimum 1
        // because the volume does read-modify-write of partial blocks itself.
        reply = reply.concat(bytes(NbdHandshake.infoBlockSize(
            option, 1, preferredBlockBytes(volume), settings.maxPayloadBytes())));
        if (request.infoRequests().contains(NbdConstants.INFO_NAME)) {
          reply = reply.concat(bytes(NbdHandshake.infoName(option, volume.name())));
        }
        if (request.infoRequests().contains(NbdConstants.INFO_DESCRIPTION)) {
          reply = reply.concat(bytes(NbdHandshake.infoDescription(option,
              "Cairn volume " + volume.name() + ", " + volume.blockBytes() + "-byte blocks")));
        }
        reply = reply.concat(bytes(NbdHandshake.optionReply(option, NbdConstants.REP_ACK)));
        if (option == NbdConstants.OPT_GO) {
          startTransmission(volume, request.exportName());
        }
        next = NbdWork.handshake(reply);
        return Step.PRODUCED;
      }

      private Step metaContext(int option, ByteBuffer data) {
        boolean set = option == NbdConstants.OPT_SET_META_CONTEXT;
        if (set) {
          // proto.md: SET replaces the previous selection "including when this command fails".
          metaContextExport = null;
          baseAllocationRequested = false;
        }
        if (!structuredReplies) {
          return invalid(option, "negotiate NBD_OPT_STRUCTURED_REPLY first");
        }
        NbdMetaContextRequest request = NbdMetaContextRequest.decode(data);
        if (export(request.exportName()).isEmpty()) {
          return produce(NbdHandshake.optionError(option, NbdConstants.REP_ERR_UNKNOWN,
              "no volume named '" + request.exportName() + "' is served here"));
        }
        boolean matches;
        if (set) {
          // "base:" alone selects nothing on SET; unknown names are ignored, not errors.
          matches = request.queries().contains(NbdConstants.META_CONTEXT_BASE_ALLOCATION);
        } else {
          // LIST with no query lists everything; "base:" is a wildcard for the namespace.
          matches = request.queries().isEmpty()
              || request.queries().contains("base:")
              || request.queries().contains(NbdConstants.META_CONTEXT_BASE_ALLOCATION);
        }
        ByteString reply = ByteString.emptyByteString();
        if (matches) {
          // proto.md: in LIST replies the id is reserved and SHOULD be zero.
          int id = set ? NbdTransmission.BASE_ALLOCATION_CONTEXT_ID : 0;
          reply = bytes(NbdHandshake.metaContext(
              option, id, NbdConstants.META_CONTEXT_BASE_ALLOCATION));
          if (set) {
            metaContextExport = request.exportName();
            baseAllocationRequested = true;
          }
        }
        return produce(reply.concat(bytes(NbdHandshake.optionReply(option, NbdConstants.REP_ACK))));
      }

      private void startTransmission(BlockVolume volume, String requestedName) {
        // proto.md: BLOCK_STATUS is allowed only if the last SET_META_CONTEXT named the export
        // that was finally chosen.
        boolean baseAllocation = baseAllocationRequested && requestedName.equals(metaContextExport);
        transmission = new NbdTransmission(
            volume, structuredReplies, baseAllocation, settings.maxPayloadBytes());
        phase = Phase.TRANSMISSION;
        cancelTimer(HANDSHAKE_TIMER);
        log.debug("nbd {}: serving '{}' (structured replies {}, base:allocation {})",
            peer, volume.name(), structuredReplies, baseAllocation);
      }

      private Optional<BlockVolume> export(String name) {
        if (name.isEmpty()) {
          return settings.defaultExport().flatMap(volumes::find);
        }
        return volumes.find(name);
      }

      private Step invalid(int option, String message) {
        return produce(NbdHandshake.optionError(option, NbdConstants.REP_ERR_INVALID, message));
      }

      // ---- Transmission ----

      private Step request() {
        if (pendingWrite != null) {
          return writePayload();
        }
        if (buffer.size() < NbdRequest.HEADER_BYTES) {
          return Step.NEED_BYTES;
        }
        NbdRequest request;
        try {
          request = NbdRequest.decode(buffer.take(NbdRequest.HEADER_BYTES).asByteBuffer());
        } catch (NbdProtocolException e) {
          // Without a valid header nothing can be framed or answered: hard disconnect, which
          // proto.md allows on a violation of a mandatory condition.
          log.info("nbd {}: {}, closing", peer, e.getMessage());
          return closeNow();
        }
        if (request.type() == NbdConstants.CMD_DISC) {
          // proto.md: handle all outstanding requests, then close; DISC has no reply.
          buffer = buffer.drop(NbdRequest.HEADER_BYTES);
          closing = true;
          return Step.CONSUMED;
        }
        int error = transmission.check(request);
        boolean isWrite = request.type() == NbdConstants.CMD_WRITE;
        if (error != 0) {
          if (!budget.tryAcquire(0)) {
            return Step.BLOCKED;
          }
          buffer = buffer.drop(NbdRequest.HEADER_BYTES);
          NbdWork refusal = refusal(request, error);
          if (isWrite && request.lengthBytes() > settings.maxPayloadBytes()) {
            // Too large to hold, and skipping gigabytes a client may never send would only
            // stall; proto.md lets the server treat it as a denial of service and hang up.
            log.info("nbd {}: WRITE of {} bytes exceeds max-payload-bytes, closing",
                peer, request.lengthBytes());
            closing = true;
          } else if (isWrite) {
            // The payload is still coming and its length is trusted: skip it unstored.
            skipBytes = request.lengthBytes();
          }
          next = refusal;
          return Step.PRODUCED;
        }
        long cost = NbdTransmission.costBytes(request);
        if (!budget.tryAcquire(cost)) {
          return Step.BLOCKED;
        }
        buffer = buffer.drop(NbdRequest.HEADER_BYTES);
        if (isWrite) {
          pendingWrite = request;
          return Step.CONSUMED;
        }
        NbdTransmission t = transmission;
        next = NbdWork.budgeted(() -> t.run(request), budget, cost);
        return Step.PRODUCED;
      }

      private Step writePayload() {
        int length = (int) pendingWrite.lengthBytes();
        if (buffer.size() < length) {
          return Step.NEED_BYTES;
        }
        NbdRequest request = pendingWrite;
        ByteString payload = buffer.take(length);
        buffer = buffer.drop(length);
        pendingWrite = null;
        NbdTransmission t = transmission;
        next = NbdWork.budgeted(() -> t.write(request, payload), budget, length);
        return Step.PRODUCED;
      }

      private NbdWork refusal(NbdRequest request, int error) {
        ByteString reply = transmission.error(request, error,
            "request type " + request.type() + " at " + Long.toUnsignedString(request.offset())
                + " +" + request.lengthBytes() + " refused");
        return NbdWork.budgeted(() -> CompletableFuture.completedFuture(reply), budget, 0);
      }

      // ---- Helpers ----

      private Step produce(ByteBuffer reply) {
        return produce(bytes(reply));
      }

      private Step produce(ByteString reply) {
        next = NbdWork.handshake(reply);
        return Step.PRODUCED;
      }

      /**
       * Ends the output; the replies still in flight drain behind it and the socket closes after
       * them. The input is not cancelled here: cancelling a Pekko TCP connection's read side
       * closes the whole connection at once, which would drop those replies. It ends when the
       * connection does.
       */
      private void finish() {
        if (pendingWrite != null) {
          budget.release(pendingWrite.lengthBytes());
          pendingWrite = null;
        }
        buffer = ByteString.emptyByteString();
        complete(out);
        if (isClosed(in)) {
          completeStage();
        }
      }

      /** Stops reading and closes once what is already in flight has been answered. */
      private Step closeNow() {
        buffer = ByteString.emptyByteString();
        closing = true;
        return Step.CONSUMED;
      }
    };
  }

  private static boolean knownOption(int option) {
    return option >= NbdConstants.OPT_EXPORT_NAME && option <= NbdConstants.OPT_SET_META_CONTEXT
        && option != NbdConstants.OPT_PEEK_EXPORT && option != NbdConstants.OPT_STARTTLS;
  }

  /** proto.md: a power of two, at least 512; the volume's block size when it is one. */
  private static int preferredBlockBytes(BlockVolume volume) {
    int block = volume.blockBytes();
    return Integer.bitCount(block) == 1 && block >= 512 ? block : 4096;
  }

  private static ByteString bytes(ByteBuffer buffer) {
    return ByteString.fromByteBuffer(buffer);
  }
}
