package io.cairn.node.frontend.nbd;

import io.cairn.protocol.nbd.NbdConstants;
import io.cairn.protocol.nbd.NbdExportInfoRequest;
import io.cairn.protocol.nbd.NbdHandshake;
import io.cairn.protocol.nbd.NbdMetaContextRequest;
import io.cairn.protocol.nbd.NbdOptionHeader;
import io.cairn.protocol.nbd.NbdOptionReply;
import io.cairn.protocol.nbd.NbdReplyHeader;
import io.cairn.protocol.nbd.NbdRequest;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small blocking NBD client for tests, built on the protocol codec: raw access for malformed
 * input, and typed helpers for a well-behaved session. Not thread-safe.
 */
public final class NbdTestClient implements AutoCloseable {

  /** One complete reply: error 0 on success, read data or block-status descriptors if any. */
  public record Reply(long handle, int error, byte[] data, List<long[]> descriptors, boolean structured) {}

  final Socket socket;
  final DataInputStream in;
  final OutputStream out;
  boolean structured;
  int handshakeFlags;
  long exportSizeBytes;
  int transmissionFlags;
  private final AtomicLong handles = new AtomicLong(1);
  private final Map<Long, NbdRequest> pending = new ConcurrentHashMap<>();

  private NbdTestClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects and reads the 18-byte greeting. */
  public static NbdTestClient connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    NbdTestClient client = new NbdTestClient(socket);
    long init = client.in.readLong();
    long opt = client.in.readLong();
    if (init != NbdConstants.INIT_MAGIC || opt != NbdConstants.OPTION_MAGIC) {
      throw new IOException("bad greeting");
    }
    client.handshakeFlags = client.in.readUnsignedShort();
    return client;
  }

  /** A full, well-behaved handshake ending in NBD_OPT_GO. */
  public static NbdTestClient open(int port, String export, boolean structured, boolean baseAllocation)
      throws IOException {
    NbdTestClient client = connect(port);
    client.clientFlags(NbdConstants.FLAG_C_FIXED_NEWSTYLE | NbdConstants.FLAG_C_NO_ZEROES);
    if (structured) {
      client.expectAck(client.option(NbdConstants.OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0)));
      client.structured = true;
    }
    if (baseAllocation) {
      List<NbdOptionReply> replies = client.optionFinal(NbdConstants.OPT_SET_META_CONTEXT,
          new NbdMetaContextRequest(export, List.of(NbdConstants.META_CONTEXT_BASE_ALLOCATION))
              .encode());
      client.expectAck(replies.get(replies.size() - 1));
    }
    client.go(export);
    return client;
  }

  void go(String export) throws IOException {
    List<NbdOptionReply> replies = optionFinal(NbdConstants.OPT_GO,
        new NbdExportInfoRequest(export, List.of(NbdConstants.INFO_BLOCK_SIZE)).encode());
    NbdOptionReply last = replies.get(replies.size() - 1);
    expectAck(last);
    for (NbdOptionReply reply : replies) {
      if (reply.replyType() == NbdConstants.REP_INFO
          && reply.data().getShort(0) == NbdConstants.INFO_EXPORT) {
        exportSizeBytes = reply.data().getLong(2);
        transmissionFlags = Short.toUnsignedInt(reply.data().getShort(10));
      }
    }
  }

  void clientFlags(int flags) throws IOException {
    out.write(ByteBuffer.allocate(4).putInt(flags).array());
    out.flush();
  }

  void sendOption(int option, ByteBuffer data) throws IOException {
    writeBuffer(new NbdOptionHeader(option, data.remaining()).encode());
    writeBuffer(data);
    out.flush();
  }

  NbdOptionReply option(int option, ByteBuffer data) throws IOException {
    sendOption(option, data);
    return readOptionReply();
  }

  /** Sends an option and reads replies up to the final one (ACK or an error). */
  List<NbdOptionReply> optionFinal(int option, ByteBuffer data) throws IOException {
    sendOption(option, data);
    List<NbdOptionReply> replies = new ArrayList<>();
    while (true) {
      NbdOptionReply reply = readOptionReply();
      replies.add(reply);
      if (reply.replyType() == NbdConstants.REP_ACK || reply.isError()) {
        return replies;
      }
    }
  }

  NbdOptionReply readOptionReply() throws IOException {
    byte[] header = in.readNBytes(NbdHandshake.OPTION_REPLY_HEADER_BYTES);
    if (header.length < NbdHandshake.OPTION_REPLY_HEADER_BYTES) {
      throw new EOFException("connection closed before an option reply");
    }
    long length = NbdOptionReply.dataBytes(ByteBuffer.wrap(header));
    byte[] data = in.readNBytes((int) length);
    return NbdOptionReply.decode(
        ByteBuffer.allocate(header.length + data.length).put(header).put(data).flip());
  }

  void expectAck(NbdOptionReply reply) throws IOException {
    if (reply.replyType() != NbdConstants.REP_ACK) {
      throw new IOException("expected ACK, got 0x" + Integer.toHexString(reply.replyType()));
    }
  }

  // ---- Transmission ----

  public long send(int type, int flags, long offset, long length, byte[] payload) throws IOException {
    long handle = handles.getAndIncrement();
    NbdRequest request = new NbdRequest(flags, type, handle, offset, length);
    pending.put(handle, request);
    writeBuffer(request.encode());
    if (payload != null) {
      out.write(payload);
    }
    out.flush();
    return handle;
  }

  /** Reads one complete reply (all chunks of one handle; the server does not interleave). */
  public Reply readReply() throws IOException {
    byte[] magic = in.readNBytes(4);
    if (magic.length < 4) {
      throw new EOFException("connection closed");
    }
    int headerBytes = NbdReplyHeader.headerBytes(ByteBuffer.wrap(magic).getInt());
    byte[] rest = in.readNBytes(headerBytes - 4);
    NbdReplyHeader header = NbdReplyHeader.decode(
        ByteBuffer.allocate(headerBytes).put(magic).put(rest).flip());
    NbdRequest request = pending.remove(header.handle());
    if (request == null) {
      throw new IOException("reply for unknown handle " + header.handle());
    }
    if (!header.structured()) {
      byte[] data = null;
      if (header.error() == 0 && request.type() == NbdConstants.CMD_READ) {
        data = in.readNBytes((int) request.lengthBytes());
      }
      return new Reply(header.handle(), header.error(), data, List.of(), false);
    }
    int error = 0;
    byte[] data = request.type() == NbdConstants.CMD_READ ? new byte[(int) request.lengthBytes()] : null;
    List<long[]> descriptors = new ArrayList<>();
    while (true) {
      byte[] payload = in.readNBytes((int) header.payloadBytes());
      ByteBuffer p = ByteBuffer.wrap(payload);
      switch (header.type()) {
        case NbdConstants.REPLY_TYPE_OFFSET_DATA -> {
          long offset = p.getLong();
          p.get(data, (int) (offset - request.offset()), p.remaining());
        }
        case NbdConstants.REPLY_TYPE_OFFSET_HOLE -> { }
        case NbdConstants.REPLY_TYPE_BLOCK_STATUS -> {
          p.getInt();
          while (p.hasRemaining()) {
            descriptors.add(new long[] {Integer.toUnsignedLong(p.getInt()), p.getInt()});
          }
        }
        case NbdConstants.REPLY_TYPE_ERROR -> error = p.getInt();
        case NbdConstants.REPLY_TYPE_NONE -> { }
        default -> throw new IOException("unexpected chunk type " + header.type());
      }
      if (header.done()) {
        return new Reply(header.handle(), error, error == 0 ? data : null, descriptors, true);
      }
      byte[] next = in.readNBytes(20);
      header = NbdReplyHeader.decode(ByteBuffer.wrap(next));
    }
  }

  public Reply call(int type, int flags, long offset, long length, byte[] payload) throws IOException {
    send(type, flags, offset, length, payload);
    return readReply();
  }

  public Reply write(long offset, byte[] data) throws IOException {
    return call(NbdConstants.CMD_WRITE, 0, offset, data.length, data);
  }

  public Reply read(long offset, int length) throws IOException {
    return call(NbdConstants.CMD_READ, 0, offset, length, null);
  }

  public Reply flush() throws IOException {
    return call(NbdConstants.CMD_FLUSH, 0, 0, 0, null);
  }

  public void disconnect() throws IOException {
    send(NbdConstants.CMD_DISC, 0, 0, 0, null);
  }

  /** True if the server closed the connection (end of stream or reset) within the timeout. */
  boolean closedByServer() {
    try {
      socket.setSoTimeout(5_000);
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  private void writeBuffer(ByteBuffer buffer) throws IOException {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    out.write(bytes);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
