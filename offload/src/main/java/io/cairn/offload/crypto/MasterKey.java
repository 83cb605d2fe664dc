/*
 * One version of the cluster's master key (a key-encryption key). It wraps data keys and nothing
 * else; its version is stored next to every wrapped key (catalog field master_key_version) so that
 * rotation can tell old wraps from new ones.
 */
package io.cairn.offload.crypto;

import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

public final class MasterKey {
  /** Size of a master key in bytes (AES-256). */
  public static final int BYTES = Keys.AES_256_BYTES;

  private final int version;
  private final SecretKeySpec key;

  private MasterKey(int version, byte[] material) {
    if (version < 1) {
      throw new IllegalArgumentException("version: master key versions start at 1, got " + version);
    }
    this.version = version;
    this.key = new SecretKeySpec(material, "AES");
  }

  public static MasterKey generate(int version, SecureRandom random) {
    Objects.requireNonNull(random, "random");
    byte[] material = new byte[BYTES];
    random.nextBytes(material);
    return new MasterKey(version, material);
  }

  /** A master key from its raw bytes (copied), e.g. from a KMS. */
  public static MasterKey of(int version, byte[] material) {
    return new MasterKey(version, Keys.checkedCopy(material, "material"));
  }

  public int version() {
    return version;
  }

  SecretKeySpec secretKey() {
    return key;
  }

  byte[] material() {
    return key.getEncoded();
  }

  @Override
  public String toString() {
    return "MasterKey[version=" + version + ", redacted]";
  }
}
