package io.cairn.offload.bench;

import io.cairn.offload.ec.ReedSolomon;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;
import org.apache.hadoop.io.erasurecode.rawcoder.RSRawDecoder;
import org.apache.hadoop.io.erasurecode.rawcoder.RSRawEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reed-Solomon throughput, single thread: Cairn's {@link ReedSolomon} (fastest kernel of the
 * JVM) against Hadoop's pure-Java {@code RSRawEncoder}/{@code RSRawDecoder}, the baseline.
 *
 * <p>With {@code data=dram} each invocation works on the next stripe of a pool of at least
 * {@code poolMiB} of data (64 MiB by default), so that every stripe comes from DRAM as in
 * production. The pool must be larger than the machine's last-level cache: the Xeon of the ISA-L
 * anchors reports 480 MiB of L3 ({@code lscpu}), so there run it with {@code -p poolMiB=512
 * -jvmArgsAppend -Xmx3g}, a pool of 700-770 MiB with parity. {@code data=cache} reuses one
 * stripe, like the ISA-L anchor. An operation is one stripe; GB/s of input = ops/s x k x
 * shardBytes (what BENCHMARKS.md reports, the same measure as the ISA-L anchor).
 * {@code reconstruct1} loses data shard 0, {@code reconstructM} data shards 0..m-1; both
 * rebuild into the lost shards' buffers, with the decode tables cached (Cairn) or re-derived per
 * call as Hadoop does. Parity is left as random bytes: the work of a decode does not depend on
 * the values, and encoding the whole pool before the JIT has compiled the kernel would cost each
 * fork tens of seconds.
 *
 * <p>Run with {@code scripts/bench-engines 'EcBenchmark' -f 5 ...}; see BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class EcBenchmark {

  /** Data bytes of the {@code dram} pool, in MiB; parity adds m/k of it. */
  @Param({"64"})
  public int poolMiB;

  @Param({"4+2", "8+3", "10+4"})
  public String code;

  @Param({"4096", "65536", "1048576"})
  public int shardBytes;

  @Param({"cairn", "hadoop"})
  public String impl;

  /**
   * Where the stripes live: {@code dram} cycles through a pool of {@link #poolMiB}, larger
   * than the caches, as in production; {@code cache} reuses one stripe, as the ISA-L anchor
   * ({@code isal_bench.c}) does, so the kernels are compared like for like. At 1 MiB shards a
   * stripe is 6-14 MiB and lives in L3.
   */
  @Param({"dram", "cache"})
  public String data;

  private int k;
  private int m;
  private ReedSolomon cairn;
  private RSRawEncoder hadoopEncoder;
  private RSRawDecoder hadoopDecoder;
  private ByteBuffer[][] stripes;
  private byte[][][] arrays;
  private boolean[] presentOne;
  private boolean[] presentM;
  private int[] erasedOne;
  private int[] erasedM;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    String[] km = code.split("\\+");
    k = Integer.parseInt(km[0]);
    m = Integer.parseInt(km[1]);
    cairn = ReedSolomon.create(k, m);
    ErasureCoderOptions options = new ErasureCoderOptions(k, m);
    hadoopEncoder = new RSRawEncoder(options);
    hadoopDecoder = new RSRawDecoder(options);
    int count = data.equals("cache") ? 1 : (int) Math.max(2,
        ((long) poolMiB << 20) / ((long) k * shardBytes));
    stripes = new ByteBuffer[count][k + m];
    arrays = new byte[count][k + m][];
    Random random = new Random(42);
    for (int s = 0; s < count; s++) {
      for (int i = 0; i < k + m; i++) {
        arrays[s][i] = new byte[shardBytes];
        if (i < k) {
          random.nextBytes(arrays[s][i]);
        }
        stripes[s][i] = ByteBuffer.wrap(arrays[s][i]);
      }
    }
    presentOne = new boolean[k + m];
    Arrays.fill(presentOne, true);
    presentOne[0] = false;
    presentM = new boolean[k + m];
    Arrays.fill(presentM, true);
    Arrays.fill(presentM, 0, m, false);
    erasedOne = new int[] {0};
    erasedM = new int[m];
    Arrays.setAll(erasedM, i -> i);
    System.out.println("# kernel " + cairn.kernel() + ", " + count + " stripes");
  }

  private int nextStripe() {
    int s = next;
    next = s + 1 >= stripes.length ? 0 : s + 1;
    return s;
  }

  @Benchmark
  public Object encode() throws Exception {
    int s = nextStripe();
    if (impl.equals("cairn")) {
      cairn.encode(stripes[s]);
    } else {
      hadoopEncoder.encode(Arrays.copyOf(arrays[s], k),
          Arrays.copyOfRange(arrays[s], k, k + m));
    }
    return stripes[s];
  }

  @Benchmark
  public Object reconstruct1() throws Exception {
    return reconstruct(presentOne, erasedOne);
  }

  @Benchmark
  public Object reconstructM() throws Exception {
    return reconstruct(presentM, erasedM);
  }

  private Object reconstruct(boolean[] present, int[] erased) throws Exception {
    int s = nextStripe();
    if (impl.equals("cairn")) {
      cairn.reconstruct(stripes[s], present);
    } else {
      byte[][] inputs = arrays[s].clone();
      byte[][] outputs = new byte[erased.length][];
      for (int e = 0; e < erased.length; e++) {
        outputs[e] = inputs[erased[e]];
        inputs[erased[e]] = null;
      }
      hadoopDecoder.decode(inputs, erased, outputs);
    }
    return stripes[s];
  }
}
