package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;

/**
 * The 16-byte header of a client option during fixed newstyle negotiation (proto.md "Newstyle
 * negotiation"): magic 'IHAVEOPT', 32-bit option, 32-bit data length. The data follows.
 *
 * @param option the option code
 * @param dataBytes the length of the option data, unsigned 32-bit widened to {@code long}
 */
public record NbdOptionHeader(int option, long dataBytes) {

  public static final int HEADER_BYTES = 16;

  /**
   * Reads a header from the buffer's position.
   *
   * @throws NbdProtocolException {@code TRUNCATED} if fewer than 16 bytes remain, {@code
   *     BAD_MAGIC} if the magic is wrong — the session cannot continue after either
   */
  public static NbdOptionHeader decode(ByteBuffer in) {
    if (in.remaining() < HEADER_BYTES) {
      throw new NbdProtocolException(
          NbdProtocolException.Reason.TRUNCATED, "option header needs 16 bytes");
    }
    long magic = in.getLong();
    int option = in.getInt();
    long length = Integer.toUnsignedLong(in.getInt());
    if (magic != NbdConstants.OPTION_MAGIC) {
      throw new NbdProtocolException(
          NbdProtocolException.Reason.BAD_MAGIC, String.format("option magic 0x%016x", magic));
    }
    return new NbdOptionHeader(option, length);
  }

  /** Writes the header; used by clients and tests. */
  public ByteBuffer encode() {
    return ByteBuffer.allocate(HEADER_BYTES)
        .putLong(NbdConstants.OPTION_MAGIC)
        .putInt(option)
        .putInt((int) dataBytes)
        .flip();
  }
}
