package io.cairn.offload.ec;

import java.nio.ByteBuffer;

/**
 * Loads the kernels once. The vector kernel's class refers to {@code jdk.incubator.vector}; on a
 * JVM started without {@code --add-modules jdk.incubator.vector} loading it throws a
 * {@link LinkageError} (NoClassDefFoundError), which is caught here and only here, so the rest of
 * the engine falls back to the scalar kernel instead of failing. The vector kernel also runs one
 * small product at load time, so a Vector API method missing from this JDK surfaces here, at
 * start-up, rather than on the first write.
 */
final class Kernels {

  private static final CodingKernel VECTOR = loadVector();

  private Kernels() {}

  /** The kernel of that kind, or null when this JVM cannot run it. */
  static CodingKernel get(Kernel kind) {
    return kind == Kernel.SCALAR ? ScalarKernel.INSTANCE : VECTOR;
  }

  private static CodingKernel loadVector() {
    try {
      CodingKernel kernel = VectorKernel.create();
      if (kernel != null) {
        selfTest(kernel);
      }
      return kernel;
    } catch (LinkageError moduleAbsent) {
      return null;
    }
  }

  /** Multiplies a 2 x 3 matrix over 200 bytes (vector lanes and tail) and compares with scalar. */
  private static void selfTest(CodingKernel kernel) {
    CodingTables tables = new CodingTables(new byte[][] {{1, 2, 3}, {(byte) 0x8e, 0x47, (byte) 0xff}});
    int lengthBytes = 200;
    ByteBuffer[] in = new ByteBuffer[3];
    for (int c = 0; c < in.length; c++) {
      in[c] = ByteBuffer.allocate(lengthBytes);
      for (int p = 0; p < lengthBytes; p++) {
        in[c].put(p, (byte) (p * 31 + c * 7));
      }
    }
    ByteBuffer[] expected = {ByteBuffer.allocate(lengthBytes), ByteBuffer.allocate(lengthBytes)};
    ByteBuffer[] actual = {ByteBuffer.allocate(lengthBytes), ByteBuffer.allocate(lengthBytes)};
    int[] zeros = new int[3];
    ScalarKernel.INSTANCE.multiply(tables, in, zeros, expected, zeros, lengthBytes);
    kernel.multiply(tables, in, zeros, actual, zeros, lengthBytes);
    if (!expected[0].equals(actual[0]) || !expected[1].equals(actual[1])) {
      throw new IllegalStateException("vector kernel disagrees with the scalar kernel");
    }
  }
}
