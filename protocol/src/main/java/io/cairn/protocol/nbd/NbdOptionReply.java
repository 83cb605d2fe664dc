package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;

/**
 * An option reply as a client reads it (proto.md "Fixed newstyle negotiation"): 64-bit magic,
 * 32-bit option, 32-bit reply type, 32-bit length, data. Used by clients and tests.
 *
 * @param option the option this answers
 * @param replyType {@code NBD_REP_*}; bit 31 set for errors
 * @param data the reply's data, positioned at its start
 */
public record NbdOptionReply(int option, int replyType, ByteBuffer data) {

  public boolean isError() {
    return (replyType & NbdConstants.REP_FLAG_ERROR) != 0;
  }

  /** The data length announced by a 20-byte header at the buffer's position (not consumed). */
  public static long dataBytes(ByteBuffer header) {
    return Integer.toUnsignedLong(header.getInt(header.position() + 16));
  }

  /**
   * Decodes one complete reply (header and data) from the buffer's position.
   *
   * @throws NbdProtocolException if the magic is wrong or the reply is incomplete
   */
  public static NbdOptionReply decode(ByteBuffer in) {
    if (in.remaining() < NbdHandshake.OPTION_REPLY_HEADER_BYTES) {
      throw new NbdProtocolException(NbdProtocolException.Reason.TRUNCATED, "option reply header");
    }
    long magic = in.getLong();
    int option = in.getInt();
    int type = in.getInt();
    long length = Integer.toUnsignedLong(in.getInt());
    if (magic != NbdConstants.OPTION_REPLY_MAGIC) {
      throw new NbdProtocolException(
          NbdProtocolException.Reason.BAD_MAGIC, String.format("option reply magic 0x%x", magic));
    }
    if (length > in.remaining()) {
      throw new NbdProtocolException(NbdProtocolException.Reason.TRUNCATED, "option reply data");
    }
    ByteBuffer data = in.slice().limit((int) length);
    in.position(in.position() + (int) length);
    return new NbdOptionReply(option, type, data);
  }
}
