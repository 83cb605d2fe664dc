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
 * <p>Loop shape: the columns are cut into {@link #BLOCK_BYTES} slices. Within a slice, for each
 * group of up to four outputs, the inputs are taken two at a time: the group's nibble tables for
 * those two inputs (up to 2 x 2 x 4 vectors) are loaded into vector locals once, not once per 64
 * bytes, then a tight loop over the slice multiplies both input vectors by their coefficients and
 * adds the products into the outputs; the first pair stores, the others load, XOR and store (two
 * inputs per pass halve those output loads and stores: RS(10,4) encode 12 to 15.7 GB/s). An odd
 * last input takes a one-input pass. The nibbles of an input
 * vector (and, on JDK 17, their conversion to shuffles, which costs more than the lookups) are
 * computed once for all outputs of the group. The outputs of a slice stay in L1/L2 between
 * inputs, and each input slice is read from memory once per group.
 *
 * <p>One output (the decode of one lost shard) is the exception: no lookup can share its work
 * (on JDK 17, its index check) with another output, so there the lookups are made fewer instead.
 * Inputs go three or four per pass through 64-entry tables (VPERMB takes a 6-bit index): the low
 * six bits of each input are one lookup, the top two bits of three inputs together one more, so
 * 1.33 or 1.5 lookups per input vector instead of 2 ({@code mul1x3}, {@code mul1x4}), and one
 * pass over the output per three or four inputs instead of two.
 *
 * <p>Buffers: the loops run on {@code byte[]} through {@code fromArray}/{@code intoArray}, the only
 * vector memory access that exists unchanged from JDK 17 (where {@code fromByteBuffer} is) to JDK
 * 22+ (where {@code fromMemorySegment} replaced it). Heap buffers are used in place through their
 * backing array. A direct or read-only buffer is staged one slice at a time through a per-thread
 * array of {@link #BLOCK_BYTES}, so the cost is a copy within L1/L2, never an allocation.
 *
 * <p>Known C2 pitfalls, avoided on purpose (code ~50x slower otherwise): the species is a
 * {@code static final} constant; only the preferred species is used (never a 256-bit and a
 * 512-bit species in one JVM), the bytes after the last full vector go to the scalar loop; and no
 * method of this class takes or returns a vector (see the note above {@code mul1}): a vector that
 * crosses a call C2 did not inline is boxed, one allocation per call. That, not OSR or the species,
 * was the cause of the JDK 17 slow paths measured before (PrintInlining: NodeCountInliningCutoff).
 */
final class VectorKernel implements CodingKernel {

  private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final int TABLE = CodingTables.NIBBLE_TABLE_BYTES;
  private static final int HIGH = 16;
  /** Outputs fed per pass over an input: the widest kernel, {@code mul4}. */
  private static final int GROUP = 4;

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
   * Whether a group of one output takes its inputs three or four at a time through 6-bit tables
   * ({@code mul1x3}, {@code mul1x4}: 1.33 or 1.5 lookups per input vector instead of 2). On JDK
   * 17 each lookup costs an index check that a single output cannot share (with the checks
   * switched off by a JVM property, RS(10,4) 64 KiB reconstruct of one shard went from 27 to 45
   * GB/s); on JDK 25 the fewer lookups and output passes pay too (RS(10,4) one-shard reconstruct,
   * in cache: 64 KiB 39 to 93 GB/s, 1 MiB 24 to 44; RS(4,2) unchanged). Needs 64 lanes, for
   * 64-entry tables.
   */
  private static final boolean SIX_BIT = LANES == 64;

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

  /**
   * One slice. For each group of up to four outputs, the inputs are taken two at a time (an odd
   * last one alone): the group's tables for them are loaded into vector locals once, then a tight
   * loop over the slice multiplies the inputs and adds them into the outputs, which stay in L1/L2
   * between passes.
   */
  private static void block(
      CodingTables tables,
      byte[][] in,
      int[] inOffsets,
      byte[][] out,
      int[] outOffsets,
      int blockBytes) {
    int vectorBytes = blockBytes - blockBytes % LANES;
    if (vectorBytes > 0) {
      byte[] t = tables.nibbles;
      int cols = tables.cols;
      int rowTables = cols * TABLE;
      for (int row = 0; row < tables.rows; row += GROUP) {
        int c = 0;
        if (SIX_BIT && tables.rows - row == 1) {
          int w0 = row * tables.sixBitRowBytes;
          for (int size : tables.sixBitGroups) {
            if (size == 4) {
              mul1x4(tables.sixBit, w0, in[c], inOffsets[c], in[c + 1], inOffsets[c + 1],
                  in[c + 2], inOffsets[c + 2], in[c + 3], inOffsets[c + 3],
                  out[row], outOffsets[row], vectorBytes, c == 0);
            } else {
              mul1x3(tables.sixBit, w0, in[c], inOffsets[c], in[c + 1], inOffsets[c + 1],
                  in[c + 2], inOffsets[c + 2], out[row], outOffsets[row], vectorBytes, c == 0);
            }
            w0 += CodingTables.sixBitGroupBytes(size);
            c += size;
          }
        }
        for (; c + 1 < cols; c += 2) {
          int tc = row * rowTables + c * TABLE;
          boolean first = c == 0;
          switch (Math.min(GROUP, tables.rows - row)) {
            case 1 -> mul1x2(t, tc, rowTables, in[c], inOffsets[c], in[c + 1], inOffsets[c + 1],
                out[row], outOffsets[row], vectorBytes, first);
            case 2 -> mul2x2(t, tc, rowTables, in[c], inOffsets[c], in[c + 1], inOffsets[c + 1],
                out[row], outOffsets[row], out[row + 1], outOffsets[row + 1], vectorBytes, first);
            case 3 -> mul3x2(t, tc, rowTables, in[c], inOffsets[c], in[c + 1], inOffsets[c + 1],
                out[row], outOffsets[row], out[row + 1], outOffsets[row + 1],
                out[row + 2], outOffsets[row + 2], vectorBytes, first);
            default -> mul4x2(t, tc, rowTables, in[c], inOffsets[c], in[c + 1], inOffsets[c + 1],
                out[row], outOffsets[row], out[row + 1], outOffsets[row + 1],
                out[row + 2], outOffsets[row + 2], out[row + 3], outOffsets[row + 3],
                vectorBytes, first);
          }
        }
        for (; c < cols; c++) {
          int tc = row * rowTables + c * TABLE;
          boolean first = c == 0;
          switch (Math.min(GROUP, tables.rows - row)) {
            case 1 -> mul1(t, tc, in[c], inOffsets[c],
                out[row], outOffsets[row], vectorBytes, first);
            case 2 -> mul2(t, tc, rowTables, in[c], inOffsets[c],
                out[row], outOffsets[row], out[row + 1], outOffsets[row + 1], vectorBytes, first);
            case 3 -> mul3(t, tc, rowTables, in[c], inOffsets[c],
                out[row], outOffsets[row], out[row + 1], outOffsets[row + 1],
                out[row + 2], outOffsets[row + 2], vectorBytes, first);
            default -> mul4(t, tc, rowTables, in[c], inOffsets[c],
                out[row], outOffsets[row], out[row + 1], outOffsets[row + 1],
                out[row + 2], outOffsets[row + 2], out[row + 3], outOffsets[row + 3],
                vectorBytes, first);
          }
        }
      }
    }
    if (vectorBytes < blockBytes) {
      tail(tables, in, inOffsets, out, outOffsets, vectorBytes, blockBytes);
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

  // The kernels below differ only in how many outputs they feed (one to four) and how many
  // inputs they take per pass (one, or two for the "x2" ones). Each is
  // written out in full on purpose, with no helper method taking or returning a vector: when C2
  // runs out of inlining budget (NodeCountInliningCutoff, quickly reached because every Vector API
  // call expands to a deep tree of force-inlined templates) a helper that is left as a real call
  // gets its vectors boxed, one allocation per call, and the loop runs ~50x slower. That was the
  // JDK 17 collapse: measured with -XX:+PrintInlining, the fourth output's helper of a four-output
  // loop was cut off, and the old dot loops inlined into multiply() hit the same wall.
  // Vector API calls themselves are force-inlined, which C2 delays rather than refuses.

  private static void mul1(
      byte[] t, int t0, byte[] in, int i0,
      byte[] out0, int o0,
      int lengthBytes, boolean first) {
    ByteVector lt0 = ByteVector.fromArray(SPECIES, t, t0);
    ByteVector ht0 = ByteVector.fromArray(SPECIES, t, t0 + HIGH);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector v = ByteVector.fromArray(SPECIES, in, i0 + p);
      ByteVector low = v.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector high = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> ls = SHUFFLE_ONCE ? low.toShuffle() : null;
      VectorShuffle<Byte> hs = SHUFFLE_ONCE ? high.toShuffle() : null;
      ByteVector x0 = SHUFFLE_ONCE
          ? lt0.rearrange(ls).lanewise(VectorOperators.XOR, ht0.rearrange(hs))
          : low.selectFrom(lt0).lanewise(VectorOperators.XOR, high.selectFrom(ht0));
      if (first) {
        x0.intoArray(out0, o0 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
      }
    }
  }

  private static void mul2(
      byte[] t, int t0, int rowTables, byte[] in, int i0,
      byte[] out0, int o0, byte[] out1, int o1,
      int lengthBytes, boolean first) {
    ByteVector lt0 = ByteVector.fromArray(SPECIES, t, t0);
    ByteVector ht0 = ByteVector.fromArray(SPECIES, t, t0 + HIGH);
    ByteVector lt1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables);
    ByteVector ht1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + HIGH);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector v = ByteVector.fromArray(SPECIES, in, i0 + p);
      ByteVector low = v.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector high = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> ls = SHUFFLE_ONCE ? low.toShuffle() : null;
      VectorShuffle<Byte> hs = SHUFFLE_ONCE ? high.toShuffle() : null;
      ByteVector x0 = SHUFFLE_ONCE
          ? lt0.rearrange(ls).lanewise(VectorOperators.XOR, ht0.rearrange(hs))
          : low.selectFrom(lt0).lanewise(VectorOperators.XOR, high.selectFrom(ht0));
      ByteVector x1 = SHUFFLE_ONCE
          ? lt1.rearrange(ls).lanewise(VectorOperators.XOR, ht1.rearrange(hs))
          : low.selectFrom(lt1).lanewise(VectorOperators.XOR, high.selectFrom(ht1));
      if (first) {
        x0.intoArray(out0, o0 + p);
        x1.intoArray(out1, o1 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
        x1.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out1, o1 + p))
            .intoArray(out1, o1 + p);
      }
    }
  }

  private static void mul3(
      byte[] t, int t0, int rowTables, byte[] in, int i0,
      byte[] out0, int o0, byte[] out1, int o1, byte[] out2, int o2,
      int lengthBytes, boolean first) {
    ByteVector lt0 = ByteVector.fromArray(SPECIES, t, t0);
    ByteVector ht0 = ByteVector.fromArray(SPECIES, t, t0 + HIGH);
    ByteVector lt1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables);
    ByteVector ht1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + HIGH);
    ByteVector lt2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables);
    ByteVector ht2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables + HIGH);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector v = ByteVector.fromArray(SPECIES, in, i0 + p);
      ByteVector low = v.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector high = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> ls = SHUFFLE_ONCE ? low.toShuffle() : null;
      VectorShuffle<Byte> hs = SHUFFLE_ONCE ? high.toShuffle() : null;
      ByteVector x0 = SHUFFLE_ONCE
          ? lt0.rearrange(ls).lanewise(VectorOperators.XOR, ht0.rearrange(hs))
          : low.selectFrom(lt0).lanewise(VectorOperators.XOR, high.selectFrom(ht0));
      ByteVector x1 = SHUFFLE_ONCE
          ? lt1.rearrange(ls).lanewise(VectorOperators.XOR, ht1.rearrange(hs))
          : low.selectFrom(lt1).lanewise(VectorOperators.XOR, high.selectFrom(ht1));
      ByteVector x2 = SHUFFLE_ONCE
          ? lt2.rearrange(ls).lanewise(VectorOperators.XOR, ht2.rearrange(hs))
          : low.selectFrom(lt2).lanewise(VectorOperators.XOR, high.selectFrom(ht2));
      if (first) {
        x0.intoArray(out0, o0 + p);
        x1.intoArray(out1, o1 + p);
        x2.intoArray(out2, o2 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
        x1.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out1, o1 + p))
            .intoArray(out1, o1 + p);
        x2.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out2, o2 + p))
            .intoArray(out2, o2 + p);
      }
    }
  }

  private static void mul4(
      byte[] t, int t0, int rowTables, byte[] in, int i0,
      byte[] out0, int o0, byte[] out1, int o1, byte[] out2, int o2, byte[] out3, int o3,
      int lengthBytes, boolean first) {
    ByteVector lt0 = ByteVector.fromArray(SPECIES, t, t0);
    ByteVector ht0 = ByteVector.fromArray(SPECIES, t, t0 + HIGH);
    ByteVector lt1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables);
    ByteVector ht1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + HIGH);
    ByteVector lt2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables);
    ByteVector ht2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables + HIGH);
    ByteVector lt3 = ByteVector.fromArray(SPECIES, t, t0 + 3 * rowTables);
    ByteVector ht3 = ByteVector.fromArray(SPECIES, t, t0 + 3 * rowTables + HIGH);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector v = ByteVector.fromArray(SPECIES, in, i0 + p);
      ByteVector low = v.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector high = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> ls = SHUFFLE_ONCE ? low.toShuffle() : null;
      VectorShuffle<Byte> hs = SHUFFLE_ONCE ? high.toShuffle() : null;
      ByteVector x0 = SHUFFLE_ONCE
          ? lt0.rearrange(ls).lanewise(VectorOperators.XOR, ht0.rearrange(hs))
          : low.selectFrom(lt0).lanewise(VectorOperators.XOR, high.selectFrom(ht0));
      ByteVector x1 = SHUFFLE_ONCE
          ? lt1.rearrange(ls).lanewise(VectorOperators.XOR, ht1.rearrange(hs))
          : low.selectFrom(lt1).lanewise(VectorOperators.XOR, high.selectFrom(ht1));
      ByteVector x2 = SHUFFLE_ONCE
          ? lt2.rearrange(ls).lanewise(VectorOperators.XOR, ht2.rearrange(hs))
          : low.selectFrom(lt2).lanewise(VectorOperators.XOR, high.selectFrom(ht2));
      ByteVector x3 = SHUFFLE_ONCE
          ? lt3.rearrange(ls).lanewise(VectorOperators.XOR, ht3.rearrange(hs))
          : low.selectFrom(lt3).lanewise(VectorOperators.XOR, high.selectFrom(ht3));
      if (first) {
        x0.intoArray(out0, o0 + p);
        x1.intoArray(out1, o1 + p);
        x2.intoArray(out2, o2 + p);
        x3.intoArray(out3, o3 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
        x1.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out1, o1 + p))
            .intoArray(out1, o1 + p);
        x2.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out2, o2 + p))
            .intoArray(out2, o2 + p);
        x3.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out3, o3 + p))
            .intoArray(out3, o3 + p);
      }
    }
  }

  private static void mul1x2(
      byte[] t, int t0, int rowTables, byte[] ina, int ia, byte[] inb, int ib,
      byte[] out0, int o0,
      int lengthBytes, boolean first) {
    ByteVector la0 = ByteVector.fromArray(SPECIES, t, t0);
    ByteVector ha0 = ByteVector.fromArray(SPECIES, t, t0 + HIGH);
    ByteVector lb0 = ByteVector.fromArray(SPECIES, t, t0 + TABLE);
    ByteVector hb0 = ByteVector.fromArray(SPECIES, t, t0 + TABLE + HIGH);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector va = ByteVector.fromArray(SPECIES, ina, ia + p);
      ByteVector lowa = va.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector higha = va.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> lsa = SHUFFLE_ONCE ? lowa.toShuffle() : null;
      VectorShuffle<Byte> hsa = SHUFFLE_ONCE ? higha.toShuffle() : null;
      ByteVector vb = ByteVector.fromArray(SPECIES, inb, ib + p);
      ByteVector lowb = vb.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector highb = vb.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> lsb = SHUFFLE_ONCE ? lowb.toShuffle() : null;
      VectorShuffle<Byte> hsb = SHUFFLE_ONCE ? highb.toShuffle() : null;
      ByteVector x0 = SHUFFLE_ONCE
          ? la0.rearrange(lsa).lanewise(VectorOperators.XOR, ha0.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb0.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb0.rearrange(hsb))
          : lowa.selectFrom(la0).lanewise(VectorOperators.XOR, higha.selectFrom(ha0))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb0))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb0));
      if (first) {
        x0.intoArray(out0, o0 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
      }
    }
  }

  /**
   * One output, three inputs per pass, four 6-bit lookups per three input vectors instead of six
   * nibble lookups (tables of {@link Gf256#sixBitTables}). With a single output nothing about a
   * lookup can be shared (on JDK 17 its index check, about eight instructions, more than the
   * lookup), so the number of lookups is the cost. Needs 64-lane vectors, for 64-entry tables.
   */
  private static void mul1x3(
      byte[] w, int w0,
      byte[] ina, int ia, byte[] inb, int ib, byte[] inc, int ic,
      byte[] out0, int o0,
      int lengthBytes, boolean first) {
    ByteVector ta = ByteVector.fromArray(SPECIES, w, w0);
    ByteVector tb = ByteVector.fromArray(SPECIES, w, w0 + 64);
    ByteVector tc = ByteVector.fromArray(SPECIES, w, w0 + 128);
    ByteVector tt = ByteVector.fromArray(SPECIES, w, w0 + 192);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector va = ByteVector.fromArray(SPECIES, ina, ia + p);
      ByteVector vb = ByteVector.fromArray(SPECIES, inb, ib + p);
      ByteVector vc = ByteVector.fromArray(SPECIES, inc, ic + p);
      ByteVector lowa = va.lanewise(VectorOperators.AND, (byte) 0x3f);
      ByteVector lowb = vb.lanewise(VectorOperators.AND, (byte) 0x3f);
      ByteVector lowc = vc.lanewise(VectorOperators.AND, (byte) 0x3f);
      // The top two bits of a, b and c side by side: ta | tb << 2 | tc << 4, by 32-bit lane
      // shifts (C2 lowers byte-lane shifts to widen, shift, narrow) and masks.
      ByteVector top = va.reinterpretAsInts().lanewise(VectorOperators.LSHR, 6)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x03)
          .lanewise(VectorOperators.OR, vb.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
              .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0c))
          .lanewise(VectorOperators.OR, vc.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2)
              .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x30));
      ByteVector x0 = SHUFFLE_ONCE
          ? ta.rearrange(lowa.toShuffle())
              .lanewise(VectorOperators.XOR, tb.rearrange(lowb.toShuffle()))
              .lanewise(VectorOperators.XOR, tc.rearrange(lowc.toShuffle()))
              .lanewise(VectorOperators.XOR, tt.rearrange(top.toShuffle()))
          : lowa.selectFrom(ta).lanewise(VectorOperators.XOR, lowb.selectFrom(tb))
              .lanewise(VectorOperators.XOR, lowc.selectFrom(tc))
              .lanewise(VectorOperators.XOR, top.selectFrom(tt));
      if (first) {
        x0.intoArray(out0, o0 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
      }
    }
  }

  /**
   * As {@code mul1x3} for four inputs: four low-bit lookups, one for the top bits of a, b and c,
   * one for those of d; six lookups per four input vectors in one pass over the output.
   */
  private static void mul1x4(
      byte[] w, int w0,
      byte[] ina, int ia, byte[] inb, int ib, byte[] inc, int ic, byte[] ind, int id,
      byte[] out0, int o0,
      int lengthBytes, boolean first) {
    ByteVector ta = ByteVector.fromArray(SPECIES, w, w0);
    ByteVector tb = ByteVector.fromArray(SPECIES, w, w0 + 64);
    ByteVector tc = ByteVector.fromArray(SPECIES, w, w0 + 128);
    ByteVector td = ByteVector.fromArray(SPECIES, w, w0 + 192);
    ByteVector tabc = ByteVector.fromArray(SPECIES, w, w0 + 256);
    ByteVector tdd = ByteVector.fromArray(SPECIES, w, w0 + 320);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector va = ByteVector.fromArray(SPECIES, ina, ia + p);
      ByteVector vb = ByteVector.fromArray(SPECIES, inb, ib + p);
      ByteVector vc = ByteVector.fromArray(SPECIES, inc, ic + p);
      ByteVector vd = ByteVector.fromArray(SPECIES, ind, id + p);
      ByteVector lowa = va.lanewise(VectorOperators.AND, (byte) 0x3f);
      ByteVector lowb = vb.lanewise(VectorOperators.AND, (byte) 0x3f);
      ByteVector lowc = vc.lanewise(VectorOperators.AND, (byte) 0x3f);
      ByteVector lowd = vd.lanewise(VectorOperators.AND, (byte) 0x3f);
      ByteVector topabc = va.reinterpretAsInts().lanewise(VectorOperators.LSHR, 6)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x03)
          .lanewise(VectorOperators.OR, vb.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
              .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0c))
          .lanewise(VectorOperators.OR, vc.reinterpretAsInts().lanewise(VectorOperators.LSHR, 2)
              .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x30));
      ByteVector topd = vd.reinterpretAsInts().lanewise(VectorOperators.LSHR, 6)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x03);
      ByteVector x0 = SHUFFLE_ONCE
          ? ta.rearrange(lowa.toShuffle())
              .lanewise(VectorOperators.XOR, tb.rearrange(lowb.toShuffle()))
              .lanewise(VectorOperators.XOR, tc.rearrange(lowc.toShuffle()))
              .lanewise(VectorOperators.XOR, td.rearrange(lowd.toShuffle()))
              .lanewise(VectorOperators.XOR, tabc.rearrange(topabc.toShuffle()))
              .lanewise(VectorOperators.XOR, tdd.rearrange(topd.toShuffle()))
          : lowa.selectFrom(ta).lanewise(VectorOperators.XOR, lowb.selectFrom(tb))
              .lanewise(VectorOperators.XOR, lowc.selectFrom(tc))
              .lanewise(VectorOperators.XOR, lowd.selectFrom(td))
              .lanewise(VectorOperators.XOR, topabc.selectFrom(tabc))
              .lanewise(VectorOperators.XOR, topd.selectFrom(tdd));
      if (first) {
        x0.intoArray(out0, o0 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
      }
    }
  }

  private static void mul2x2(
      byte[] t, int t0, int rowTables, byte[] ina, int ia, byte[] inb, int ib,
      byte[] out0, int o0, byte[] out1, int o1,
      int lengthBytes, boolean first) {
    ByteVector la0 = ByteVector.fromArray(SPECIES, t, t0);
    ByteVector ha0 = ByteVector.fromArray(SPECIES, t, t0 + HIGH);
    ByteVector lb0 = ByteVector.fromArray(SPECIES, t, t0 + TABLE);
    ByteVector hb0 = ByteVector.fromArray(SPECIES, t, t0 + TABLE + HIGH);
    ByteVector la1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables);
    ByteVector ha1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + HIGH);
    ByteVector lb1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + TABLE);
    ByteVector hb1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + TABLE + HIGH);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector va = ByteVector.fromArray(SPECIES, ina, ia + p);
      ByteVector lowa = va.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector higha = va.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> lsa = SHUFFLE_ONCE ? lowa.toShuffle() : null;
      VectorShuffle<Byte> hsa = SHUFFLE_ONCE ? higha.toShuffle() : null;
      ByteVector vb = ByteVector.fromArray(SPECIES, inb, ib + p);
      ByteVector lowb = vb.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector highb = vb.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> lsb = SHUFFLE_ONCE ? lowb.toShuffle() : null;
      VectorShuffle<Byte> hsb = SHUFFLE_ONCE ? highb.toShuffle() : null;
      ByteVector x0 = SHUFFLE_ONCE
          ? la0.rearrange(lsa).lanewise(VectorOperators.XOR, ha0.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb0.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb0.rearrange(hsb))
          : lowa.selectFrom(la0).lanewise(VectorOperators.XOR, higha.selectFrom(ha0))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb0))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb0));
      ByteVector x1 = SHUFFLE_ONCE
          ? la1.rearrange(lsa).lanewise(VectorOperators.XOR, ha1.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb1.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb1.rearrange(hsb))
          : lowa.selectFrom(la1).lanewise(VectorOperators.XOR, higha.selectFrom(ha1))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb1))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb1));
      if (first) {
        x0.intoArray(out0, o0 + p);
        x1.intoArray(out1, o1 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
        x1.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out1, o1 + p))
            .intoArray(out1, o1 + p);
      }
    }
  }

  private static void mul3x2(
      byte[] t, int t0, int rowTables, byte[] ina, int ia, byte[] inb, int ib,
      byte[] out0, int o0, byte[] out1, int o1, byte[] out2, int o2,
      int lengthBytes, boolean first) {
    ByteVector la0 = ByteVector.fromArray(SPECIES, t, t0);
    ByteVector ha0 = ByteVector.fromArray(SPECIES, t, t0 + HIGH);
    ByteVector lb0 = ByteVector.fromArray(SPECIES, t, t0 + TABLE);
    ByteVector hb0 = ByteVector.fromArray(SPECIES, t, t0 + TABLE + HIGH);
    ByteVector la1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables);
    ByteVector ha1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + HIGH);
    ByteVector lb1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + TABLE);
    ByteVector hb1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + TABLE + HIGH);
    ByteVector la2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables);
    ByteVector ha2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables + HIGH);
    ByteVector lb2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables + TABLE);
    ByteVector hb2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables + TABLE + HIGH);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector va = ByteVector.fromArray(SPECIES, ina, ia + p);
      ByteVector lowa = va.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector higha = va.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> lsa = SHUFFLE_ONCE ? lowa.toShuffle() : null;
      VectorShuffle<Byte> hsa = SHUFFLE_ONCE ? higha.toShuffle() : null;
      ByteVector vb = ByteVector.fromArray(SPECIES, inb, ib + p);
      ByteVector lowb = vb.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector highb = vb.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> lsb = SHUFFLE_ONCE ? lowb.toShuffle() : null;
      VectorShuffle<Byte> hsb = SHUFFLE_ONCE ? highb.toShuffle() : null;
      ByteVector x0 = SHUFFLE_ONCE
          ? la0.rearrange(lsa).lanewise(VectorOperators.XOR, ha0.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb0.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb0.rearrange(hsb))
          : lowa.selectFrom(la0).lanewise(VectorOperators.XOR, higha.selectFrom(ha0))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb0))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb0));
      ByteVector x1 = SHUFFLE_ONCE
          ? la1.rearrange(lsa).lanewise(VectorOperators.XOR, ha1.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb1.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb1.rearrange(hsb))
          : lowa.selectFrom(la1).lanewise(VectorOperators.XOR, higha.selectFrom(ha1))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb1))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb1));
      ByteVector x2 = SHUFFLE_ONCE
          ? la2.rearrange(lsa).lanewise(VectorOperators.XOR, ha2.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb2.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb2.rearrange(hsb))
          : lowa.selectFrom(la2).lanewise(VectorOperators.XOR, higha.selectFrom(ha2))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb2))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb2));
      if (first) {
        x0.intoArray(out0, o0 + p);
        x1.intoArray(out1, o1 + p);
        x2.intoArray(out2, o2 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
        x1.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out1, o1 + p))
            .intoArray(out1, o1 + p);
        x2.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out2, o2 + p))
            .intoArray(out2, o2 + p);
      }
    }
  }

  private static void mul4x2(
      byte[] t, int t0, int rowTables, byte[] ina, int ia, byte[] inb, int ib,
      byte[] out0, int o0, byte[] out1, int o1, byte[] out2, int o2, byte[] out3, int o3,
      int lengthBytes, boolean first) {
    ByteVector la0 = ByteVector.fromArray(SPECIES, t, t0);
    ByteVector ha0 = ByteVector.fromArray(SPECIES, t, t0 + HIGH);
    ByteVector lb0 = ByteVector.fromArray(SPECIES, t, t0 + TABLE);
    ByteVector hb0 = ByteVector.fromArray(SPECIES, t, t0 + TABLE + HIGH);
    ByteVector la1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables);
    ByteVector ha1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + HIGH);
    ByteVector lb1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + TABLE);
    ByteVector hb1 = ByteVector.fromArray(SPECIES, t, t0 + rowTables + TABLE + HIGH);
    ByteVector la2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables);
    ByteVector ha2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables + HIGH);
    ByteVector lb2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables + TABLE);
    ByteVector hb2 = ByteVector.fromArray(SPECIES, t, t0 + 2 * rowTables + TABLE + HIGH);
    ByteVector la3 = ByteVector.fromArray(SPECIES, t, t0 + 3 * rowTables);
    ByteVector ha3 = ByteVector.fromArray(SPECIES, t, t0 + 3 * rowTables + HIGH);
    ByteVector lb3 = ByteVector.fromArray(SPECIES, t, t0 + 3 * rowTables + TABLE);
    ByteVector hb3 = ByteVector.fromArray(SPECIES, t, t0 + 3 * rowTables + TABLE + HIGH);
    for (int p = 0; p < lengthBytes; p += LANES) {
      ByteVector va = ByteVector.fromArray(SPECIES, ina, ia + p);
      ByteVector lowa = va.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector higha = va.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> lsa = SHUFFLE_ONCE ? lowa.toShuffle() : null;
      VectorShuffle<Byte> hsa = SHUFFLE_ONCE ? higha.toShuffle() : null;
      ByteVector vb = ByteVector.fromArray(SPECIES, inb, ib + p);
      ByteVector lowb = vb.lanewise(VectorOperators.AND, (byte) 0x0f);
      ByteVector highb = vb.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
          .reinterpretAsBytes().lanewise(VectorOperators.AND, (byte) 0x0f);
      VectorShuffle<Byte> lsb = SHUFFLE_ONCE ? lowb.toShuffle() : null;
      VectorShuffle<Byte> hsb = SHUFFLE_ONCE ? highb.toShuffle() : null;
      ByteVector x0 = SHUFFLE_ONCE
          ? la0.rearrange(lsa).lanewise(VectorOperators.XOR, ha0.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb0.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb0.rearrange(hsb))
          : lowa.selectFrom(la0).lanewise(VectorOperators.XOR, higha.selectFrom(ha0))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb0))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb0));
      ByteVector x1 = SHUFFLE_ONCE
          ? la1.rearrange(lsa).lanewise(VectorOperators.XOR, ha1.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb1.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb1.rearrange(hsb))
          : lowa.selectFrom(la1).lanewise(VectorOperators.XOR, higha.selectFrom(ha1))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb1))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb1));
      ByteVector x2 = SHUFFLE_ONCE
          ? la2.rearrange(lsa).lanewise(VectorOperators.XOR, ha2.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb2.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb2.rearrange(hsb))
          : lowa.selectFrom(la2).lanewise(VectorOperators.XOR, higha.selectFrom(ha2))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb2))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb2));
      ByteVector x3 = SHUFFLE_ONCE
          ? la3.rearrange(lsa).lanewise(VectorOperators.XOR, ha3.rearrange(hsa))
              .lanewise(VectorOperators.XOR, lb3.rearrange(lsb))
              .lanewise(VectorOperators.XOR, hb3.rearrange(hsb))
          : lowa.selectFrom(la3).lanewise(VectorOperators.XOR, higha.selectFrom(ha3))
              .lanewise(VectorOperators.XOR, lowb.selectFrom(lb3))
              .lanewise(VectorOperators.XOR, highb.selectFrom(hb3));
      if (first) {
        x0.intoArray(out0, o0 + p);
        x1.intoArray(out1, o1 + p);
        x2.intoArray(out2, o2 + p);
        x3.intoArray(out3, o3 + p);
      } else {
        x0.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out0, o0 + p))
            .intoArray(out0, o0 + p);
        x1.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out1, o1 + p))
            .intoArray(out1, o1 + p);
        x2.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out2, o2 + p))
            .intoArray(out2, o2 + p);
        x3.lanewise(VectorOperators.XOR, ByteVector.fromArray(SPECIES, out3, o3 + p))
            .intoArray(out3, o3 + p);
      }
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
