package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Encoders for transmission-phase replies (proto.md "Simple reply message", "Structured reply
 * chunk message", "Structured reply types"). Payload bytes are not copied in here: methods that
 * precede data (a READ's bytes) return only the header, and the caller sends the data after it.
 */
public final class NbdReplies {

  private NbdReplies() {}

  public static final int SIMPLE_HEADER_BYTES = 16;
  public static final int STRUCTURED_HEADER_BYTES = 20;
  /** The structured header plus the 64-bit offset that starts an OFFSET_DATA payload. */
  public static final int OFFSET_DATA_HEADER_BYTES = STRUCTURED_HEADER_BYTES + 8;
  /** A structured reply chunk's payload holds an offset and the data; its length is 32 bits. */
  public static final long OFFSET_DATA_BYTES_MAX = 0xFFFF_FFFFL - 8;

  /** A simple reply header; for a successful READ the data follows it. */
  public static ByteBuffer simple(int error, long handle) {
    return ByteBuffer.allocate(SIMPLE_HEADER_BYTES)
        .putInt(NbdConstants.SIMPLE_REPLY_MAGIC)
        .putInt(error)
        .putLong(handle)
        .flip();
  }

  /** The header of an {@code NBD_REPLY_TYPE_OFFSET_DATA} chunk; {@code dataBytes} follow it. */
  public static ByteBuffer offsetDataHeader(int replyFlags, long handle, long offset, int dataBytes) {
    if (dataBytes < 1) {
      // proto.md: "length MUST be at least 9" — a data chunk describes at least one byte.
      throw new IllegalArgumentException("an OFFSET_DATA chunk carries at least one byte");
    }
    ByteBuffer out = ByteBuffer.allocate(OFFSET_DATA_HEADER_BYTES);
    putStructuredHeader(out, replyFlags, NbdConstants.REPLY_TYPE_OFFSET_DATA, handle, 8 + dataBytes);
    return out.putLong(offset).flip();
  }

  /** An {@code NBD_REPLY_TYPE_OFFSET_HOLE} chunk: {@code holeBytes} zeroes at {@code offset}. */
  public static ByteBuffer offsetHole(int replyFlags, long handle, long offset, int holeBytes) {
    if (holeBytes == 0) {
      throw new IllegalArgumentException("hole size MUST be nonzero");
    }
    ByteBuffer out = ByteBuffer.allocate(STRUCTURED_HEADER_BYTES + 12);
    putStructuredHeader(out, replyFlags, NbdConstants.REPLY_TYPE_OFFSET_HOLE, handle, 12);
    return out.putLong(offset).putInt(holeBytes).flip();
  }

  /** {@code NBD_REPLY_TYPE_NONE}, always final. */
  public static ByteBuffer none(long handle) {
    ByteBuffer out = ByteBuffer.allocate(STRUCTURED_HEADER_BYTES);
    putStructuredHeader(out, NbdConstants.REPLY_FLAG_DONE, NbdConstants.REPLY_TYPE_NONE, handle, 0);
    return out.flip();
  }

  /** {@code NBD_REPLY_TYPE_ERROR}: a nonzero error and a message for a human. */
  public static ByteBuffer error(int replyFlags, long handle, int error, String message) {
    if (error == 0) {
      throw new IllegalArgumentException("an error chunk's error MUST be nonzero");
    }
    // The message length field is 16 bits; proto.md's string limit (4096) is tighter still.
    byte[] text = NbdHandshake.truncatedUtf8(message, NbdConstants.STRING_BYTES_MAX);
    ByteBuffer out = ByteBuffer.allocate(STRUCTURED_HEADER_BYTES + 6 + text.length);
    putStructuredHeader(out, replyFlags, NbdConstants.REPLY_TYPE_ERROR, handle, 6 + text.length);
    return out.putInt(error).putShort((short) text.length).put(text).flip();
  }

  /** One {@code base:allocation}-style descriptor: a nonzero unsigned 32-bit length and flags. */
  public record BlockStatusDescriptor(long lengthBytes, int statusFlags) {
    public BlockStatusDescriptor {
      if (lengthBytes <= 0 || lengthBytes > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("descriptor length " + lengthBytes);
      }
    }
  }

  /** {@code NBD_REPLY_TYPE_BLOCK_STATUS}: the context id and at least one descriptor. */
  public static ByteBuffer blockStatus(
      int replyFlags, long handle, int contextId, List<BlockStatusDescriptor> descriptors) {
    if (descriptors.isEmpty()) {
      throw new IllegalArgumentException("a block status chunk needs at least one descriptor");
    }
    int payload = 4 + 8 * descriptors.size();
    ByteBuffer out = ByteBuffer.allocate(STRUCTURED_HEADER_BYTES + payload);
    putStructuredHeader(out, replyFlags, NbdConstants.REPLY_TYPE_BLOCK_STATUS, handle, payload);
    out.putInt(contextId);
    for (BlockStatusDescriptor d : descriptors) {
      out.putInt((int) d.lengthBytes()).putInt(d.statusFlags());
    }
    return out.flip();
  }

  private static void putStructuredHeader(
      ByteBuffer out, int flags, int type, long handle, int payloadBytes) {
    out.putInt(NbdConstants.STRUCTURED_REPLY_MAGIC)
        .putShort((short) flags)
        .putShort((short) type)
        .putLong(handle)
        .putInt(payloadBytes);
  }
}
