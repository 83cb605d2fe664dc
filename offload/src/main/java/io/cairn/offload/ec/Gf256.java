package io.cairn.offload.ec;

/**
 * Arithmetic in GF(2^8) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and
 * generator 2: the field of Intel ISA-L, Backblaze and most storage Reed-Solomon codes, so Cairn's
 * parity bytes can be compared with theirs.
 *
 * <p>Guarantees: every table is filled once, in the static initialiser, and never written again,
 * so all methods are thread-safe. Assumes callers pass field elements as ints in 0..255.
 */
final class Gf256 {

  static final int POLYNOMIAL = 0x11d;

  /** EXP[i] = 2^i, doubled in length so that EXP[log a + log b] needs no modulo. */
  private static final int[] EXP = new int[512];

  private static final int[] LOG = new int[256];

  /** MUL[(a << 8) | b] = a * b: the scalar kernel's whole multiplication table (64 KiB). */
  static final byte[] MUL = new byte[256 * 256];

  static {
    int x = 1;
    for (int i = 0; i < 255; i++) {
      EXP[i] = x;
      LOG[x] = i;
      x <<= 1;
      if ((x & 0x100) != 0) {
        x ^= POLYNOMIAL;
      }
    }
    for (int i = 255; i < EXP.length; i++) {
      EXP[i] = EXP[i - 255];
    }
    for (int a = 0; a < 256; a++) {
      for (int b = 0; b < 256; b++) {
        MUL[(a << 8) | b] = (byte) mul(a, b);
      }
    }
  }

  private Gf256() {}

  static int mul(int a, int b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return EXP[LOG[a] + LOG[b]];
  }

  static int inv(int a) {
    if (a == 0) {
      throw new ArithmeticException("0 has no inverse in GF(2^8)");
    }
    return EXP[255 - LOG[a]];
  }

  static int div(int a, int b) {
    return mul(a, inv(b));
  }

  /**
   * The split-nibble tables of coefficient c: bytes 0..15 hold c * x and bytes 16..31 hold
   * c * (x << 4) for x in 0..15, so c * v = low[v & 15] ^ high[v >>> 4]. This is the layout
   * a byte-shuffle instruction (PSHUFB, VPERMB) can use as a 16-entry lookup table.
   */
  static void nibbleTables(int c, byte[] into, int offset) {
    for (int x = 0; x < 16; x++) {
      into[offset + x] = (byte) mul(c, x);
      into[offset + 16 + x] = (byte) mul(c, x << 4);
    }
  }

  /**
   * The 6-bit tables of {@code count} (3 or 4) coefficients c[from..], for a lookup instruction
   * with a 6-bit index (VPERMB on 512-bit vectors), 64 bytes each. First one table per
   * coefficient, c * x for x in 0..63, indexed by the low six bits of its input; then one table
   * per three inputs for their top two bits side by side, indexed by t0 | t1 &lt;&lt; 2 | t2
   * &lt;&lt; 4 where t = v &gt;&gt;&gt; 6, holding the sum of their products. Multiplication is
   * linear over XOR, so the sum of the products of three inputs is the XOR of four lookups (six
   * with split nibbles), of four inputs six lookups (eight).
   */
  static void sixBitTables(byte[] c, int from, int count, byte[] into, int offset) {
    for (int i = 0; i < count; i++) {
      int coefficient = c[from + i] & 0xff;
      for (int x = 0; x < 64; x++) {
        into[offset + i * 64 + x] = (byte) mul(coefficient, x);
      }
    }
    for (int first = 0; first < count; first += 3) {
      int top = offset + (count + first / 3) * 64;
      for (int x = 0; x < 64; x++) {
        int sum = 0;
        for (int i = first; i < Math.min(count, first + 3); i++) {
          sum ^= mul(c[from + i] & 0xff, ((x >>> (2 * (i - first))) & 3) << 6);
        }
        into[top + x] = (byte) sum;
      }
    }
  }
}
