package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;

/**
 * A transmission-phase request header (proto.md "Request message"): 28 bytes, followed by
 * {@code length} bytes of payload for {@link NbdConstants#CMD_WRITE} only.
 *
 * <p>{@code offset} is an unsigned 64-bit value held in a {@code long} and {@code lengthBytes} an
 * unsigned 32-bit value widened to a {@code long}, so neither can be mistaken for a negative
 * number; range checks belong to the server, not to the codec.
 *
 * @param commandFlags the 16-bit command flags
 * @param type the 16-bit command type
 * @param handle the client's opaque cookie, echoed in the reply
 * @param offset byte offset into the export (unsigned)
 * @param lengthBytes byte count, 0 to 2^32 - 1
 */
public record NbdRequest(int commandFlags, int type, long handle, long offset, long lengthBytes) {

  public static final int HEADER_BYTES = 28;

  /**
   * Reads one header from the buffer's position.
   *
   * @throws NbdProtocolException {@code TRUNCATED} if fewer than {@link #HEADER_BYTES} remain
   *     (the position is then unchanged), {@code BAD_MAGIC} if the magic is wrong (the header's
   *     bytes are consumed)
   */
  public static NbdRequest decode(ByteBuffer in) {
    if (in.remaining() < HEADER_BYTES) {
      throw new NbdProtocolException(
          NbdProtocolException.Reason.TRUNCATED,
          "request header needs " + HEADER_BYTES + " bytes, have " + in.remaining());
    }
    int magic = in.getInt();
    int flags = Short.toUnsignedInt(in.getShort());
    int type = Short.toUnsignedInt(in.getShort());
    long handle = in.getLong();
    long offset = in.getLong();
    long length = Integer.toUnsignedLong(in.getInt());
    if (magic != NbdConstants.REQUEST_MAGIC) {
      throw new NbdProtocolException(
          NbdProtocolException.Reason.BAD_MAGIC,
          String.format("request magic 0x%08x, expected 0x%08x", magic, NbdConstants.REQUEST_MAGIC));
    }
    return new NbdRequest(flags, type, handle, offset, length);
  }

  /** Writes the 28-byte header (not the payload); used by clients and tests. */
  public void encode(ByteBuffer out) {
    out.putInt(NbdConstants.REQUEST_MAGIC)
        .putShort((short) commandFlags)
        .putShort((short) type)
        .putLong(handle)
        .putLong(offset)
        .putInt((int) lengthBytes);
  }

  public ByteBuffer encode() {
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES);
    encode(out);
    return out.flip();
  }

  public boolean hasFlag(int flag) {
    return (commandFlags & flag) != 0;
  }
}
