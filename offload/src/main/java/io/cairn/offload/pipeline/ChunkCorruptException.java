/*
 * A chunk cannot be decoded to the block it claims to be. The reason says what failed, so that a
 * reader can react (reconstruct from other shards, report a scrub error) without parsing messages.
 * The cause, when present, is the engine's own typed exception.
 */
package io.cairn.offload.pipeline;

import io.cairn.offload.dedup.Fingerprint;

public final class ChunkCorruptException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Reason {
    /** Fewer (or more) bytes than the header announces, or shorter than a header. */
    TRUNCATED,
    /** Unknown format version, flags, or a length outside the format's bounds. */
    BAD_HEADER,
    /** The header names a compression codec this build does not know. */
    UNKNOWN_CODEC,
    /** Not encrypted although the volume requires it, or encrypted with no key available. */
    ENCRYPTION_MISMATCH,
    /** AES-GCM authentication failed: ciphertext, tag, nonce, header, volume or id were modified. */
    AUTHENTICATION,
    /** The payload did not decompress to the original length. */
    DECOMPRESSION,
    /** The decoded block's fingerprint differs from the chunk id. */
    FINGERPRINT_MISMATCH
  }

  private final Reason reason;
  private final transient Fingerprint id;

  public ChunkCorruptException(Reason reason, Fingerprint id, String detail, Throwable cause) {
    super("chunk " + (id == null ? "?" : id.toHex()) + " " + reason + ": " + detail, cause);
    this.reason = reason;
    this.id = id;
  }

  public Reason reason() { return reason; }

  public Fingerprint id() { return id; }
}
