package io.cairn.offload.ec;

/**
 * A coefficient matrix (rows x cols over GF(2^8)) prepared for the kernels: the plain
 * coefficients for the scalar kernel and their split-nibble lookup tables for the vector kernel.
 *
 * <p>Guarantees: immutable after construction, so one instance is shared by every thread that
 * encodes or decodes with it. The nibble array has {@link #NIBBLE_PADDING_BYTES} trailing bytes so
 * a vector kernel may load a full vector (up to 64 bytes) at any table's offset + 16.
 */
final class CodingTables {

  static final int NIBBLE_TABLE_BYTES = 32;
  static final int NIBBLE_PADDING_BYTES = 64;

  final int rows;
  final int cols;
  /** coefficients[row * cols + col]. */
  final byte[] coefficients;
  /** The 32-byte tables of coefficient (row, col) start at (row * cols + col) * 32. */
  final byte[] nibbles;

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
  }
}
