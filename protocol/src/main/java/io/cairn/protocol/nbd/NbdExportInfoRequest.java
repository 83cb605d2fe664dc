package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of {@link NbdConstants#OPT_INFO} and {@link NbdConstants#OPT_GO} (proto.md "Option
 * types"): 32-bit name length, name, 16-bit count of information requests, that many 16-bit
 * {@code NBD_INFO_*} codes. The layout must fill the option data exactly.
 *
 * @param exportName the export asked for; empty means the default export
 * @param infoRequests the information types the client asked for, in its order
 */
public record NbdExportInfoRequest(String exportName, List<Integer> infoRequests) {

  public NbdExportInfoRequest {
    infoRequests = List.copyOf(infoRequests);
  }

  /**
   * Parses the whole remaining buffer as the option's data.
   *
   * @throws NbdProtocolException {@code MALFORMED_OPTION} or {@code BAD_STRING}; the option's
   *     length was known, so the caller answers {@code NBD_REP_ERR_INVALID} and carries on
   */
  public static NbdExportInfoRequest decode(ByteBuffer data) {
    if (data.remaining() < 6) {
      throw malformed("needs at least 6 bytes, has " + data.remaining());
    }
    long nameBytes = Integer.toUnsignedLong(data.getInt());
    // proto.md: the name length "MUST be no larger than the option data length - 6".
    if (nameBytes > data.remaining() - 2L) {
      throw malformed("name length " + nameBytes + " overruns the option");
    }
    String name = NbdStrings.decode(data, (int) nameBytes);
    if (data.remaining() < 2) {
      throw malformed("no information request count");
    }
    int count = Short.toUnsignedInt(data.getShort());
    if (data.remaining() != 2L * count) {
      throw malformed(count + " information requests need " + 2L * count + " bytes, have "
          + data.remaining());
    }
    List<Integer> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      requests.add(Short.toUnsignedInt(data.getShort()));
    }
    return new NbdExportInfoRequest(name, requests);
  }

  /** Encodes the option data; used by clients and tests. */
  public ByteBuffer encode() {
    byte[] name = NbdStrings.encode(exportName);
    ByteBuffer out = ByteBuffer.allocate(4 + name.length + 2 + 2 * infoRequests.size());
    out.putInt(name.length).put(name).putShort((short) infoRequests.size());
    for (int info : infoRequests) {
      out.putShort((short) info);
    }
    return out.flip();
  }

  private static NbdProtocolException malformed(String message) {
    return new NbdProtocolException(NbdProtocolException.Reason.MALFORMED_OPTION, message);
  }
}
