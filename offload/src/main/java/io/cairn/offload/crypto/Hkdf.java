/*
 * HKDF-SHA-256 (RFC 5869) for one 32-byte output block: extract then expand with counter 0x01.
 * Per-thread Mac, because key derivation sits on the chunk read path.
 */
package io.cairn.offload.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

final class Hkdf {
  static final int OUTPUT_BYTES = 32;
  private static final String HMAC = "HmacSHA256";
  private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance(HMAC);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  });

  private Hkdf() {}

  static byte[] deriveKey(byte[] inputKey, byte[] salt, byte[] info) {
    Mac mac = MACS.get();
    byte[] pseudoRandomKey = null;
    try {
      mac.init(new SecretKeySpec(salt, HMAC));
      pseudoRandomKey = mac.doFinal(inputKey);
      mac.init(new SecretKeySpec(pseudoRandomKey, HMAC));
      mac.update(info);
      mac.update((byte) 0x01);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HKDF-SHA-256 failed", e);
    } finally {
      if (pseudoRandomKey != null) {
        Arrays.fill(pseudoRandomKey, (byte) 0);
      }
    }
  }
}
