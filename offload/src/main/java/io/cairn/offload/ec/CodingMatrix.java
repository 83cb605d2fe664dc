package io.cairn.offload.ec;

/**
 * The coding matrix of a systematic Reed-Solomon code and the linear algebra that decoding needs.
 *
 * <p>The encoding matrix is the identity (k rows, the data shards pass through) stacked on a
 * Cauchy matrix C (m rows) with C[i][j] = 1 / (x_i + y_j), x_i = k + i, y_j = j: the construction
 * of ISA-L's {@code gf_gen_cauchy1_matrix}, so parity is byte-for-byte ISA-L's. Every square
 * submatrix of a Cauchy matrix is non-singular, hence every k x k submatrix of [I; C] is
 * invertible and any k of the k + m shards determine the others (MacWilliams and Sloane, ch. 11,
 * sec. 8; also Blömer et al., "An XOR-based erasure-resilient coding scheme", ICSI TR-95-048).
 * That needs the k + m points x_i, y_j to be distinct elements, which holds for k + m <= 256;
 * Cairn caps k + m at 64 so an erasure pattern fits in a {@code long} bit set.
 *
 * <p>Matrices are {@code byte[rows][cols]} of field elements; nothing here is on a hot path.
 */
final class CodingMatrix {

  private CodingMatrix() {}

  /** The (k + m) x k systematic Cauchy encoding matrix. */
  static byte[][] systematicCauchy(int dataShards, int parityShards) {
    int total = dataShards + parityShards;
    byte[][] matrix = new byte[total][dataShards];
    for (int i = 0; i < dataShards; i++) {
      matrix[i][i] = 1;
    }
    for (int row = dataShards; row < total; row++) {
      for (int col = 0; col < dataShards; col++) {
        matrix[row][col] = (byte) Gf256.inv(row ^ col);
      }
    }
    return matrix;
  }

  /**
   * The inverse of a square matrix by Gauss-Jordan elimination.
   *
   * @throws ArithmeticException if the matrix is singular, which for submatrices of the coding
   *     matrix would be a bug in its construction, not a property of the input
   */
  static byte[][] invert(byte[][] square) {
    int n = square.length;
    int[][] work = new int[n][2 * n];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < n; c++) {
        work[r][c] = square[r][c] & 0xff;
      }
      work[r][n + r] = 1;
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      while (pivot < n && work[pivot][col] == 0) {
        pivot++;
      }
      if (pivot == n) {
        throw new ArithmeticException("singular matrix at column " + col);
      }
      int[] swap = work[pivot];
      work[pivot] = work[col];
      work[col] = swap;
      int scale = Gf256.inv(work[col][col]);
      for (int c = 0; c < 2 * n; c++) {
        work[col][c] = Gf256.mul(work[col][c], scale);
      }
      for (int r = 0; r < n; r++) {
        int factor = work[r][col];
        if (r != col && factor != 0) {
          for (int c = 0; c < 2 * n; c++) {
            work[r][c] ^= Gf256.mul(factor, work[col][c]);
          }
        }
      }
    }
    byte[][] inverse = new byte[n][n];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < n; c++) {
        inverse[r][c] = (byte) work[r][n + c];
      }
    }
    return inverse;
  }

  /** row (1 x n) times matrix (n x n). */
  static byte[] multiplyRow(byte[] row, byte[][] matrix) {
    int n = matrix.length;
    byte[] result = new byte[matrix[0].length];
    for (int c = 0; c < result.length; c++) {
      int sum = 0;
      for (int i = 0; i < n; i++) {
        sum ^= Gf256.mul(row[i] & 0xff, matrix[i][c] & 0xff);
      }
      result[c] = (byte) sum;
    }
    return result;
  }
}
