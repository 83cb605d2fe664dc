package io.cairn.node.frontend.nbd;

import io.cairn.node.volume.BlockVolume;
import io.cairn.protocol.nbd.NbdConstants;
import io.cairn.protocol.nbd.NbdReplies;
import io.cairn.protocol.nbd.NbdReplies.BlockStatusDescriptor;
import io.cairn.protocol.nbd.NbdRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * The transmission phase of one connection: checks each request against the export and the
 * negotiated options, runs it on the {@link BlockVolume}, and encodes the reply.
 *
 * <p>Guarantees: a reply is produced only from the volume's own completion, so nothing is
 * acknowledged before the volume says it is durable (FLUSH and FUA therefore mean what
 * proto.md "Ordering of messages and writes" says, given BlockVolume's contract); every request
 * gets exactly one reply (or reply chunk sequence ending in DONE) except NBD_CMD_DISC; the reply
 * futures never fail — failures become NBD error replies.
 *
 * <p>Assumes: the caller has validated the request with {@link #check} and read a WRITE's whole
 * payload before calling {@link #write}.
 */
final class NbdTransmission {

  /** The id this server gives {@code base:allocation} in NBD_REP_META_CONTEXT. */
  static final int BASE_ALLOCATION_CONTEXT_ID = 1;
  /**
   * Descriptors in one block-status reply. proto.md lets the server describe less than was
   * asked; clients continue from where the reply ends. Bounds the reply to 8 KiB.
   */
  static final int BLOCK_STATUS_DESCRIPTORS_MAX = 1024;

  /** Sent, never written: the bytes of zero pieces in read replies. */
  private static final byte[] ZEROES = new byte[64 * 1024];

  private final BlockVolume volume;
  private final boolean structuredReplies;
  private final boolean baseAllocationSelected;
  private final int maxPayloadBytes;

  NbdTransmission(
      BlockVolume volume,
      boolean structuredReplies,
      boolean baseAllocationSelected,
      int maxPayloadBytes) {
    this.volume = volume;
    this.structuredReplies = structuredReplies;
    this.baseAllocationSelected = baseAllocationSelected;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /**
   * The transmission flags for an export. CAN_MULTI_CONN is true because BlockVolume.flush covers
   * writes acknowledged on every connection, and every acknowledged write is durable and visible
   * to all connections. SEND_DF is only allowed once structured replies are on; a READ is always
   * answered in one data chunk, so DF costs nothing. FAST_ZERO is honest because write-zeroes
   * only touches the block map.
   */
  static int transmissionFlags(boolean structuredReplies) {
    int flags = NbdConstants.FLAG_HAS_FLAGS
        | NbdConstants.FLAG_SEND_FLUSH
        | NbdConstants.FLAG_SEND_FUA
        | NbdConstants.FLAG_SEND_TRIM
        | NbdConstants.FLAG_SEND_WRITE_ZEROES
        | NbdConstants.FLAG_SEND_FAST_ZERO
        | NbdConstants.FLAG_CAN_MULTI_CONN;
    return structuredReplies ? flags | NbdConstants.FLAG_SEND_DF : flags;
  }

  /** Bytes a request holds in memory while in flight: its payload or its read result. */
  static long costBytes(NbdRequest request) {
    return request.type() == NbdConstants.CMD_READ || request.type() == NbdConstants.CMD_WRITE
        ? request.lengthBytes()
        : 0;
  }

  /**
   * The NBD error a request must be refused with before touching the volume, or 0 if it may
   * run. proto.md "Error values" and "Request types" fix the values: unknown commands and flags
   * not documented for the command are EINVAL; past-the-end writes are ENOSPC, other
   * past-the-end requests EINVAL; READ/WRITE longer than the advertised maximum are EINVAL.
   * Zero-length requests are refused with EINVAL (the spec leaves them unspecified).
   */
  int check(NbdRequest request) {
    long length = request.lengthBytes();
    int allowedFlags;
    switch (request.type()) {
      case NbdConstants.CMD_READ -> allowedFlags =
          NbdConstants.CMD_FLAG_FUA | (structuredReplies ? NbdConstants.CMD_FLAG_DF : 0);
      case NbdConstants.CMD_WRITE, NbdConstants.CMD_FLUSH, NbdConstants.CMD_TRIM ->
          allowedFlags = NbdConstants.CMD_FLAG_FUA;
      case NbdConstants.CMD_WRITE_ZEROES -> allowedFlags = NbdConstants.CMD_FLAG_FUA
          | NbdConstants.CMD_FLAG_NO_HOLE | NbdConstants.CMD_FLAG_FAST_ZERO;
      case NbdConstants.CMD_BLOCK_STATUS -> allowedFlags =
          NbdConstants.CMD_FLAG_FUA | NbdConstants.CMD_FLAG_REQ_ONE;
      default -> {
        return NbdConstants.EINVAL;
      }
    }
    if ((request.commandFlags() & ~allowedFlags) != 0) {
      return NbdConstants.EINVAL;
    }
    switch (request.type()) {
      case NbdConstants.CMD_FLUSH -> {
        // proto.md: "length and offset are reserved, and MUST be set to all-zero".
        return request.offset() == 0 && length == 0 ? 0 : NbdConstants.EINVAL;
      }
      case NbdConstants.CMD_BLOCK_STATUS -> {
        // proto.md: servers SHOULD answer EINVAL when no metadata context was selected.
        if (!baseAllocationSelected) {
          return NbdConstants.EINVAL;
        }
      }
      default -> { }
    }
    if (length == 0) {
      return NbdConstants.EINVAL;
    }
    boolean carriesPayload =
        request.type() == NbdConstants.CMD_READ || request.type() == NbdConstants.CMD_WRITE;
    if (carriesPayload && length > maxPayloadBytes) {
      return NbdConstants.EINVAL;
    }
    if (!inRange(request.offset(), length, volume.sizeBytes())) {
      return request.type() == NbdConstants.CMD_WRITE
              || request.type() == NbdConstants.CMD_WRITE_ZEROES
          ? NbdConstants.ENOSPC
          : NbdConstants.EINVAL;
    }
    return 0;
  }

  /** {@code offset} is unsigned: an offset of 2^63 or more arrives negative and is out of range. */
  static boolean inRange(long offset, long length, long sizeBytes) {
    return offset >= 0 && length <= sizeBytes && offset <= sizeBytes - length;
  }

  /** Runs a checked request other than WRITE and DISC. */
  CompletionStage<ByteString> run(NbdRequest request) {
    return switch (request.type()) {
      case NbdConstants.CMD_READ -> guard(request,
          () -> volume.readShared(request.offset(), (int) request.lengthBytes())
              .thenApply(pieces -> readReply(request, pieces)));
      case NbdConstants.CMD_FLUSH -> guard(request, () -> ack(request, volume.flush()));
      case NbdConstants.CMD_TRIM ->
          guard(request, () -> ack(request, volume.trim(request.offset(), request.lengthBytes())));
      // NO_HOLE asks for the range to stay provisioned. Cairn's pool is thin and deduplicated,
      // so no per-range reservation exists to make; the range reads as zeroes either way and
      // the flag is accepted, as proto.md requires of a server advertising WRITE_ZEROES.
      // FAST_ZERO: write-zeroes only updates the block map, never faster as a WRITE, so it runs.
      case NbdConstants.CMD_WRITE_ZEROES -> guard(request,
          () -> ack(request, volume.writeZeroes(request.offset(), request.lengthBytes())));
      case NbdConstants.CMD_BLOCK_STATUS -> guard(request,
          () -> volume.blockStatus(request.offset(), request.lengthBytes())
              .thenApply(extents -> blockStatusReply(request, extents)));
      default -> CompletableFuture.completedFuture(
          error(request, NbdConstants.EINVAL, "unsupported command " + request.type()));
    };
  }

  /** Runs a checked WRITE with its whole payload. */
  CompletionStage<ByteString> write(NbdRequest request, ByteString payload) {
    // The payload's bytes go to the volume as they are (a ByteString is never written into):
    // toArrayUnsafe copies only a payload that arrived in several pieces, into one array.
    return guard(request, () -> ack(request,
        volume.writeOwned(request.offset(), ByteBuffer.wrap(payload.toArrayUnsafe()),
            request.hasFlag(NbdConstants.CMD_FLAG_FUA))));
  }

  /** The reply refusing a request with {@code errno} and a message for a human. */
  ByteString error(NbdRequest request, int errno, String message) {
    // proto.md: once structured replies are on, errors SHOULD be structured (they carry a
    // message), and a READ MUST NOT get a simple reply. Without them only simple replies exist.
    ByteBuffer reply = structuredReplies
        ? NbdReplies.error(NbdConstants.REPLY_FLAG_DONE, request.handle(), errno, message)
        : NbdReplies.simple(errno, request.handle());
    return ByteString.fromByteBuffer(reply);
  }

  private CompletionStage<ByteString> ack(NbdRequest request, CompletionStage<Void> operation) {
    return operation.thenApply(ignored -> ByteString.fromByteBuffer(
        NbdReplies.simple(0, request.handle())));
  }

  /** Turns any failure — thrown or in the stage — into the request's error reply. */
  private CompletionStage<ByteString> guard(
      NbdRequest request, java.util.function.Supplier<CompletionStage<ByteString>> operation) {
    CompletionStage<ByteString> started;
    try {
      started = operation.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    return started.handle((reply, failure) -> failure == null
        ? reply
        : error(request, NbdErrors.errno(request.type(), failure), NbdErrors.message(failure)));
  }

  private ByteString readReply(NbdRequest request, List<BlockVolume.Piece> pieces) {
    int length = (int) request.lengthBytes();
    int total = 0;
    for (BlockVolume.Piece p : pieces) {
      total += p.length();
    }
    if (total != length) {
      return error(request, NbdConstants.EIO,
          "volume returned " + total + " bytes for a read of " + length);
    }
    ByteBuffer header = structuredReplies
        ? NbdReplies.offsetDataHeader(
            NbdConstants.REPLY_FLAG_DONE, request.handle(), request.offset(), length)
        : NbdReplies.simple(0, request.handle());
    // The pieces go out as they are (BlockVolume.readShared: nobody writes into them), each
    // wrapped, not copied; neighbouring zero pieces become one run of a shared zero array.
    ByteStringBuilder reply = new ByteStringBuilder();
    reply.append(ByteString.fromByteBuffer(header));
    int zeroes = 0;
    for (BlockVolume.Piece p : pieces) {
      if (p.array() == null) {
        zeroes += p.length();
        continue;
      }
      appendZeroes(reply, zeroes);
      zeroes = 0;
      reply.append(ByteString.fromArrayUnsafe(p.array(), p.offset(), p.length()));
    }
    appendZeroes(reply, zeroes);
    return reply.result();
  }

  private static void appendZeroes(ByteStringBuilder reply, int count) {
    for (int left = count; left > 0; left -= ZEROES.length) {
      reply.append(ByteString.fromArrayUnsafe(ZEROES, 0, Math.min(left, ZEROES.length)));
    }
  }

  /**
   * Clips the volume's extents to the request, merges neighbours of equal status (proto.md: the
   * server SHOULD use different status values between consecutive descriptors) and honours
   * REQ_ONE. Extents that leave a gap end the reply early, which the spec allows.
   */
  private ByteString blockStatusReply(NbdRequest request, List<BlockVolume.Extent> extents) {
    long cursor = request.offset();
    long end = request.offset() + request.lengthBytes();
    int limit = request.hasFlag(NbdConstants.CMD_FLAG_REQ_ONE) ? 1 : BLOCK_STATUS_DESCRIPTORS_MAX;
    List<BlockStatusDescriptor> descriptors = new ArrayList<>();
    long runBytes = 0;
    int runFlags = 0;
    for (BlockVolume.Extent extent : extents) {
      if (cursor >= end) {
        break;
      }
      long extentEnd = extent.offset() + extent.length();
      if (extent.offset() > cursor || extentEnd <= cursor) {
        break;
      }
      long bytes = Math.min(extentEnd, end) - cursor;
      int flags = (extent.allocated() ? 0 : NbdConstants.STATE_HOLE)
          | (extent.zero() ? NbdConstants.STATE_ZERO : 0);
      if (runBytes > 0 && flags == runFlags) {
        runBytes += bytes;
      } else {
        if (runBytes > 0) {
          descriptors.add(new BlockStatusDescriptor(runBytes, runFlags));
          if (descriptors.size() == limit) {
            runBytes = 0;
            break;
          }
        }
        runBytes = bytes;
        runFlags = flags;
      }
      cursor += bytes;
    }
    if (runBytes > 0 && descriptors.size() < limit) {
      descriptors.add(new BlockStatusDescriptor(runBytes, runFlags));
    }
    if (descriptors.isEmpty()) {
      return error(request, NbdConstants.EIO, "volume reported no extent at " + request.offset());
    }
    return ByteString.fromByteBuffer(NbdReplies.blockStatus(NbdConstants.REPLY_FLAG_DONE,
        request.handle(), BASE_ALLOCATION_CONTEXT_ID, descriptors));
  }
}
