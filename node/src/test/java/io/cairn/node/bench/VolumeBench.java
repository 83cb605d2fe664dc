package io.cairn.node.bench;

import com.typesafe.config.ConfigFactory;
import io.cairn.node.volume.BlockVolume;
import io.cairn.node.volume.VolumeManager;
import io.cairn.node.volume.VolumePolicy;
import io.cairn.node.volume.VolumeRig;
import io.cairn.offload.dpu.Dpu;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The volume engine's end-to-end benchmark through the {@link BlockVolume} API, one node, one JVM
 * (run by {@code scripts/bench-volume}; not a test).
 *
 * <p>What it builds is what {@code cairn node} builds: six RocksDB shard stores and the metadata
 * RocksDB under a fresh temporary directory (on the disk the directory lives on, so every commit
 * is a real fsync), the DPU tier on its own dispatcher with its configured thread count
 * ({@code cairn.dpu.threads}, default half the cores), the I/O dispatcher of reference.conf, and a
 * real {@link VolumeManager} with the volume settings of reference.conf. Background sealing runs
 * as in the node (a segment's worth of journal triggers it).
 *
 * <p>Two volumes: all data services on (RS(4,2), lz4, dedup, AES-256-GCM) and all off (1+0, no
 * compression, no dedup, no encryption). Each is first filled sequentially over its working set,
 * so reads hit stored (sealed) data and never the "unwritten reads as zeroes" shortcut. Then, per
 * queue depth, four workloads: 4 KiB random write, 4 KiB random read, 1 MiB sequential write,
 * 1 MiB sequential read — closed loop, {@code queueDepth} requests always outstanding, each
 * completion issuing the next request from one load-generator thread (so that the load
 * generator's work is never charged to the DPU tier's threads). Every written block is unique
 * (a counter stamped into random data): dedup never hits and lz4 finds nothing to compress, the
 * worst case for the data services.
 *
 * <p>Reported per workload: IOPS, MB/s (10^6 bytes), latency p50/p99 (HdrHistogram, from submit to
 * completion), DPU tier CPU seconds per GB moved ({@code Dpu.cpu().dpuCpuNanos()} deltas) and the
 * whole process's CPU seconds per GB (including the load generator). Each workload runs
 * {@code rounds} times, workloads interleaved (A B C D A B C D), and the table gives medians.
 *
 * <p>Arguments: {@code [secondsPerRun [rounds [workingSetMiB]]]} (default 8, 3, 256).
 */
public final class VolumeBench {

  private static final int BLOCK_BYTES = 4096;
  private static final int SMALL_BYTES = 4096;
  private static final int LARGE_BYTES = 1 << 20;
  private static final int[] QUEUE_DEPTHS = {1, 32};
  private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(1);

  private enum Workload {
    RANDWRITE_4K("randwrite 4k", true, false, SMALL_BYTES),
    RANDREAD_4K("randread 4k", false, false, SMALL_BYTES),
    SEQWRITE_1M("seqwrite 1M", true, true, LARGE_BYTES),
    SEQREAD_1M("seqread 1M", false, true, LARGE_BYTES);

    final String label;
    final boolean write;
    final boolean sequential;
    final int requestBytes;

    Workload(String label, boolean write, boolean sequential, int requestBytes) {
      this.label = label;
      this.write = write;
      this.sequential = sequential;
      this.requestBytes = requestBytes;
    }
  }

  /** One measured run. */
  private record Run(double iops, double megabytesPerSecond, double p50Micros, double p99Micros,
      double dpuCpuSecondsPerGb, double processCpuSecondsPerGb, long errors) {}

  private final int secondsPerRun;
  private final long workingSetBytes;
  /** Random bytes that writes are cut from; each block gets a unique counter stamped in. */
  private final byte[] pattern = new byte[8 << 20];
  private final AtomicLong stamp = new AtomicLong();
  private final ExecutorService loadGenerator = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "bench-load-generator");
    t.setDaemon(true);
    return t;
  });

  private VolumeBench(int secondsPerRun, long workingSetBytes) {
    this.secondsPerRun = secondsPerRun;
    this.workingSetBytes = workingSetBytes;
    new SplittableRandom(42).nextBytes(pattern);
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long workingSetMiB = args.length > 2 ? Long.parseLong(args[2]) : 256;
    new VolumeBench(seconds, workingSetMiB << 20).run(rounds);
    System.exit(0);
  }

  private void run(int rounds) throws Exception {
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir",
        System.getProperty("java.io.tmpdir"))), "cairn-volume-bench-");
    VolumeRig rig = new VolumeRig(dir, ConfigFactory.empty());
    VolumeManager volumes = rig.volumes;
    Dpu dpu = rig.dpu;

    System.out.println("# scripts/bench-volume " + secondsPerRun + " " + rounds + " "
        + (workingSetBytes >> 20));
    System.out.println("# machine: " + machine());
    System.out.println("# JDK " + System.getProperty("java.vm.version") + ", DPU threads "
        + dpu.settings().threads() + ", stores under " + dir + ", working set "
        + (workingSetBytes >> 20) + " MiB, " + secondsPerRun + " s per run (+1 s warm-up), "
        + rounds + " rounds, medians");
    List<String> table = new ArrayList<>();
    table.add(String.format(Locale.ROOT, "| %-8s | %-12s | %2s | %9s | %8s | %9s | %9s | %9s | %9s |",
        "services", "workload", "QD", "IOPS", "MB/s", "p50 us", "p99 us", "DPU s/GB", "proc s/GB"));
    table.add("|---|---|---|---|---|---|---|---|---|");
    for (boolean on : new boolean[] {true, false}) {
      String name = on ? "bench-on" : "bench-off";
      VolumePolicy policy = on
          ? new VolumePolicy(4, 2, VolumePolicy.Compression.LZ4, true, true)
          : new VolumePolicy(1, 0, VolumePolicy.Compression.NONE, false, false);
      volumes.create(name, workingSetBytes, BLOCK_BYTES, policy).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      BlockVolume volume = volumes.local(name).orElseThrow();
      fill(volume);
      List<Workload> workloads = List.of(Workload.values());
      for (int qd : QUEUE_DEPTHS) {
        List<List<Run>> runs = new ArrayList<>();
        workloads.forEach(w -> runs.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
          for (int i = 0; i < workloads.size(); i++) {
            Run r = measure(volume, workloads.get(i), qd, dpu);
            runs.get(i).add(r);
            System.out.printf(Locale.ROOT, "  %s %s qd=%d round %d: %.0f IOPS %.1f MB/s "
                + "p50 %.0f us p99 %.0f us, DPU %.2f s/GB, process %.2f s/GB%s%n", name,
                workloads.get(i).label, qd, round + 1, r.iops(), r.megabytesPerSecond(),
                r.p50Micros(), r.p99Micros(), r.dpuCpuSecondsPerGb(), r.processCpuSecondsPerGb(),
                r.errors() > 0 ? ", " + r.errors() + " ERRORS" : "");
          }
        }
        for (int i = 0; i < workloads.size(); i++) {
          List<Run> rs = runs.get(i);
          table.add(String.format(Locale.ROOT,
              "| %-8s | %-12s | %2d | %9.0f | %8.1f | %9.0f | %9.0f | %9.2f | %9.2f |",
              on ? "all on" : "all off", workloads.get(i).label, qd,
              median(rs, Run::iops), median(rs, Run::megabytesPerSecond),
              median(rs, Run::p50Micros), median(rs, Run::p99Micros),
              median(rs, Run::dpuCpuSecondsPerGb), median(rs, Run::processCpuSecondsPerGb)));
        }
      }
    }
    System.out.println();
    table.forEach(System.out::println);
    rig.close();
    deleteTree(dir);
  }

  /** Writes the whole working set once (1 MiB at queue depth 8) so that reads find data. */
  private void fill(BlockVolume volume) throws Exception {
    long offset = 0;
    List<CompletableFuture<Void>> window = new ArrayList<>();
    while (offset < workingSetBytes) {
      window.add(volume.write(offset, content(LARGE_BYTES), false).toCompletableFuture());
      offset += LARGE_BYTES;
      if (window.size() == 8) {
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        window.clear();
      }
    }
    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    volume.flush().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * A closed loop of {@code queueDepth} outstanding requests for one warm-up second plus
   * {@code secondsPerRun}; only the requests issued after the warm-up are measured.
   */
  private Run measure(BlockVolume volume, Workload w, int queueDepth, Dpu dpu) throws Exception {
    Recorder latency = new Recorder(3);
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong nextSequentialOffset = new AtomicLong();
    long slots = workingSetBytes / w.requestBytes;
    SplittableRandom random = new SplittableRandom(queueDepth * 31L + w.ordinal());
    long start = System.nanoTime();
    long measureFrom = start + WARMUP_NANOS;
    long end = measureFrom + TimeUnit.SECONDS.toNanos(secondsPerRun);
    long[] cpuAtStart = new long[2];
    CompletableFuture<Void> allDone = new CompletableFuture<>();
    AtomicLong outstanding = new AtomicLong(queueDepth);
    CompletableFuture<Void> measuring = new CompletableFuture<>();
    Runnable[] issue = new Runnable[1];
    issue[0] = () -> {
      long now = System.nanoTime();
      if (now >= end) {
        if (outstanding.decrementAndGet() == 0) {
          allDone.complete(null);
        }
        return;
      }
      if (now >= measureFrom && !measuring.isDone()) {
        cpuAtStart[0] = dpu.cpu().dpuCpuNanos();
        cpuAtStart[1] = processCpuNanos();
        latency.reset();
        completed.set(0);
        measuring.complete(null);
      }
      long slot = w.sequential
          ? nextSequentialOffset.getAndIncrement() % slots
          : random.nextLong(slots);
      long offset = slot * w.requestBytes;
      long t0 = System.nanoTime();
      CompletionStage<?> op = w.write
          ? volume.write(offset, content(w.requestBytes), false)
          : volume.read(offset, w.requestBytes);
      op.whenCompleteAsync((r, e) -> {
        if (e != null) {
          errors.incrementAndGet();
        } else if (t0 >= measureFrom) {
          latency.recordValue(System.nanoTime() - t0);
          completed.incrementAndGet();
        }
        issue[0].run();
      }, loadGenerator);
    };
    for (int i = 0; i < queueDepth; i++) {
      loadGenerator.execute(issue[0]);
    }
    allDone.get(secondsPerRun + 120L, TimeUnit.SECONDS);
    long dpuNanos = dpu.cpu().dpuCpuNanos() - cpuAtStart[0];
    long processNanos = processCpuNanos() - cpuAtStart[1];
    double seconds = (System.nanoTime() - Math.max(measureFrom, start)) / 1e9;
    Histogram h = latency.getIntervalHistogram();
    long ops = completed.get();
    double bytes = (double) ops * w.requestBytes;
    double gb = bytes / 1e9;
    return new Run(ops / seconds, bytes / 1e6 / seconds,
        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
        gb == 0 ? 0 : dpuNanos / 1e9 / gb, gb == 0 ? 0 : processNanos / 1e9 / gb, errors.get());
  }

  /** Fresh request content: random bytes with a unique 8-byte stamp at the start of each block. */
  private ByteBuffer content(int bytes) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    int from = (int) ((stamp.get() * 4096) % (pattern.length - bytes));
    b.put(pattern, from, bytes).flip();
    for (int at = 0; at < bytes; at += BLOCK_BYTES) {
      b.putLong(at, stamp.incrementAndGet());
    }
    return b;
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    double[] values = runs.stream().mapToDouble(f).sorted().toArray();
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  private static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  private static String machine() {
    String model = "unknown";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (java.io.IOException e) {
      // not Linux: the model stays unknown
    }
    return model + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, "
        + System.getProperty("os.name") + " " + System.getProperty("os.version");
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
