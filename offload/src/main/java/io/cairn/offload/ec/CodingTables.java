package io.cairn.offload.ec;

/**
 * A coefficient matrix (rows x cols over GF(2^8)) prepared for the kernels: the plain
 * coefficients for the scalar kernel and their split-nibble lookup tables for the vector kernel.
 *
 * <p>Guarantees: immutable after construction, so one instance is shared by every thread that
 * encodes or decodes with it. The nibble array has {@link #NIBBLE_PADDING_BYTES} trailing bytes so
 * a vector kernel may load a full vector (up to 64 bytes) at any table's offset + 16.
 *
 * <p>For one-output products on JDK 17 (see {@code VectorKernel}) it also holds the 6-bit tables
 * of {@link Gf256#sixBitTables}: per row, the columns are cut into groups of four and three
 * (chosen to need the fewest lookups, see {@link #sixBitGroups}); the last one or two columns of
 * a row that cannot be grouped so stay on the nibble tables.
 */
final class CodingTables {

  static final int NIBBLE_TABLE_BYTES = 32;
  static final int NIBBLE_PADDING_BYTES = 64;
  static final int SIX_BIT_TABLE_BYTES = 64;

  final int rows;
  final int cols;
  /** coefficients[row * cols + col]. */
  final byte[] coefficients;
  /** The 32-byte tables of coefficient (row, col) start at (row * cols + col) * 32. */
  final byte[] nibbles;
  /** Sizes (4 or 3) of the leading column groups that have 6-bit tables, quads first. */
  final int[] sixBitGroups;
  /** The 6-bit tables of row r start at r * sixBitRowBytes, its groups in order. */
  final int sixBitRowBytes;
  final byte[] sixBit;

  CodingTables(byte[][] matrix) {
    this.rows = matrix.length;
    this.cols = matrix[0].length;
    this.coefficients = new byte[rows * cols];
    this.nibbles = new byte[rows * cols * NIBBLE_TABLE_BYTES + NIBBLE_PADDING_BYTES];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int index = r * cols + c;
        coefficients[index] = matrix[r][c];
        Gf256.nibbleTables(matrix[r][c] & 0xff, nibbles, index * NIBBLE_TABLE_BYTES);
      }
    }
    this.sixBitGroups = sixBitGroups(cols);
    int rowBytes = 0;
    for (int size : sixBitGroups) {
      rowBytes += sixBitGroupBytes(size);
    }
    this.sixBitRowBytes = rowBytes;
    this.sixBit = new byte[rows * rowBytes];
    for (int r = 0; r < rows; r++) {
      int offset = r * rowBytes;
      int c = 0;
      for (int size : sixBitGroups) {
        Gf256.sixBitTables(coefficients, r * cols + c, size, sixBit, offset);
        offset += sixBitGroupBytes(size);
        c += size;
      }
    }
  }

  /** Bytes of one group's 6-bit tables: one per column and one per three columns' top bits. */
  static int sixBitGroupBytes(int size) {
    return (size + (size + 2) / 3) * SIX_BIT_TABLE_BYTES;
  }

  /**
   * How to cut n columns into groups of four and three with the fewest lookups: a group of three
   * takes 4 lookups (1.33 per column), of four 6, a left-over column on nibble tables 2 per
   * column. So threes, with one or two fours to take up the remainder (n = 10: 4, 3, 3 in 14
   * lookups; n = 8: 4, 4). Only n = 1, 2 and 5 leave columns (1, 2, 2) to the nibble tables.
   */
  static int[] sixBitGroups(int n) {
    int fours = n % 3 == 1 && n >= 4 ? 1 : n % 3 == 2 && n >= 8 ? 2 : 0;
    int threes = (n - 4 * fours) / 3;
    int[] groups = new int[fours + threes];
    java.util.Arrays.fill(groups, 0, fours, 4);
    java.util.Arrays.fill(groups, fours, groups.length, 3);
    return groups;
  }
}
