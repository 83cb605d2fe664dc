/*
 * An encrypted chunk failed authentication: its ciphertext, tag, nonce or associated data (volume,
 * chunk id, header) is not what was sealed. No plaintext is released.
 */
package io.cairn.offload.crypto;

public final class ChunkIntegrityException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ChunkIntegrityException(String detail, Throwable cause) {
    super(detail, cause);
  }
}
