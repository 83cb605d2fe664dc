package io.cairn.offload.ec;

import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD kernel: the split-nibble method of ISA-L and Plank et al. ("Screaming fast Galois
 * field arithmetic using Intel SIMD instructions", FAST 2013) on the incubating Vector API. A
 * product c * v is two 16-entry table lookups, low[v &amp; 15] ^ high[v &gt;&gt;&gt; 4], done for a
 * whole vector at once by {@code rearrange} (VPERMB on AVX-512 VBMI, PSHUFB elsewhere).
 *
 * <p>Loop shape, as ISA-L's {@code gf_Nvect_dot_prod}: for each vector-wide column of the input
 * shards, up to four output accumulators stay in registers while the k inputs are read once, so
 * memory traffic is k loads and at most four stores per column. More than four outputs take
 * several passes; the columns are cut into {@link #BLOCK_BYTES} slices, all passes run over one
 * slice before the next, so the second and later passes read their inputs from L1/L2, not DRAM.
 *
 * <p>Buffers: the loops run on {@code byte[]} through {@code fromArray}/{@code intoArray}, the only
 * vector memory access that exists unchanged from JDK 17 (where {@code fromByteBuffer} is) to JDK
 * 22+ (where {@code fromMemorySegment} replaced it). Heap buffers are used in place through their
 * backing array. A direct or read-only buffer is staged one slice at a time through a per-thread
 * array of {@link #BLOCK_BYTES}, so the cost is a copy within L1/L2, never an allocation.
 *
 * <p>Known C2 pitfalls, avoided on purpose (seen in about one JVM in six otherwise, code ~50x
 * slower): the species is a {@code static final} constant; only the preferred species is used
 * (never a 256-bit and a 512-bit species in one JVM), the bytes after the last full vector go to
 * the scalar loop; the per-group loops are small methods so C2 compiles them on their own rather
 * than inlining them into a large caller.
 */
final class VectorKernel implements CodingKernel {

  private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final int TABLE = CodingTables.NIBBLE_TABLE_BYTES;
  private static final int HIGH = 16;

  /**
   * How to spell the table lookup for this JDK; both spellings give the same bytes. On JDK 17,
   * {@code selectFrom} converts its index vector to a shuffle on every call, so the kernel
   * converts each input's nibbles once and reuses the shuffles for all outputs (measured 10.5
   * against 6.5 GB/s, RS(4,2), in cache). Later JDKs reworked shuffles and intrinsified
   * {@code selectFrom}, and there an explicit {@code toShuffle} is the slow spelling (JDK 25
   * measured 15.6 against 3 GB/s). JDK 18 to 24 were not measured: the cut-over at 22 is an
   * assumption to re-check there. A static final constant, so C2 compiles one branch.
   */
  private static final boolean SHUFFLE_ONCE = Runtime.version().feature() < 22;

  /**
   * Column slice per pass: for the usual k &lt;= 16 inputs at most 256 KiB, inside the L2 of any
   * current server core; even k = 64 (1 MiB) fits this machine's 1 MiB L2.
   */
  static final int BLOCK_BYTES = 16 * 1024;

  /** Staging arrays for direct and read-only buffers, one set per thread, grown on demand. */
  private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

  private VectorKernel() {}

  /**
   * The kernel, or null if the preferred species is narrower than 128 bits: then the Vector API
   * would run its Java fallback, slower than the scalar kernel.
   */
  static VectorKernel create() {
    return SPECIES.vectorBitSize() >= 128 ? new VectorKernel() : null;
  }

  @Override
  public Kernel kind() {
    return Kernel.VECTOR;
  }

  @Override
  public void multiply(
      CodingTables tables,
      ByteBuffer[] in,
      int[] inStart,
      ByteBuffer[] out,
      int[] outStart,
      int lengthBytes) {
    Staging staging = STAGING.get();
    byte[][] inArrays = new byte[tables.cols][];
    int[] inOffsets = new int[tables.cols];
    byte[][] outArrays = new byte[tables.rows][];
    int[] outOffsets = new int[tables.rows];
    for (int from = 0; from < lengthBytes; from += BLOCK_BYTES) {
      int blockBytes = Math.min(BLOCK_BYTES, lengthBytes - from);
      for (int c = 0; c < tables.cols; c++) {
        ByteBuffer buffer = in[c];
        if (buffer.hasArray()) {
          inArrays[c] = buffer.array();
          inOffsets[c] = buffer.arrayOffset() + inStart[c] + from;
        } else {
          inArrays[c] = staging.slot(c);
          inOffsets[c] = 0;
          buffer.get(inStart[c] + from, inArrays[c], 0, blockBytes);
        }
      }
      for (int r = 0; r < tables.rows; r++) {
        ByteBuffer buffer = out[r];
        if (buffer.hasArray()) {
          outArrays[r] = buffer.array();
          outOffsets[r] = buffer.arrayOffset() + outStart[r] + from;
        } else {
          outArrays[r] = staging.slot(tables.cols + r);
          outOffsets[r] = 0;
        }
      }
      block(tables, inArrays, inOffsets, outArrays, outOffsets, blockBytes);
      for (int r = 0; r < tables.rows; r++) {
        if (!out[r].hasArray()) {
          out[r].put(outStart[r] + from, outArrays[r], 0, blockBytes);
        }
      }
    }
  }

  /** One slice: every output group over the same inputs, which stay in cache between groups. */
  private static void block(
      CodingTables tables,
      byte[][] in,
      int[] inOffsets,
      byte[][] out,
      int[] outOffsets,
      int blockBytes) {
    int vectorBytes = blockBytes - blockBytes % LANES;
    for (int row = 0; row < tables.rows; row += 4) {
      group(tables, row, in, inOffsets, out, outOffsets, vectorBytes);
    }
    if (vectorBytes < blockBytes) {
      tail(tables, in, inOffsets, out, outOffsets, vectorBytes, blockBytes);
    }
  }

  private static void group(
      CodingTables tables,
      int row,
      byte[][] in,
      int[] inOffsets,
      byte[][] out,
      int[] outOffsets,
      int lengthBytes) {
    byte[] t = tables.nibbles;
    int cols = tables.cols;
    int rowTables = cols * TABLE;
    int t0 = row * rowTables;
    switch (Math.min(4, tables.rows - row)) {
      case 1 -> dot1(t, t0, cols, in, inOffsets, out[row], outOffsets[row], lengthBytes);
      case 2 -> dot2(t, t0, rowTables, cols, in, inOffsets,
          out[row], outOffsets[row], out[row + 1], outOffsets[row + 1], lengthBytes);
      case 3 -> dot3(t, t0, rowTables, cols, in, inOffsets,
          out[row], outOffsets[row], out[row + 1], outOffsets[row + 1],
          out[row + 2], outOffsets[row + 2], lengthBytes);
      default -> dot4(t, t0, rowTables, cols, in, inOffsets,
          out[row], outOffsets[row], out[row + 1], outOffsets[row + 1],
          out[row + 2], outOffsets[row + 2], out[row + 3], outOffsets[row + 3], lengthBytes);
    }
  }

  /** The bytes after the last full vector, fewer than one vector per output. */
  private static void tail(
      CodingTables tables,
      byte[][] in,
      int[] inOffsets,
      byte[][] out,
      int[] outOffsets,
      int from,
      int to) {
    byte[] mul = Gf256.MUL;
    for (int r = 0; r < tables.rows; r++) {
      for (int p = from; p < to; p++) {
        int sum = 0;
        for (int c = 0; c < tables.cols; c++) {
          int coefficient = tables.coefficients[r * tables.cols + c] & 0xff;
          sum ^= mul[(coefficient << 8) | (in[c][inOffsets[c] + p] & 0xff)];
        }
        out[r][outOffsets[r] + p] = (byte) sum;
      }
    }
  }

  /**
   * c * v for all lanes, given v's low and high nibbles (and, with {@link #SHUFFLE_ONCE}, the
   * same nibbles already converted to shuffles; otherwise those are null and unused).
   */
  private static ByteVector product(
      byte[] t,
      int tableOffset,
      ByteVector low,
      ByteVector high,
      VectorShuffle<Byte> lowShuffle,
      VectorShuffle<Byte> highShuffle) {
    ByteVector lowTable = ByteVector.fromArray(SPECIES, t, tableOffset);
    ByteVector highTable = ByteVector.fromArray(SPECIES, t, tableOffset + HIGH);
    if (SHUFFLE_ONCE) {
      return lowTable.rearrange(lowShuffle)
          .lanewise(VectorOperators.XOR, highTable.rearrange(highShuffle));
    }
    return low.selectFrom(lowTable).lanewise(VectorOperators.XOR, high.selectFrom(highTable));
  }

  private static void dot1(
      byte[] t, int t0, int cols, byte[][] in, int[] inOffsets,
      byte[] out0, int o0, int lengthBytes) {
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector a0 = ByteVector.zero(SPECIES);
      for (int c = 0; c < cols; c++) {
        ByteVector v = ByteVector.fromArray(SPECIES, in[c], inOffsets[c] + p);
        ByteVector low = v.and((byte) 0x0f);
        ByteVector high = v.lanewise(VectorOperators.LSHR, 4);
        VectorShuffle<Byte> lowShuffle = SHUFFLE_ONCE ? low.toShuffle() : null;
        VectorShuffle<Byte> highShuffle = SHUFFLE_ONCE ? high.toShuffle() : null;
        a0 = a0.lanewise(VectorOperators.XOR, product(t, t0 + c * TABLE, low, high, lowShuffle, highShuffle));
      }
      a0.intoArray(out0, o0 + p);
    }
  }

  private static void dot2(
      byte[] t, int t0, int rowTables, int cols, byte[][] in, int[] inOffsets,
      byte[] out0, int o0, byte[] out1, int o1, int lengthBytes) {
    int t1 = t0 + rowTables;
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector a0 = ByteVector.zero(SPECIES);
      ByteVector a1 = ByteVector.zero(SPECIES);
      for (int c = 0; c < cols; c++) {
        ByteVector v = ByteVector.fromArray(SPECIES, in[c], inOffsets[c] + p);
        ByteVector low = v.and((byte) 0x0f);
        ByteVector high = v.lanewise(VectorOperators.LSHR, 4);
        VectorShuffle<Byte> lowShuffle = SHUFFLE_ONCE ? low.toShuffle() : null;
        VectorShuffle<Byte> highShuffle = SHUFFLE_ONCE ? high.toShuffle() : null;
        int tc = c * TABLE;
        a0 = a0.lanewise(VectorOperators.XOR, product(t, t0 + tc, low, high, lowShuffle, highShuffle));
        a1 = a1.lanewise(VectorOperators.XOR, product(t, t1 + tc, low, high, lowShuffle, highShuffle));
      }
      a0.intoArray(out0, o0 + p);
      a1.intoArray(out1, o1 + p);
    }
  }

  private static void dot3(
      byte[] t, int t0, int rowTables, int cols, byte[][] in, int[] inOffsets,
      byte[] out0, int o0, byte[] out1, int o1, byte[] out2, int o2,
      int lengthBytes) {
    int t1 = t0 + rowTables;
    int t2 = t1 + rowTables;
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector a0 = ByteVector.zero(SPECIES);
      ByteVector a1 = ByteVector.zero(SPECIES);
      ByteVector a2 = ByteVector.zero(SPECIES);
      for (int c = 0; c < cols; c++) {
        ByteVector v = ByteVector.fromArray(SPECIES, in[c], inOffsets[c] + p);
        ByteVector low = v.and((byte) 0x0f);
        ByteVector high = v.lanewise(VectorOperators.LSHR, 4);
        VectorShuffle<Byte> lowShuffle = SHUFFLE_ONCE ? low.toShuffle() : null;
        VectorShuffle<Byte> highShuffle = SHUFFLE_ONCE ? high.toShuffle() : null;
        int tc = c * TABLE;
        a0 = a0.lanewise(VectorOperators.XOR, product(t, t0 + tc, low, high, lowShuffle, highShuffle));
        a1 = a1.lanewise(VectorOperators.XOR, product(t, t1 + tc, low, high, lowShuffle, highShuffle));
        a2 = a2.lanewise(VectorOperators.XOR, product(t, t2 + tc, low, high, lowShuffle, highShuffle));
      }
      a0.intoArray(out0, o0 + p);
      a1.intoArray(out1, o1 + p);
      a2.intoArray(out2, o2 + p);
    }
  }

  private static void dot4(
      byte[] t, int t0, int rowTables, int cols, byte[][] in, int[] inOffsets,
      byte[] out0, int o0, byte[] out1, int o1, byte[] out2, int o2,
      byte[] out3, int o3, int lengthBytes) {
    int t1 = t0 + rowTables;
    int t2 = t1 + rowTables;
    int t3 = t2 + rowTables;
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector a0 = ByteVector.zero(SPECIES);
      ByteVector a1 = ByteVector.zero(SPECIES);
      ByteVector a2 = ByteVector.zero(SPECIES);
      ByteVector a3 = ByteVector.zero(SPECIES);
      for (int c = 0; c < cols; c++) {
        ByteVector v = ByteVector.fromArray(SPECIES, in[c], inOffsets[c] + p);
        ByteVector low = v.and((byte) 0x0f);
        ByteVector high = v.lanewise(VectorOperators.LSHR, 4);
        VectorShuffle<Byte> lowShuffle = SHUFFLE_ONCE ? low.toShuffle() : null;
        VectorShuffle<Byte> highShuffle = SHUFFLE_ONCE ? high.toShuffle() : null;
        int tc = c * TABLE;
        a0 = a0.lanewise(VectorOperators.XOR, product(t, t0 + tc, low, high, lowShuffle, highShuffle));
        a1 = a1.lanewise(VectorOperators.XOR, product(t, t1 + tc, low, high, lowShuffle, highShuffle));
        a2 = a2.lanewise(VectorOperators.XOR, product(t, t2 + tc, low, high, lowShuffle, highShuffle));
        a3 = a3.lanewise(VectorOperators.XOR, product(t, t3 + tc, low, high, lowShuffle, highShuffle));
      }
      a0.intoArray(out0, o0 + p);
      a1.intoArray(out1, o1 + p);
      a2.intoArray(out2, o2 + p);
      a3.intoArray(out3, o3 + p);
    }
  }

  /** Per-thread slice buffers; at most (k + m) x {@link #BLOCK_BYTES}, so at most 2 MiB. */
  private static final class Staging {
    private byte[][] slots = new byte[0][];

    byte[] slot(int index) {
      if (index >= slots.length) {
        slots = java.util.Arrays.copyOf(slots, index + 1);
      }
      if (slots[index] == null) {
        slots[index] = new byte[BLOCK_BYTES];
      }
      return slots[index];
    }
  }
}
