/*
 * A wrapped data key does not unwrap under the given master key: wrong master key version, or the
 * wrapped bytes were corrupted (the RFC 3394 integrity check failed).
 */
package io.cairn.offload.crypto;

public final class KeyUnwrapException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int masterKeyVersion;

  public KeyUnwrapException(int masterKeyVersion, String detail, Throwable cause) {
    super("cannot unwrap data key with master key version " + masterKeyVersion + ": " + detail, cause);
    this.masterKeyVersion = masterKeyVersion;
  }

  public int masterKeyVersion() { return masterKeyVersion; }
}
