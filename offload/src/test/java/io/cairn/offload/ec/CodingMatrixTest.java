package io.cairn.offload.ec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CodingMatrixTest {

  /**
   * The MDS property, exhaustively: for every code with k + m <= 12 (k >= 1), every choice of k
   * rows of the encoding matrix is invertible, so any k shards decode. Checked by elimination in
   * the independent {@link SlowGf}.
   */
  @Test
  void everyKByKSubmatrixIsInvertibleForEveryCodeUpToTwelveShards() {
    int checked = 0;
    for (int total = 1; total <= 12; total++) {
      for (int k = 1; k <= total; k++) {
        byte[][] matrix = CodingMatrix.systematicCauchy(k, total - k);
        for (long rows = 0; rows < (1L << total); rows++) {
          if (Long.bitCount(rows) != k) {
            continue;
          }
          int[][] square = new int[k][];
          int r = 0;
          for (int i = 0; i < total; i++) {
            if ((rows & (1L << i)) != 0) {
              square[r] = new int[k];
              for (int c = 0; c < k; c++) {
                square[r][c] = matrix[i][c] & 0xff;
              }
              r++;
            }
          }
          assertThat(SlowGf.invertible(square))
              .as("rows %s of RS(%d,%d)", Long.toBinaryString(rows), k, total - k)
              .isTrue();
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo((1 << 13) - 2 - 12);
  }

  @Test
  void matrixIsSystematicAndParityRowsMatchTheCauchyFormula() {
    byte[][] matrix = CodingMatrix.systematicCauchy(10, 4);
    for (int r = 0; r < 14; r++) {
      for (int c = 0; c < 10; c++) {
        int expected = r < 10 ? (r == c ? 1 : 0) : SlowGf.inv(r ^ c);
        assertThat(matrix[r][c] & 0xff).as("(%d,%d)", r, c).isEqualTo(expected);
      }
    }
  }

  @Test
  void inverseTimesMatrixIsIdentity() {
    byte[][] matrix = CodingMatrix.systematicCauchy(5, 3);
    byte[][] square = {matrix[1], matrix[5], matrix[6], matrix[3], matrix[7]};
    byte[][] inverse = CodingMatrix.invert(square);
    for (int r = 0; r < 5; r++) {
      byte[] product = CodingMatrix.multiplyRow(inverse[r], square);
      for (int c = 0; c < 5; c++) {
        assertThat(product[c] & 0xff).isEqualTo(r == c ? 1 : 0);
      }
    }
  }

  @Test
  void tableArithmeticAgreesWithShiftAndAddForEveryPair() {
    for (int a = 0; a < 256; a++) {
      for (int b = 0; b < 256; b++) {
        assertThat(Gf256.mul(a, b)).isEqualTo(SlowGf.mul(a, b));
      }
      if (a != 0) {
        assertThat(Gf256.inv(a)).isEqualTo(SlowGf.inv(a));
      }
    }
  }
}
