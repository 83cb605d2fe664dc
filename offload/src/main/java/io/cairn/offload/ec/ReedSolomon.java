package io.cairn.offload.ec;

import java.nio.ByteBuffer;

/**
 * A systematic Reed-Solomon code over GF(2^8) with k data shards and m parity shards: any k of
 * the k + m shards determine all of them. The coding matrix is ISA-L's Cauchy matrix (see
 * {@link CodingMatrix}), so parity bytes equal ISA-L's {@code ec_encode_data} with
 * {@code gf_gen_cauchy1_matrix}.
 *
 * <p>Buffers: a shard is a {@link ByteBuffer} (heap or direct) whose region is [position, limit);
 * all regions of one call have the same length. No method moves a position or limit, and none
 * allocates memory proportional to the shard length, except {@link #verify}, which uses a
 * bounded scratch. Because the code works byte-column by byte-column, the regions may be any
 * slice [a, b) of the shards, the same slice in every buffer: that is how a degraded read rebuilds
 * a 4 KiB range without decoding whole shards.
 *
 * <p>Errors: arguments are checked before any byte is written; a bad one raises
 * {@link ErasureArgumentException} naming it, fewer than k usable shards raise
 * {@link TooManyErasuresException}. Input regions are never written.
 *
 * <p>Thread-safety: an instance is immutable apart from its bounded decode cache, which is
 * thread-safe; share one per (k, m) across threads.
 */
public final class ReedSolomon {

  /** k + m at most: an erasure pattern is a {@code long} bit set. */
  public static final int TOTAL_SHARDS_MAX = 64;

  /** Decode patterns kept by {@link #create(int, int)}: every pattern of up to 2 losses of 14. */
  public static final int DECODE_CACHE_ENTRIES_DEFAULT = 256;

  private final int dataShards;
  private final int parityShards;
  private final byte[][] matrix;
  private final CodingTables parityTables;
  private final CodingKernel kernel;
  private final DecodeCache decodeCache;

  private ReedSolomon(int dataShards, int parityShards, CodingKernel kernel, int cacheEntries) {
    this.dataShards = dataShards;
    this.parityShards = parityShards;
    this.matrix = CodingMatrix.systematicCauchy(dataShards, parityShards);
    byte[][] parityRows = new byte[parityShards][];
    System.arraycopy(matrix, dataShards, parityRows, 0, parityShards);
    this.parityTables = parityShards == 0 ? null : new CodingTables(parityRows);
    this.kernel = kernel;
    this.decodeCache = new DecodeCache(cacheEntries);
  }

  /** The code RS(k, m) on the fastest kernel this JVM can run. */
  public static ReedSolomon create(int dataShards, int parityShards) {
    return create(dataShards, parityShards, Kernel.fastestAvailable(),
        DECODE_CACHE_ENTRIES_DEFAULT);
  }

  /**
   * The code RS(k, m) on a chosen kernel.
   *
   * @throws ErasureArgumentException if k &lt; 1, m &lt; 0, k + m &gt; 64, the cache bound is
   *     below 1, or the kernel is not available in this JVM
   */
  public static ReedSolomon create(
      int dataShards, int parityShards, Kernel kernel, int decodeCacheEntriesMax) {
    ShardChecks.code(dataShards, parityShards);
    ShardChecks.positive("decodeCacheEntriesMax", decodeCacheEntriesMax);
    if (kernel == null) {
      throw new ErasureArgumentException("kernel", ErasureArgumentException.Problem.NULL, "null");
    }
    CodingKernel loop = Kernels.get(kernel);
    if (loop == null) {
      throw new ErasureArgumentException("kernel", ErasureArgumentException.Problem.OUT_OF_RANGE,
          kernel + " is not available in this JVM (needs --add-modules jdk.incubator.vector)");
    }
    return new ReedSolomon(dataShards, parityShards, loop, decodeCacheEntriesMax);
  }

  public int dataShards() {
    return dataShards;
  }

  public int parityShards() {
    return parityShards;
  }

  public int totalShards() {
    return dataShards + parityShards;
  }

  public Kernel kernel() {
    return kernel.kind();
  }

  /**
   * Computes the parity shards from the data shards.
   *
   * @param shards k + m buffers, data first; the data regions are read, the parity regions
   *     overwritten, all of equal length
   */
  public void encode(ByteBuffer[] shards) {
    int shardBytes = checkAll(shards);
    for (int i = dataShards; i < shards.length; i++) {
      ShardChecks.writable(ShardChecks.shard(i), shards[i], shardBytes);
    }
    if (parityShards == 0) {
      return;
    }
    ByteBuffer[] in = new ByteBuffer[dataShards];
    ByteBuffer[] out = new ByteBuffer[parityShards];
    System.arraycopy(shards, 0, in, 0, dataShards);
    System.arraycopy(shards, dataShards, out, 0, parityShards);
    kernel.multiply(parityTables, in, positions(in), out, positions(out), shardBytes);
  }

  /**
   * True when every parity region equals the parity of the data regions. Works through the
   * shards in slices of at most 16 KiB per parity shard, so its scratch is bounded.
   */
  public boolean verify(ByteBuffer[] shards) {
    int shardBytes = checkAll(shards);
    if (parityShards == 0) {
      return true;
    }
    int sliceBytes = Math.min(shardBytes, 16 * 1024);
    ByteBuffer[] scratch = new ByteBuffer[parityShards];
    for (int j = 0; j < parityShards; j++) {
      scratch[j] = ByteBuffer.allocate(sliceBytes);
    }
    int[] scratchStart = new int[parityShards];
    ByteBuffer[] in = new ByteBuffer[dataShards];
    int[] inStart = new int[dataShards];
    for (int from = 0; from < shardBytes; from += sliceBytes) {
      int lengthBytes = Math.min(sliceBytes, shardBytes - from);
      for (int i = 0; i < dataShards; i++) {
        in[i] = shards[i];
        inStart[i] = shards[i].position() + from;
      }
      kernel.multiply(parityTables, in, inStart, scratch, scratchStart, lengthBytes);
      for (int j = 0; j < parityShards; j++) {
        ByteBuffer parity = shards[dataShards + j];
        int start = parity.position() + from;
        if (parity.slice(start, lengthBytes).mismatch(scratch[j].slice(0, lengthBytes)) >= 0) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Rebuilds every shard not marked present, data or parity, in place.
   *
   * @param shards k + m buffers of equal region length; present ones are read, the others
   *     overwritten (so they must be writable)
   * @param present which shards hold valid bytes
   * @throws TooManyErasuresException if fewer than k shards are present
   */
  public void reconstruct(ByteBuffer[] shards, boolean[] present) {
    ShardChecks.shardArray(shards, totalShards());
    ShardChecks.presentArray(present, totalShards());
    int shardBytes = -1;
    int available = 0;
    for (int i = 0; i < shards.length; i++) {
      if (present[i]) {
        shardBytes = ShardChecks.readable(ShardChecks.shard(i), shards[i], shardBytes);
        available++;
      }
    }
    if (available < dataShards) {
      throw new TooManyErasuresException(available, dataShards);
    }
    long wanted = 0;
    for (int i = 0; i < shards.length; i++) {
      if (!present[i]) {
        ShardChecks.writable(ShardChecks.shard(i), shards[i], shardBytes);
        wanted |= 1L << i;
      }
    }
    if (wanted == 0) {
      return;
    }
    run(decoding(firstSurvivors(present, -1), wanted), shards, null, shardBytes);
  }

  /**
   * Rebuilds one shard's region into {@code out} from any k other present shards, leaving every
   * shard untouched. The regions may be a slice [a, b) of each shard (the same a and b
   * everywhere): then only b - a bytes of k shards are read, which is how a degraded read of a
   * few KiB avoids decoding whole shards. Shards not present may be null.
   *
   * @param targetShard the shard to rebuild, 0..k+m-1; its own entry is ignored even if present
   * @param out receives the rebuilt region; its remaining length must equal the regions'
   * @throws TooManyErasuresException if fewer than k shards other than the target are present
   */
  public void reconstructShard(
      ByteBuffer[] shards, boolean[] present, int targetShard, ByteBuffer out) {
    ShardChecks.shardArray(shards, totalShards());
    ShardChecks.presentArray(present, totalShards());
    ShardChecks.shardIndex("targetShard", targetShard, totalShards());
    int shardBytes = -1;
    int available = 0;
    for (int i = 0; i < shards.length; i++) {
      if (present[i] && i != targetShard) {
        shardBytes = ShardChecks.readable(ShardChecks.shard(i), shards[i], shardBytes);
        available++;
      }
    }
    if (available < dataShards) {
      throw new TooManyErasuresException(available, dataShards);
    }
    ShardChecks.writable("out", out, shardBytes);
    run(decoding(firstSurvivors(present, targetShard), 1L << targetShard), shards, out,
        shardBytes);
  }

  /** Entries currently in the decode cache; for tests of its bound. */
  int decodeCacheSize() {
    return decodeCache.size();
  }

  private int checkAll(ByteBuffer[] shards) {
    ShardChecks.shardArray(shards, totalShards());
    int shardBytes = -1;
    for (int i = 0; i < shards.length; i++) {
      shardBytes = ShardChecks.readable(ShardChecks.shard(i), shards[i], shardBytes);
    }
    return shardBytes;
  }

  /** The first k present shards other than {@code excluded}; data shards come first. */
  private long firstSurvivors(boolean[] present, int excluded) {
    long survivors = 0;
    int chosen = 0;
    for (int i = 0; i < present.length && chosen < dataShards; i++) {
      if (present[i] && i != excluded) {
        survivors |= 1L << i;
        chosen++;
      }
    }
    return survivors;
  }

  private DecodeCache.Decoding decoding(long survivors, long wanted) {
    DecodeCache.Pattern pattern = new DecodeCache.Pattern(survivors, wanted);
    DecodeCache.Decoding decoding = decodeCache.get(pattern);
    if (decoding == null) {
      decoding = buildDecoding(survivors, wanted);
      decodeCache.put(pattern, decoding);
    }
    return decoding;
  }

  /**
   * Inverts the rows of the survivors: data shard d is row d of the inverse; parity shard p is
   * its encoding row times the inverse (first recover the data, then re-encode, in one matrix).
   */
  private DecodeCache.Decoding buildDecoding(long survivors, long wanted) {
    int[] inputs = bits(survivors);
    int[] outputs = bits(wanted);
    byte[][] square = new byte[dataShards][];
    for (int r = 0; r < dataShards; r++) {
      square[r] = matrix[inputs[r]];
    }
    byte[][] inverse = CodingMatrix.invert(square);
    byte[][] rows = new byte[outputs.length][];
    for (int w = 0; w < outputs.length; w++) {
      int shard = outputs[w];
      rows[w] = shard < dataShards
          ? inverse[shard].clone()
          : CodingMatrix.multiplyRow(matrix[shard], inverse);
    }
    return new DecodeCache.Decoding(inputs, outputs, new CodingTables(rows));
  }

  /** Runs a decoding; outputs go to the shards themselves, or to {@code single} if non-null. */
  private void run(DecodeCache.Decoding decoding, ByteBuffer[] shards, ByteBuffer single,
      int shardBytes) {
    ByteBuffer[] in = new ByteBuffer[decoding.survivors().length];
    for (int i = 0; i < in.length; i++) {
      in[i] = shards[decoding.survivors()[i]];
    }
    ByteBuffer[] out = new ByteBuffer[decoding.wanted().length];
    for (int w = 0; w < out.length; w++) {
      out[w] = single != null ? single : shards[decoding.wanted()[w]];
    }
    kernel.multiply(decoding.tables(), in, positions(in), out, positions(out), shardBytes);
  }

  private static int[] positions(ByteBuffer[] buffers) {
    int[] positions = new int[buffers.length];
    for (int i = 0; i < buffers.length; i++) {
      positions[i] = buffers[i].position();
    }
    return positions;
  }

  private static int[] bits(long set) {
    int[] indices = new int[Long.bitCount(set)];
    int n = 0;
    for (long rest = set; rest != 0; rest &= rest - 1) {
      indices[n++] = Long.numberOfTrailingZeros(rest);
    }
    return indices;
  }
}
