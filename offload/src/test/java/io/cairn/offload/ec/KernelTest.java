package io.cairn.offload.ec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KernelTest {

  /** The test JVM runs with --add-modules jdk.incubator.vector; without it VECTOR is untested. */
  @Test
  void vectorKernelIsAvailableWhenTheModuleIsAdded() {
    assertThat(Kernel.VECTOR.available()).isTrue();
    assertThat(Kernel.fastestAvailable()).isEqualTo(Kernel.VECTOR);
    assertThat(ReedSolomon.create(4, 2).kernel()).isEqualTo(Kernel.VECTOR);
  }

  /**
   * Every kernel gives identical bytes: random coefficient matrices of 1..9 rows (several passes
   * of four) and 1..20 columns, over lengths that cross the 16 KiB slices and end in a tail, with
   * heap, direct and read-only inputs and heap and direct outputs.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void everyKernelGivesIdenticalBytes(long seed) {
    Random random = new Random(seed);
    int rows = 1 + random.nextInt(9);
    int cols = 1 + random.nextInt(20);
    int[] lengths = {0, 1, 63, 64, 65, 1000, VectorKernel.BLOCK_BYTES + 77, 40_000};
    assertKernelsAgree(random, rows, cols, lengths[(int) (seed % lengths.length)]);
  }

  /**
   * One output row (a decode of one lost shard) runs its own loops on JDK 17: columns in groups
   * of four and three on 6-bit tables, the rest on nibble tables. Every column count from 1 to
   * 20 covers every grouping, at an odd length that crosses a slice and ends in a tail.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void oneOutputRowGivesIdenticalBytesForEveryColumnCount(int cols) {
    Random random = new Random(1000 + cols);
    assertKernelsAgree(random, 1, cols, VectorKernel.BLOCK_BYTES + 64 * cols + 13);
    assertKernelsAgree(random, 1, cols, 64 * cols + cols);
  }

  /** The last group of a product with 4n + 1 outputs is a single row too (RS(k, 5) encode). */
  @ParameterizedTest
  @ValueSource(ints = {4, 10})
  void lastOfFiveOutputsGivesIdenticalBytes(int cols) {
    assertKernelsAgree(new Random(2000 + cols), 5, cols, 3 * 64 + 5);
  }

  /** The 6-bit groups take every column except the one or two that no grouping can cover. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void sixBitGroupsCoverAllButAtMostTwoColumns(int cols) {
    int covered = 0;
    for (int size : CodingTables.sixBitGroups(cols)) {
      assertThat(size).isBetween(3, 4);
      covered += size;
    }
    int expectedLeft = cols == 1 ? 1 : cols == 2 || cols == 5 ? 2 : 0;
    assertThat(cols - covered).isEqualTo(expectedLeft);
  }

  /**
   * Multiplies a random rows x cols matrix by random inputs (heap, direct and read-only, at
   * random offsets) with every kernel, into heap and direct outputs at offset 3, and checks that
   * all give the scalar kernel's bytes.
   */
  private static void assertKernelsAgree(Random random, int rows, int cols, int lengthBytes) {
    byte[][] matrix = new byte[rows][cols];
    for (byte[] row : matrix) {
      random.nextBytes(row);
    }
    CodingTables tables = new CodingTables(matrix);
    ByteBuffer[] in = new ByteBuffer[cols];
    int[] inStart = new int[cols];
    for (int c = 0; c < cols; c++) {
      inStart[c] = random.nextInt(9);
      byte[] bytes = new byte[inStart[c] + lengthBytes];
      random.nextBytes(bytes);
      ByteBuffer buffer = switch (random.nextInt(3)) {
        case 0 -> ByteBuffer.wrap(bytes);
        case 1 -> ByteBuffer.allocateDirect(bytes.length).put(bytes).clear();
        default -> ByteBuffer.wrap(bytes).asReadOnlyBuffer();
      };
      in[c] = buffer;
    }
    List<CodingKernel> kernels = List.of(Kernels.get(Kernel.SCALAR), Kernels.get(Kernel.VECTOR));
    byte[][] reference = null;
    for (CodingKernel kernel : kernels) {
      ByteBuffer[] out = new ByteBuffer[rows];
      int[] outStart = new int[rows];
      for (int r = 0; r < rows; r++) {
        outStart[r] = 3;
        out[r] = r % 2 == 0
            ? ByteBuffer.allocate(lengthBytes + 3)
            : ByteBuffer.allocateDirect(lengthBytes + 3);
      }
      kernel.multiply(tables, in, inStart, out, outStart, lengthBytes);
      byte[][] result = new byte[rows][lengthBytes];
      for (int r = 0; r < rows; r++) {
        out[r].get(3, result[r], 0, lengthBytes);
      }
      if (reference == null) {
        reference = result;
      } else {
        assertThat(result).as("%s vs scalar", kernel.kind()).isDeepEqualTo(reference);
      }
    }
    assertThat(reference).hasNumberOfRows(rows);
  }

  @Test
  void scalarKernelCanBeChosenExplicitly() {
    ReedSolomon scalar = ReedSolomon.create(4, 2, Kernel.SCALAR, 8);
    assertThat(scalar.kernel()).isEqualTo(Kernel.SCALAR);
  }

  /**
   * The fallback path for real: a JVM started without --add-modules jdk.incubator.vector cannot
   * load the vector kernel's class, and the engine must fall back to scalar and still encode.
   */
  @Test
  void withoutTheVectorModuleTheEngineFallsBackToScalar() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator
        + "java";
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        NoVectorModuleProbe.class.getName())
        .redirectErrorStream(true)
        .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output.strip()).isEqualTo("vector=false fastest=SCALAR parity=b8 8a");
  }
}
