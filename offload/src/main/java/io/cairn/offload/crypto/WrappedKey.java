/*
 * A data key wrapped by one master key version: what the catalog stores (wrapped_data_key,
 * master_key_version). 40 bytes of AES key wrap (RFC 3394) output for a 32-byte key.
 */
package io.cairn.offload.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

public record WrappedKey(int masterKeyVersion, byte[] wrapped) {
  /** RFC 3394 output size for a 32-byte key: the key plus one 8-byte integrity block. */
  public static final int BYTES = DataKey.BYTES + 8;

  public WrappedKey {
    if (masterKeyVersion < 1) {
      throw new IllegalArgumentException("masterKeyVersion: versions start at 1, got " + masterKeyVersion);
    }
    Objects.requireNonNull(wrapped, "wrapped");
    if (wrapped.length != BYTES) {
      throw new IllegalArgumentException("wrapped: a wrapped data key is " + BYTES + " bytes, got " + wrapped.length);
    }
    wrapped = wrapped.clone();
  }

  @Override
  public byte[] wrapped() {
    return wrapped.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WrappedKey that
        && masterKeyVersion == that.masterKeyVersion
        && Arrays.equals(wrapped, that.wrapped);
  }

  @Override
  public int hashCode() {
    return 31 * masterKeyVersion + Arrays.hashCode(wrapped);
  }

  @Override
  public String toString() {
    return "WrappedKey[v" + masterKeyVersion + ", " + HexFormat.of().formatHex(wrapped) + "]";
  }
}
