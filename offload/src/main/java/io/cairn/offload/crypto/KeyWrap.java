/*
 * Wraps data keys with a master key (AES key wrap, RFC 3394, JCE "AESWrap"), and rewraps them when
 * the master key rotates.
 *
 * Why key wrap and not GCM: the wrapped object is itself a uniformly random key, so the
 * deterministic, nonce-free RFC 3394 construction is exactly right and leaves nothing (no nonce) to
 * manage; its 64-bit integrity check detects a wrong master key or corrupted bytes.
 *
 * Rotation touches no data: a chunk is encrypted under keys derived from the *data* key, which
 * rewrap() carries over unchanged from the old master key to the new one.
 */
package io.cairn.offload.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;

public final class KeyWrap {
  private static final String ALGORITHM = "AESWrap";

  private KeyWrap() {}

  public static WrappedKey wrap(DataKey dataKey, MasterKey masterKey) {
    Objects.requireNonNull(dataKey, "dataKey");
    Objects.requireNonNull(masterKey, "masterKey");
    try {
      Cipher cipher = Cipher.getInstance(ALGORITHM);
      cipher.init(Cipher.WRAP_MODE, masterKey.secretKey());
      return new WrappedKey(masterKey.version(), cipher.wrap(dataKey.secretKey()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES key wrap is unavailable", e);
    }
  }

  /**
   * @throws KeyUnwrapException when {@code masterKey} is not the one that wrapped it, or the bytes are corrupt
   */
  public static DataKey unwrap(WrappedKey wrapped, MasterKey masterKey) {
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(masterKey, "masterKey");
    if (wrapped.masterKeyVersion() != masterKey.version()) {
      throw new KeyUnwrapException(masterKey.version(),
          "it was wrapped by version " + wrapped.masterKeyVersion(), null);
    }
    byte[] material = null;
    try {
      Cipher cipher = Cipher.getInstance(ALGORITHM);
      cipher.init(Cipher.UNWRAP_MODE, masterKey.secretKey());
      Key key = cipher.unwrap(wrapped.wrapped(), "AES", Cipher.SECRET_KEY);
      material = key.getEncoded();
      return DataKey.of(material);
    } catch (InvalidKeyException e) {
      throw new KeyUnwrapException(masterKey.version(), "integrity check failed (wrong key or corrupt bytes)", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES key wrap is unavailable", e);
    } finally {
      if (material != null) {
        Arrays.fill(material, (byte) 0);
      }
    }
  }

  /** Unwraps with {@code oldMaster} and wraps again with {@code newMaster}; the data key is unchanged. */
  public static WrappedKey rewrap(WrappedKey wrapped, MasterKey oldMaster, MasterKey newMaster) {
    Objects.requireNonNull(newMaster, "newMaster");
    return wrap(unwrap(wrapped, oldMaster), newMaster);
  }

  /** Unwraps with whichever version of {@code ring} wrapped it. */
  public static DataKey unwrap(WrappedKey wrapped, KeyRing ring) {
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(ring, "ring");
    MasterKey master = ring.get(wrapped.masterKeyVersion()).orElseThrow(() -> new KeyUnwrapException(
        wrapped.masterKeyVersion(), "the key ring no longer holds this version", null));
    return unwrap(wrapped, master);
  }
}
