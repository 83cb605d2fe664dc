package io.cairn.protocol.nbd;

/**
 * The numbers of the NBD protocol (NetworkBlockDevice/nbd, doc/proto.md, "Values"), as Java
 * {@code int}/{@code long} constants. Fields on the wire are unsigned and big-endian; a Java
 * {@code int} holding a 32-bit field is to be read with {@link Integer#toUnsignedLong}.
 *
 * <p>Only what Cairn speaks or must recognise is here: fixed newstyle negotiation, structured
 * replies, the {@code base:allocation} metadata context. Oldstyle negotiation, TLS and extended
 * headers are not spoken; their option codes exist so that they can be refused by name.
 */
public final class NbdConstants {

  private NbdConstants() {}

  /** The IANA port for newstyle negotiation. */
  public static final int DEFAULT_PORT = 10809;

  // ---- Magic numbers (proto.md "Newstyle negotiation", "Transmission") ----

  /** 'NBDMAGIC', the first 8 bytes the server sends. */
  public static final long INIT_MAGIC = 0x4e42444d41474943L;
  /** 'IHAVEOPT': the second server magic, and the magic of every option the client sends. */
  public static final long OPTION_MAGIC = 0x49484156454F5054L;
  /** Magic of each fixed-newstyle option reply. */
  public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
  public static final int REQUEST_MAGIC = 0x25609513;
  public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
  public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

  // ---- Handshake flags (server, 16 bits) and client flags (32 bits) ----

  public static final int FLAG_FIXED_NEWSTYLE = 1;
  public static final int FLAG_NO_ZEROES = 1 << 1;
  public static final int FLAG_C_FIXED_NEWSTYLE = 1;
  public static final int FLAG_C_NO_ZEROES = 1 << 1;
  /** Every client flag this server understands; any other bit set means the server must hang up. */
  public static final int CLIENT_FLAGS_KNOWN = FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES;

  // ---- Transmission flags (16 bits) ----

  public static final int FLAG_HAS_FLAGS = 1;
  public static final int FLAG_READ_ONLY = 1 << 1;
  public static final int FLAG_SEND_FLUSH = 1 << 2;
  public static final int FLAG_SEND_FUA = 1 << 3;
  public static final int FLAG_ROTATIONAL = 1 << 4;
  public static final int FLAG_SEND_TRIM = 1 << 5;
  public static final int FLAG_SEND_WRITE_ZEROES = 1 << 6;
  public static final int FLAG_SEND_DF = 1 << 7;
  public static final int FLAG_CAN_MULTI_CONN = 1 << 8;
  public static final int FLAG_SEND_RESIZE = 1 << 9;
  public static final int FLAG_SEND_CACHE = 1 << 10;
  public static final int FLAG_SEND_FAST_ZERO = 1 << 11;

  // ---- Option types ----

  public static final int OPT_EXPORT_NAME = 1;
  public static final int OPT_ABORT = 2;
  public static final int OPT_LIST = 3;
  public static final int OPT_PEEK_EXPORT = 4;
  public static final int OPT_STARTTLS = 5;
  public static final int OPT_INFO = 6;
  public static final int OPT_GO = 7;
  public static final int OPT_STRUCTURED_REPLY = 8;
  public static final int OPT_LIST_META_CONTEXT = 9;
  public static final int OPT_SET_META_CONTEXT = 10;
  public static final int OPT_EXTENDED_HEADERS = 11;

  // ---- Option reply types; errors have bit 31 set ----

  public static final int REP_ACK = 1;
  public static final int REP_SERVER = 2;
  public static final int REP_INFO = 3;
  public static final int REP_META_CONTEXT = 4;
  public static final int REP_FLAG_ERROR = 1 << 31;
  public static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
  public static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
  public static final int REP_ERR_INVALID = REP_FLAG_ERROR | 3;
  public static final int REP_ERR_PLATFORM = REP_FLAG_ERROR | 4;
  public static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
  public static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;
  public static final int REP_ERR_SHUTDOWN = REP_FLAG_ERROR | 7;
  public static final int REP_ERR_BLOCK_SIZE_REQD = REP_FLAG_ERROR | 8;
  public static final int REP_ERR_TOO_BIG = REP_FLAG_ERROR | 9;

  // ---- NBD_REP_INFO information types ----

  public static final int INFO_EXPORT = 0;
  public static final int INFO_NAME = 1;
  public static final int INFO_DESCRIPTION = 2;
  public static final int INFO_BLOCK_SIZE = 3;

  // ---- Commands and command flags ----

  public static final int CMD_READ = 0;
  public static final int CMD_WRITE = 1;
  public static final int CMD_DISC = 2;
  public static final int CMD_FLUSH = 3;
  public static final int CMD_TRIM = 4;
  public static final int CMD_CACHE = 5;
  public static final int CMD_WRITE_ZEROES = 6;
  public static final int CMD_BLOCK_STATUS = 7;

  public static final int CMD_FLAG_FUA = 1;
  public static final int CMD_FLAG_NO_HOLE = 1 << 1;
  public static final int CMD_FLAG_DF = 1 << 2;
  public static final int CMD_FLAG_REQ_ONE = 1 << 3;
  public static final int CMD_FLAG_FAST_ZERO = 1 << 4;

  // ---- Structured reply flags and chunk types ----

  public static final int REPLY_FLAG_DONE = 1;
  public static final int REPLY_TYPE_NONE = 0;
  public static final int REPLY_TYPE_OFFSET_DATA = 1;
  public static final int REPLY_TYPE_OFFSET_HOLE = 2;
  public static final int REPLY_TYPE_BLOCK_STATUS = 5;
  /** Error chunk types have bit 15 set. */
  public static final int REPLY_TYPE_ERROR = (1 << 15) + 1;
  public static final int REPLY_TYPE_ERROR_OFFSET = (1 << 15) + 2;

  // ---- base:allocation status flags ----

  public static final String META_CONTEXT_BASE_ALLOCATION = "base:allocation";
  public static final int STATE_HOLE = 1;
  public static final int STATE_ZERO = 1 << 1;

  // ---- Error values (proto.md "Error values"): fixed numbers, not the host's errno ----

  public static final int EPERM = 1;
  public static final int EIO = 5;
  public static final int ENOMEM = 12;
  public static final int EINVAL = 22;
  public static final int ENOSPC = 28;
  public static final int EOVERFLOW = 75;
  public static final int ENOTSUP = 95;
  public static final int ESHUTDOWN = 108;

  // ---- Sizes ----

  /** proto.md "Conventions": strings (export names, contexts, messages) MUST be at most this long. */
  public static final int STRING_BYTES_MAX = 4096;
  /** Clients SHOULD NOT send larger READ/WRITE payloads unless told otherwise; 2^25 bytes. */
  public static final int INTEROPERABLE_PAYLOAD_BYTES = 1 << 25;
  /** The 124 reserved zero bytes after an NBD_OPT_EXPORT_NAME reply, unless NO_ZEROES. */
  public static final int EXPORT_NAME_PADDING_BYTES = 124;
}
