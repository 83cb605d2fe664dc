/*
 * Keys derived from a volume's data key for other purposes than sealing chunks.
 *
 * The dedup domain key (the HMAC key of a volume's fingerprints) is derived rather than stored:
 * the volume needs only one secret, wrapped by the master key, and a fingerprint key can never be
 * confused with a chunk key because the HKDF labels differ.
 */
package io.cairn.offload.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

public final class KeyDerivation {

  private static final byte[] DEDUP_LABEL = "cairn-dedup-v1".getBytes(StandardCharsets.US_ASCII);

  private KeyDerivation() {}

  /** The 32-byte fingerprint key of a volume's dedup domain. */
  public static byte[] dedupKey(DataKey dataKey, long volumeId) {
    Objects.requireNonNull(dataKey, "dataKey");
    byte[] info = ByteBuffer.allocate(DEDUP_LABEL.length + Long.BYTES)
        .put(DEDUP_LABEL).putLong(volumeId).array();
    // RFC 5869: without a salt, HKDF uses HashLen zero bytes.
    return Hkdf.deriveKey(dataKey.secretKey().getEncoded(), new byte[32], info);
  }
}
