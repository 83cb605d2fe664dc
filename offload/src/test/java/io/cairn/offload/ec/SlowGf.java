package io.cairn.offload.ec;

import java.nio.ByteBuffer;

/**
 * An independent, deliberately naive GF(2^8) and Reed-Solomon encoder for cross-checking: no
 * tables, multiplication by shift-and-add modulo 0x11d, inverses by search. Shares no code with
 * the engine, so a table or matrix bug there cannot hide here too.
 */
final class SlowGf {

  private SlowGf() {}

  static int mul(int a, int b) {
    int product = 0;
    for (int bit = 0; bit < 8; bit++) {
      if ((b & (1 << bit)) != 0) {
        product ^= a << bit;
      }
    }
    for (int bit = 15; bit >= 8; bit--) {
      if ((product & (1 << bit)) != 0) {
        product ^= 0x11d << (bit - 8);
      }
    }
    return product;
  }

  static int inv(int a) {
    for (int x = 1; x < 256; x++) {
      if (mul(a, x) == 1) {
        return x;
      }
    }
    throw new ArithmeticException("no inverse of " + a);
  }

  /** Parity of the textbook Cauchy code: parity[i] = sum over j of data[j] / ((k + i) xor j). */
  static byte[][] parity(byte[][] data, int parityShards) {
    int k = data.length;
    int length = data[0].length;
    byte[][] parity = new byte[parityShards][length];
    for (int i = 0; i < parityShards; i++) {
      for (int j = 0; j < k; j++) {
        int coefficient = inv((k + i) ^ j);
        for (int p = 0; p < length; p++) {
          parity[i][p] ^= (byte) mul(coefficient, data[j][p] & 0xff);
        }
      }
    }
    return parity;
  }

  /** True when the square matrix has full rank, by elimination over this file's arithmetic. */
  static boolean invertible(int[][] square) {
    int n = square.length;
    int[][] a = new int[n][];
    for (int r = 0; r < n; r++) {
      a[r] = square[r].clone();
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      while (pivot < n && a[pivot][col] == 0) {
        pivot++;
      }
      if (pivot == n) {
        return false;
      }
      int[] swap = a[pivot];
      a[pivot] = a[col];
      a[col] = swap;
      int scale = inv(a[col][col]);
      for (int r = col + 1; r < n; r++) {
        int factor = mul(a[r][col], scale);
        for (int c = col; c < n; c++) {
          a[r][c] ^= mul(factor, a[col][c]);
        }
      }
    }
    return true;
  }

  static byte[] bytes(ByteBuffer buffer) {
    byte[] copy = new byte[buffer.remaining()];
    buffer.duplicate().get(copy);
    return copy;
  }
}
