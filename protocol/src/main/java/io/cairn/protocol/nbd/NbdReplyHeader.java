package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;

/**
 * A transmission reply header as a client reads it: either a simple reply (16 bytes) or a
 * structured chunk header (20 bytes), told apart by the magic. Used by clients and tests.
 *
 * @param structured true for a structured reply chunk
 * @param error the simple reply's error (0 for structured chunks, whose errors are in the payload)
 * @param replyFlags structured chunk flags (0 for simple replies)
 * @param type structured chunk type (0 for simple replies)
 * @param handle the request's handle
 * @param payloadBytes the structured chunk's payload length (0 for simple replies, whose READ
 *     data length the client knows from its request)
 */
public record NbdReplyHeader(
    boolean structured, int error, int replyFlags, int type, long handle, long payloadBytes) {

  /** Header bytes needed before {@link #decode} can succeed, given the first 4 (the magic). */
  public static int headerBytes(int magic) {
    return magic == NbdConstants.STRUCTURED_REPLY_MAGIC
        ? NbdReplies.STRUCTURED_HEADER_BYTES
        : NbdReplies.SIMPLE_HEADER_BYTES;
  }

  /**
   * Decodes one header from the buffer's position.
   *
   * @throws NbdProtocolException {@code BAD_MAGIC} for an unknown magic, {@code TRUNCATED} if the
   *     header is incomplete
   */
  public static NbdReplyHeader decode(ByteBuffer in) {
    if (in.remaining() < 4) {
      throw new NbdProtocolException(NbdProtocolException.Reason.TRUNCATED, "reply magic");
    }
    int magic = in.getInt(in.position());
    if (magic != NbdConstants.SIMPLE_REPLY_MAGIC && magic != NbdConstants.STRUCTURED_REPLY_MAGIC) {
      throw new NbdProtocolException(
          NbdProtocolException.Reason.BAD_MAGIC, String.format("reply magic 0x%08x", magic));
    }
    if (in.remaining() < headerBytes(magic)) {
      throw new NbdProtocolException(NbdProtocolException.Reason.TRUNCATED, "reply header");
    }
    in.getInt();
    if (magic == NbdConstants.SIMPLE_REPLY_MAGIC) {
      int error = in.getInt();
      long handle = in.getLong();
      return new NbdReplyHeader(false, error, 0, 0, handle, 0);
    }
    int flags = Short.toUnsignedInt(in.getShort());
    int type = Short.toUnsignedInt(in.getShort());
    long handle = in.getLong();
    long length = Integer.toUnsignedLong(in.getInt());
    return new NbdReplyHeader(true, 0, flags, type, handle, length);
  }

  public boolean done() {
    return !structured || (replyFlags & NbdConstants.REPLY_FLAG_DONE) != 0;
  }
}
