package io.cairn.offload.ec;

import java.nio.ByteBuffer;

/**
 * The one hot loop of Reed-Solomon: multiply a coefficient matrix by a column of shard regions.
 * Encoding, verification and every kind of reconstruction are this product with different
 * tables, so a kernel is the only code that touches shard bytes in bulk.
 *
 * <p>Assumes its arguments were validated by {@link ShardChecks}: {@code in.length ==
 * tables.cols}, {@code out.length == tables.rows}, every region [start, start + lengthBytes) lies
 * inside its buffer's capacity, outputs are writable and do not overlap inputs. Kernels neither
 * read nor move buffer positions or limits, and allocate nothing proportional to lengthBytes.
 */
interface CodingKernel {

  Kernel kind();

  /**
   * out[r][outStart[r] + p] = XOR over c of coefficient(r, c) * in[c][inStart[c] + p], for every
   * p in [0, lengthBytes). Output regions are overwritten, never read.
   */
  void multiply(
      CodingTables tables,
      ByteBuffer[] in,
      int[] inStart,
      ByteBuffer[] out,
      int[] outStart,
      int lengthBytes);
}
