/* Argument checks for raw key material, in one place. */
package io.cairn.offload.crypto;

import java.util.Objects;

final class Keys {
  /** AES-256: every key in the hierarchy is 32 bytes. */
  static final int AES_256_BYTES = 32;

  private Keys() {}

  static byte[] checkedCopy(byte[] key, String argument) {
    Objects.requireNonNull(key, argument);
    if (key.length != AES_256_BYTES) {
      throw new IllegalArgumentException(
          argument + ": an AES-256 key is " + AES_256_BYTES + " bytes, got " + key.length);
    }
    return key.clone();
  }
}
