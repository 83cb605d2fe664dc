package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encoders for what a server sends during fixed newstyle negotiation (proto.md "Fixed newstyle
 * negotiation", "Option reply types"). Every method returns a fresh buffer, flipped and ready to
 * send; none keeps state, so the session's state machine lives with the server.
 */
public final class NbdHandshake {

  private NbdHandshake() {}

  /** Bytes of the server greeting: 'NBDMAGIC', 'IHAVEOPT', 16-bit handshake flags. */
  public static final int GREETING_BYTES = 18;
  /** Bytes of the client's reply to the greeting: 32-bit client flags. */
  public static final int CLIENT_FLAGS_BYTES = 4;
  /** Bytes of an option reply header, before its data. */
  public static final int OPTION_REPLY_HEADER_BYTES = 20;

  public static ByteBuffer greeting(int handshakeFlags) {
    return ByteBuffer.allocate(GREETING_BYTES)
        .putLong(NbdConstants.INIT_MAGIC)
        .putLong(NbdConstants.OPTION_MAGIC)
        .putShort((short) handshakeFlags)
        .flip();
  }

  /** An option reply with no data, e.g. {@code NBD_REP_ACK}. */
  public static ByteBuffer optionReply(int option, int replyType) {
    return optionReply(option, replyType, ByteBuffer.allocate(0));
  }

  /** An option reply whose data is the buffer's remaining bytes (the buffer is not modified). */
  public static ByteBuffer optionReply(int option, int replyType, ByteBuffer data) {
    ByteBuffer out = ByteBuffer.allocate(OPTION_REPLY_HEADER_BYTES + data.remaining());
    out.putLong(NbdConstants.OPTION_REPLY_MAGIC)
        .putInt(option)
        .putInt(replyType)
        .putInt(data.remaining())
        .put(data.duplicate());
    return out.flip();
  }

  /**
   * An error reply carrying a message for a human (proto.md: "All error replies MAY have some
   * data set, in which case that data is an error message string").
   */
  public static ByteBuffer optionError(int option, int errorType, String message) {
    if ((errorType & NbdConstants.REP_FLAG_ERROR) == 0) {
      throw new IllegalArgumentException("not an error reply type: " + errorType);
    }
    byte[] text = truncatedUtf8(message, NbdConstants.STRING_BYTES_MAX);
    return optionReply(option, errorType, ByteBuffer.wrap(text));
  }

  /** {@code NBD_REP_SERVER}: one export in the reply to {@code NBD_OPT_LIST}. */
  public static ByteBuffer server(String exportName) {
    byte[] name = NbdStrings.encode(exportName);
    ByteBuffer data = ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).flip();
    return optionReply(NbdConstants.OPT_LIST, NbdConstants.REP_SERVER, data);
  }

  /** {@code NBD_REP_INFO} / {@code NBD_INFO_EXPORT}: size and transmission flags. */
  public static ByteBuffer infoExport(int option, long sizeBytes, int transmissionFlags) {
    ByteBuffer data = ByteBuffer.allocate(12)
        .putShort((short) NbdConstants.INFO_EXPORT)
        .putLong(sizeBytes)
        .putShort((short) transmissionFlags)
        .flip();
    return optionReply(option, NbdConstants.REP_INFO, data);
  }

  /** {@code NBD_REP_INFO} / {@code NBD_INFO_NAME}: the export's canonical name. */
  public static ByteBuffer infoName(int option, String exportName) {
    byte[] name = NbdStrings.encode(exportName);
    ByteBuffer data = ByteBuffer.allocate(2 + name.length)
        .putShort((short) NbdConstants.INFO_NAME)
        .put(name)
        .flip();
    return optionReply(option, NbdConstants.REP_INFO, data);
  }

  /** {@code NBD_REP_INFO} / {@code NBD_INFO_DESCRIPTION}: text for a human. */
  public static ByteBuffer infoDescription(int option, String description) {
    byte[] text = truncatedUtf8(description, NbdConstants.STRING_BYTES_MAX);
    ByteBuffer data = ByteBuffer.allocate(2 + text.length)
        .putShort((short) NbdConstants.INFO_DESCRIPTION)
        .put(text)
        .flip();
    return optionReply(option, NbdConstants.REP_INFO, data);
  }

  /**
   * {@code NBD_REP_INFO} / {@code NBD_INFO_BLOCK_SIZE}. proto.md "Block size constraints": the
   * minimum is a power of two of at most 2^16, the preferred a power of two of at least
   * max(minimum, 512), the maximum a multiple of the minimum.
   */
  public static ByteBuffer infoBlockSize(
      int option, int minimumBytes, int preferredBytes, int maximumBytes) {
    if (Integer.bitCount(minimumBytes) != 1 || minimumBytes > 1 << 16) {
      throw new IllegalArgumentException("minimum block size " + minimumBytes);
    }
    if (Integer.bitCount(preferredBytes) != 1 || preferredBytes < Math.max(minimumBytes, 512)) {
      throw new IllegalArgumentException("preferred block size " + preferredBytes);
    }
    if (maximumBytes % minimumBytes != 0) {
      throw new IllegalArgumentException("maximum block size " + maximumBytes);
    }
    ByteBuffer data = ByteBuffer.allocate(14)
        .putShort((short) NbdConstants.INFO_BLOCK_SIZE)
        .putInt(minimumBytes)
        .putInt(preferredBytes)
        .putInt(maximumBytes)
        .flip();
    return optionReply(option, NbdConstants.REP_INFO, data);
  }

  /** {@code NBD_REP_META_CONTEXT}: a context id and its name. */
  public static ByteBuffer metaContext(int option, int contextId, String contextName) {
    byte[] name = NbdStrings.encode(contextName);
    ByteBuffer data = ByteBuffer.allocate(4 + name.length).putInt(contextId).put(name).flip();
    return optionReply(option, NbdConstants.REP_META_CONTEXT, data);
  }

  /**
   * The reply to {@code NBD_OPT_EXPORT_NAME}, which has no option-reply header: 64-bit size,
   * 16-bit transmission flags, then 124 zero bytes unless the client negotiated NO_ZEROES.
   */
  public static ByteBuffer exportNameReply(long sizeBytes, int transmissionFlags, boolean noZeroes) {
    int padding = noZeroes ? 0 : NbdConstants.EXPORT_NAME_PADDING_BYTES;
    return ByteBuffer.allocate(10 + padding)
        .putLong(sizeBytes)
        .putShort((short) transmissionFlags)
        .position(10 + padding)
        .flip();
  }

  /** Cuts a message to fit the protocol's string limit without splitting a UTF-8 sequence. */
  static byte[] truncatedUtf8(String text, int maxBytes) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= maxBytes) {
      return bytes;
    }
    int end = maxBytes;
    // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    byte[] cut = new byte[end];
    System.arraycopy(bytes, 0, cut, 0, end);
    return cut;
  }
}
