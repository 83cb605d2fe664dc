/*
 * Keyed fingerprints of blocks for one dedup domain (a volume): HMAC-SHA-256(domainKey, block).
 *
 * Why keyed: with a plain hash, equal blocks in different domains would have equal, recognisable
 * fingerprints, and anyone who can read the index could confirm that a volume holds a known file.
 * With a key per domain, fingerprints are only comparable inside the domain.
 *
 * Threads: one Fingerprinter per domain, shared by the DPU threads. Each thread keeps its own
 * initialised Mac (Mac is not thread-safe, and Mac.init re-derives the HMAC pads, which costs about
 * as much as hashing a small block). The DPU pool is fixed-size, so the number of Macs is bounded
 * by threads x domains in use.
 *
 * Cost around the Mac, measured (BENCHMARKS.md, "Keyed SHA-256 on JDK 25, 2026-12-04" and "on
 * JDK 17"): on JDK 25 fingerprint() runs within 3 % of a bare Mac.doFinal(byte[]) on the same
 * 4 KiB (1548 and 1561 against 1546 and 1612 MB/s in two runs). The 29 % gap measured there on
 * 2026-11-27 came back once (21 %) in a run under load and not in the two quieter runs after it,
 * so it follows the machine's load, not this code. On JDK 17 fingerprint() runs about 10 % below
 * the bare Mac at 4 KiB in every run (1396, 1440, 1467 against 1600, 1621, 1602 MB/s), not at
 * 64 KiB. The extra time is inside the JDK's SHA-256 stub (same instructions, more samples per
 * call), and it shows under G1 but not under ParallelGC; the mechanism is not known (the
 * ByteBuffer path accounts for about 2 %). Hashing heap buffers
 * through Mac.update(byte[], int, int) instead of the ByteBuffer path, with one ThreadLocal
 * instead of two, was built and measured 1-2 % faster on JDK 25 (1580 and 1573 against 1548 and
 * 1561 MB/s, same windows), inside the spread between forks (about 1460-1610 MB/s for both), and
 * did not close the gap on JDK 17 (1466 MB/s), so the code stays as it was.
 *
 * Why javax.crypto.Mac and not a hand-built HMAC: an HMAC from two pre-keyed SHA-256 states cloned
 * per block (one extra compression instead of three) was built, tested equal to this one, and
 * measured slower on JDK 17 (4 KiB: 1464 against 1525 MB/s; 64 KiB: 1513 against 1666 MB/s; see
 * BENCHMARKS.md): the two clones cost more than the compressions they save. Through Mac, HMAC runs
 * at about 94 % of plain SHA-256 at 4 KiB, and SHA-256 is the JDK's SHA-NI intrinsic.
 */
package io.cairn.offload.dedup;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

public final class Fingerprinter {
  /** Size of a domain key in bytes: the HMAC-SHA-256 block-size-independent recommendation (= output size). */
  public static final int KEY_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;
  // Scratch for the 32-byte result, per thread. It does not save an allocation (Mac.doFinal(byte[],
  // int) builds the MAC in a new array and copies it, on JDK 17 and 25 alike). Left as it is:
  // dropping it, with the byte[] update path, gained nothing measurable (see the class comment).
  private final ThreadLocal<byte[]> outputs = ThreadLocal.withInitial(() -> new byte[Fingerprint.BYTES]);

  /**
   * @param domainKey exactly {@link #KEY_BYTES} secret bytes; copied, the caller may wipe its array
   */
  public Fingerprinter(byte[] domainKey) {
    Objects.requireNonNull(domainKey, "domainKey");
    if (domainKey.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "domainKey: must be " + KEY_BYTES + " bytes, got " + domainKey.length);
    }
    this.key = new SecretKeySpec(domainKey, ALGORITHM);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /**
   * The fingerprint of the bytes between {@code block}'s position and limit. The position does not
   * move: callers usually go on to compress the same bytes.
   */
  public Fingerprint fingerprint(ByteBuffer block) {
    Objects.requireNonNull(block, "block");
    Mac mac = macs.get();
    int position = block.position();
    mac.update(block);
    block.position(position);
    byte[] out = outputs.get();
    try {
      mac.doFinal(out, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException("HMAC-SHA-256 output exceeds " + Fingerprint.BYTES + " bytes", e);
    }
    Fingerprint result = Fingerprint.fromBytes(out, 0);
    Arrays.fill(out, (byte) 0);
    return result;
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      // Every Java SE runtime must provide HmacSHA256; reaching this is a broken JDK, not bad input.
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
