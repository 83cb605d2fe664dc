/*
 * Keyed fingerprints of blocks for one dedup domain (a volume): HMAC-SHA-256(domainKey, block),
 * exactly as RFC 2104 defines it (tested against javax.crypto.Mac on random keys and blocks).
 *
 * Why keyed: with a plain hash, equal blocks in different domains would have equal, recognisable
 * fingerprints, and anyone who can read the index could confirm that a volume holds a known file.
 * With a key per domain, fingerprints are only comparable inside the domain.
 *
 * How: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). The key pads are each exactly one SHA-256
 * block, so the construction absorbs them once, into two MessageDigest prototypes, and every
 * fingerprint starts from clones of those two states: per block that is one extra compression
 * (the outer hash's final block) over plain SHA-256, not three, and no Mac layering (javax.crypto.Mac
 * re-absorbs the ipad after every doFinal and copies through HmacCore). SHA-256 itself is the JDK's
 * (the SHA-NI intrinsic on this hardware).
 *
 * Threads: one Fingerprinter per domain, shared by the DPU threads. The prototypes are written only
 * in the constructor and then only cloned (clone reads them), so sharing them is safe; the clones
 * and the 32-byte scratch are per call and per thread.
 */
package io.cairn.offload.dedup;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

public final class Fingerprinter {
  /** Size of a domain key in bytes: the HMAC-SHA-256 block-size-independent recommendation (= output size). */
  public static final int KEY_BYTES = 32;

  /** SHA-256's block: the length of each key pad. */
  private static final int BLOCK_BYTES = 64;
  private static final byte IPAD = 0x36;
  private static final byte OPAD = 0x5c;

  /** SHA-256 after absorbing K ^ ipad, and after absorbing K ^ opad; never updated again. */
  private final MessageDigest innerKeyed;
  private final MessageDigest outerKeyed;
  // Scratch for the inner and outer hashes, per thread, so the hot path allocates only the clones.
  private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[Fingerprint.BYTES]);

  /**
   * @param domainKey exactly {@link #KEY_BYTES} secret bytes; copied, the caller may wipe its array
   */
  public Fingerprinter(byte[] domainKey) {
    Objects.requireNonNull(domainKey, "domainKey");
    if (domainKey.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "domainKey: must be " + KEY_BYTES + " bytes, got " + domainKey.length);
    }
    byte[] pad = new byte[BLOCK_BYTES];
    this.innerKeyed = keyed(domainKey, IPAD, pad);
    this.outerKeyed = keyed(domainKey, OPAD, pad);
    Arrays.fill(pad, (byte) 0);
  }

  /**
   * The fingerprint of the bytes between {@code block}'s position and limit. The position does not
   * move: callers usually go on to compress the same bytes.
   */
  public Fingerprint fingerprint(ByteBuffer block) {
    Objects.requireNonNull(block, "block");
    byte[] hash = scratch.get();
    MessageDigest inner = copy(innerKeyed);
    int position = block.position();
    inner.update(block);
    block.position(position);
    MessageDigest outer = copy(outerKeyed);
    try {
      inner.digest(hash, 0, Fingerprint.BYTES);
      outer.update(hash, 0, Fingerprint.BYTES);
      outer.digest(hash, 0, Fingerprint.BYTES);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 output exceeds " + Fingerprint.BYTES + " bytes", e);
    }
    Fingerprint result = Fingerprint.fromBytes(hash, 0);
    Arrays.fill(hash, (byte) 0);
    return result;
  }

  /** SHA-256 having absorbed the key, zero-padded to one block, XOR {@code padByte}. */
  private static MessageDigest keyed(byte[] key, byte padByte, byte[] pad) {
    Arrays.fill(pad, padByte);
    for (int i = 0; i < key.length; i++) {
      pad[i] ^= key[i];
    }
    MessageDigest digest = sha256();
    digest.update(pad);
    return digest;
  }

  private static MessageDigest copy(MessageDigest prototype) {
    try {
      return (MessageDigest) prototype.clone();
    } catch (CloneNotSupportedException e) {
      // The JDK's SHA-256 has always been cloneable; reaching this is a broken JDK, not bad input.
      throw new IllegalStateException("SHA-256 digest is not cloneable", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java SE runtime must provide SHA-256; reaching this is a broken JDK, not bad input.
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }
}
