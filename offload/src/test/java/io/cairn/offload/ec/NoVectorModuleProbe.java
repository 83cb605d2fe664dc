package io.cairn.offload.ec;

import java.nio.ByteBuffer;

/**
 * Run by {@link KernelTest} in a JVM without the Vector API module: reports which kernels the
 * engine found and the first parity byte of each parity shard of the RS(4,2) golden stripe.
 */
public final class NoVectorModuleProbe {

  private NoVectorModuleProbe() {}

  public static void main(String[] args) {
    ReedSolomon code = ReedSolomon.create(4, 2);
    ByteBuffer[] shards = ReedSolomonTest.goldenStripe(4, 2);
    code.encode(shards);
    System.out.printf("vector=%s fastest=%s parity=%02x %02x%n", Kernel.VECTOR.available(),
        code.kernel(), shards[4].get(0), shards[5].get(0));
  }
}
