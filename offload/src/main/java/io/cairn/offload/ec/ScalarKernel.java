package io.cairn.offload.ec;

import java.nio.ByteBuffer;

/**
 * The reference kernel: one byte at a time through the 64 KiB multiplication table. Simple
 * enough to check by eye, runs on any JVM, and is what the vector kernel is tested against.
 */
final class ScalarKernel implements CodingKernel {

  static final ScalarKernel INSTANCE = new ScalarKernel();

  private ScalarKernel() {}

  @Override
  public Kernel kind() {
    return Kernel.SCALAR;
  }

  @Override
  public void multiply(
      CodingTables tables,
      ByteBuffer[] in,
      int[] inStart,
      ByteBuffer[] out,
      int[] outStart,
      int lengthBytes) {
    for (int r = 0; r < tables.rows; r++) {
      multiplyRow(tables, r, in, inStart, out[r], outStart[r], 0, lengthBytes);
    }
  }

  /** Positions [from, to) of one output row. */
  static void multiplyRow(
      CodingTables tables,
      int row,
      ByteBuffer[] in,
      int[] inStart,
      ByteBuffer out,
      int outStart,
      int from,
      int to) {
    byte[] mul = Gf256.MUL;
    byte[] coefficients = tables.coefficients;
    int rowBase = row * tables.cols;
    for (int p = from; p < to; p++) {
      int sum = 0;
      for (int c = 0; c < tables.cols; c++) {
        int coefficient = coefficients[rowBase + c] & 0xff;
        sum ^= mul[(coefficient << 8) | (in[c].get(inStart[c] + p) & 0xff)];
      }
      out.put(outStart + p, (byte) sum);
    }
  }
}
