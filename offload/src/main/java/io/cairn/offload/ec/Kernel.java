package io.cairn.offload.ec;

/**
 * Which coding loop a {@link ReedSolomon} instance runs. Every kernel produces identical bytes;
 * they differ only in speed and in what the JVM must offer.
 */
public enum Kernel {
  /** Byte-at-a-time table lookups: runs everywhere; the reference the others are tested against. */
  SCALAR,
  /**
   * Split-nibble table lookups on the incubating Vector API ({@code jdk.incubator.vector}). Needs
   * the JVM flag {@code --add-modules jdk.incubator.vector}.
   */
  VECTOR;

  /** True when this JVM can run the kernel. */
  public boolean available() {
    return Kernels.get(this) != null;
  }

  /** The fastest kernel this JVM can run: {@link #VECTOR} if the module is present, else scalar. */
  public static Kernel fastestAvailable() {
    return VECTOR.available() ? VECTOR : SCALAR;
  }
}
