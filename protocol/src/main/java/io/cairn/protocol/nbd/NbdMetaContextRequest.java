package io.cairn.protocol.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of {@link NbdConstants#OPT_LIST_META_CONTEXT} and {@link
 * NbdConstants#OPT_SET_META_CONTEXT} (proto.md "Option types"): 32-bit export name length, name,
 * 32-bit number of queries, then per query a 32-bit length and the query string.
 *
 * @param exportName the export the contexts are for
 * @param queries the query strings, each meant to start with a namespace and a colon
 */
public record NbdMetaContextRequest(String exportName, List<String> queries) {

  public NbdMetaContextRequest {
    queries = List.copyOf(queries);
  }

  /**
   * Parses the whole remaining buffer as the option's data.
   *
   * @throws NbdProtocolException {@code MALFORMED_OPTION} or {@code BAD_STRING}; the caller
   *     answers {@code NBD_REP_ERR_INVALID} and carries on
   */
  public static NbdMetaContextRequest decode(ByteBuffer data) {
    String name = lengthPrefixed(data, "export name");
    if (data.remaining() < 4) {
      throw malformed("no query count");
    }
    long count = Integer.toUnsignedLong(data.getInt());
    // Each query takes at least its 4-byte length, so a count the data cannot hold is refused
    // before anything is allocated for it.
    if (count > data.remaining() / 4) {
      throw malformed(count + " queries cannot fit in " + data.remaining() + " bytes");
    }
    List<String> queries = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      queries.add(lengthPrefixed(data, "query"));
    }
    if (data.hasRemaining()) {
      throw malformed(data.remaining() + " bytes after the last query");
    }
    return new NbdMetaContextRequest(name, queries);
  }

  /** Encodes the option data; used by clients and tests. */
  public ByteBuffer encode() {
    byte[] name = NbdStrings.encode(exportName);
    List<byte[]> encoded = queries.stream().map(NbdStrings::encode).toList();
    int total = 4 + name.length + 4 + encoded.stream().mapToInt(q -> 4 + q.length).sum();
    ByteBuffer out = ByteBuffer.allocate(total).putInt(name.length).put(name);
    out.putInt(encoded.size());
    for (byte[] query : encoded) {
      out.putInt(query.length).put(query);
    }
    return out.flip();
  }

  private static String lengthPrefixed(ByteBuffer data, String what) {
    if (data.remaining() < 4) {
      throw malformed("no length for the " + what);
    }
    long bytes = Integer.toUnsignedLong(data.getInt());
    if (bytes > data.remaining()) {
      throw malformed(what + " of " + bytes + " bytes overruns the option");
    }
    return NbdStrings.decode(data, (int) bytes);
  }

  private static NbdProtocolException malformed(String message) {
    return new NbdProtocolException(NbdProtocolException.Reason.MALFORMED_OPTION, message);
  }
}
