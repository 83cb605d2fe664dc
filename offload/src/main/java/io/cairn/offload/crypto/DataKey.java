/*
 * A volume's data key: 32 random bytes, the root of every chunk key of that volume (see
 * VolumeCipher for how chunk keys and nonces derive from it). It never leaves the process
 * unwrapped: the catalog stores it wrapped by the master key (KeyWrap).
 */
package io.cairn.offload.crypto;

import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

public final class DataKey {
  /** Size of a data key in bytes (AES-256). */
  public static final int BYTES = Keys.AES_256_BYTES;

  private final SecretKeySpec key;

  private DataKey(byte[] material) {
    this.key = new SecretKeySpec(material, "AES");
  }

  /** A fresh random data key, for a new encrypted volume. */
  public static DataKey generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    byte[] material = new byte[BYTES];
    random.nextBytes(material);
    return new DataKey(material);
  }

  /** A data key from its 32 raw bytes (copied). */
  public static DataKey of(byte[] material) {
    return new DataKey(Keys.checkedCopy(material, "material"));
  }

  SecretKeySpec secretKey() {
    return key;
  }

  byte[] material() {
    return key.getEncoded();
  }

  @Override
  public String toString() {
    return "DataKey[redacted]";
  }
}
