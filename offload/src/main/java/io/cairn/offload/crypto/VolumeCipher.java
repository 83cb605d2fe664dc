/*
 * AES-256-GCM sealing of a volume's chunks, such that a (key, nonce) pair is never used twice.
 *
 * How uniqueness is guaranteed. Chunks are not encrypted under the volume's data key directly.
 * Each VolumeCipher instance opens an encryption *session*: it draws a fresh 128-bit random salt and
 * derives the session key = HKDF-SHA-256(ikm = data key, salt, info = "cairn-chunk-v1" || volumeId).
 * Within a session the 96-bit GCM nonce is 0x00000000 || a 64-bit counter taken from an AtomicLong,
 * so no two chunks of one session share a nonce, whichever DPU thread seals them. Across sessions
 * (other nodes leading the volume, restarts, several instances) the keys differ unless two 128-bit
 * random salts collide: with 2^32 sessions per volume that chance is below 2^-64. This needs no
 * persistent counter and no coordination between nodes, which a random nonce prefix plus counter
 * under the data key itself would not give (a 32-bit random prefix collides after ~2^16 sessions).
 * A session is retired after SESSION_CHUNKS_MAX chunks (2^32, i.e. 16 TiB of 4 KiB chunks), which
 * keeps the data under one GCM key far inside its confidentiality bound (NIST SP 800-38D).
 *
 * The reader re-derives the key from the salt stored with the chunk (ChunkNonce); derived keys are
 * cached per thread (a small LRU), because the chunks of one segment share a session.
 *
 * Associated data: the caller's AAD (ChunkCodec binds volume id, chunk fingerprint and chunk header)
 * is authenticated; the volume id is additionally bound into the key derivation, so a chunk moved
 * to another volume does not even decrypt under that volume's keys.
 *
 * Threads: thread-safe; Cipher instances are kept per thread and re-initialised per chunk.
 */
package io.cairn.offload.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public final class VolumeCipher {
  /** The GCM authentication tag appended to every sealed chunk. */
  public static final int TAG_BYTES = 16;
  /** Chunks sealed under one session key before a new session (salt, key) is drawn. */
  public static final long SESSION_CHUNKS_MAX = 1L << 32;

  private static final int NONCE_BYTES = 12;
  private static final int SALT_BYTES = 16;
  private static final int DECRYPT_KEYS_CACHED_MAX = 16;
  private static final byte[] INFO_LABEL = "cairn-chunk-v1".getBytes(StandardCharsets.US_ASCII);

  private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is unavailable", e);
    }
  });

  private record Salt(long high, long low) {
    byte[] toBytes() {
      return ByteBuffer.allocate(SALT_BYTES).putLong(high).putLong(low).array();
    }
  }

  private record Session(Salt salt, SecretKeySpec key, AtomicLong nextCounter) {}

  private final byte[] dataKey;
  private final byte[] info;
  private final SecureRandom random;
  private final long sessionChunksMax;
  private final AtomicReference<Session> session = new AtomicReference<>();
  private final ThreadLocal<Map<Salt, SecretKeySpec>> openKeys = ThreadLocal.withInitial(
      () -> new LinkedHashMap<>(DECRYPT_KEYS_CACHED_MAX * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Salt, SecretKeySpec> eldest) {
          return size() > DECRYPT_KEYS_CACHED_MAX;
        }
      });

  public VolumeCipher(long volumeId, DataKey dataKey, SecureRandom random) {
    this(volumeId, dataKey, random, SESSION_CHUNKS_MAX);
  }

  /** With a smaller session bound, so that tests can reach a session rollover. */
  VolumeCipher(long volumeId, DataKey dataKey, SecureRandom random, long sessionChunksMax) {
    Objects.requireNonNull(dataKey, "dataKey");
    if (sessionChunksMax < 1 || sessionChunksMax > SESSION_CHUNKS_MAX) {
      throw new IllegalArgumentException("sessionChunksMax: must be 1.." + SESSION_CHUNKS_MAX + ", got " + sessionChunksMax);
    }
    this.sessionChunksMax = sessionChunksMax;
    this.random = Objects.requireNonNull(random, "random");
    this.dataKey = dataKey.material();
    this.info = ByteBuffer.allocate(INFO_LABEL.length + Long.BYTES).put(INFO_LABEL).putLong(volumeId).array();
    this.session.set(newSession());
  }

  public VolumeCipher(long volumeId, DataKey dataKey) {
    this(volumeId, dataKey, new SecureRandom());
  }

  /** Size of the sealed form (ciphertext and tag) of {@code plainBytes}. */
  public static int sealedBytes(int plainBytes) {
    return Math.addExact(plainBytes, TAG_BYTES);
  }

  /**
   * Encrypts plaintext's remaining bytes into dst as ciphertext || tag, authenticating aad's
   * remaining bytes. plaintext ends at its limit, dst advances by sealedBytes(n), aad does not move.
   *
   * @return the nonce to store with the chunk; opening needs it
   */
  public ChunkNonce seal(ByteBuffer plaintext, ByteBuffer aad, ByteBuffer dst) {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(aad, "aad");
    checkDst(dst, sealedBytes(plaintext.remaining()));
    Session current = session.get();
    long counter = current.nextCounter().getAndIncrement();
    while (counter >= sessionChunksMax) {
      // Exhausted: one thread installs a fresh session; the others retry against whichever is newer.
      session.compareAndSet(current, newSession());
      current = session.get();
      counter = current.nextCounter().getAndIncrement();
    }
    Cipher cipher = CIPHERS.get();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, current.key(), new GCMParameterSpec(TAG_BYTES * 8, nonce(counter)));
      cipher.updateAAD(aad.duplicate());
      cipher.doFinal(plaintext, dst);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
    return new ChunkNonce(current.salt().high(), current.salt().low(), counter);
  }

  /**
   * Authenticates and decrypts sealed's remaining bytes (ciphertext || tag) into dst.
   * sealed ends at its limit, dst advances by the plaintext size, aad does not move.
   * On failure nothing usable is in dst.
   *
   * @throws ChunkIntegrityException when ciphertext, tag, nonce or aad differ from what was sealed
   */
  public void open(ChunkNonce nonce, ByteBuffer sealed, ByteBuffer aad, ByteBuffer dst) {
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(sealed, "sealed");
    Objects.requireNonNull(aad, "aad");
    if (sealed.remaining() < TAG_BYTES) {
      throw new ChunkIntegrityException("sealed chunk is " + sealed.remaining()
          + " bytes, shorter than its " + TAG_BYTES + "-byte tag", null);
    }
    checkDst(dst, sealed.remaining() - TAG_BYTES);
    Cipher cipher = CIPHERS.get();
    try {
      cipher.init(Cipher.DECRYPT_MODE, openKey(new Salt(nonce.saltHigh(), nonce.saltLow())),
          new GCMParameterSpec(TAG_BYTES * 8, nonce(nonce.counter())));
      cipher.updateAAD(aad.duplicate());
      cipher.doFinal(sealed, dst);
    } catch (AEADBadTagException e) {
      throw new ChunkIntegrityException("chunk authentication failed: ciphertext, tag, nonce or "
          + "associated data were modified", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  private static void checkDst(ByteBuffer dst, int neededBytes) {
    Objects.requireNonNull(dst, "dst");
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("dst: is read-only, the output cannot be written");
    }
    if (dst.remaining() < neededBytes) {
      throw new IllegalArgumentException("dst: needs " + neededBytes + " bytes, " + dst.remaining() + " remain");
    }
  }

  private static byte[] nonce(long counter) {
    // The first 4 bytes stay zero: uniqueness comes from the per-session key and this counter.
    byte[] nonce = new byte[NONCE_BYTES];
    ByteBuffer.wrap(nonce).putLong(4, counter);
    return nonce;
  }

  private SecretKeySpec openKey(Salt salt) {
    Session current = session.get();
    if (current.salt().equals(salt)) {
      return current.key();
    }
    return openKeys.get().computeIfAbsent(salt, this::deriveKey);
  }

  private Session newSession() {
    byte[] saltBytes = new byte[SALT_BYTES];
    random.nextBytes(saltBytes);
    ByteBuffer view = ByteBuffer.wrap(saltBytes);
    Salt salt = new Salt(view.getLong(), view.getLong());
    return new Session(salt, deriveKey(salt), new AtomicLong());
  }

  private SecretKeySpec deriveKey(Salt salt) {
    byte[] material = Hkdf.deriveKey(dataKey, salt.toBytes(), info);
    try {
      return new SecretKeySpec(material, "AES");
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }
}
