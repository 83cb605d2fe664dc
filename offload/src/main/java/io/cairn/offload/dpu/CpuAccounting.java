package io.cairn.offload.dpu;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * How many host cores the DPU tier used, and how many the application used: the question a DPU
 * exists to answer.
 *
 * <p>The DPU tier's CPU time is exact: every job measures its own thread's CPU time
 * (ThreadMXBean) around the engine call. The application's is the whole process's CPU time minus
 * the DPU tier's. Both are published as cumulative seconds and as cores (CPU seconds per wall
 * second) over the interval between two samples, so a dashboard reads "the DPU tier used 0.8
 * cores; the application 0.3".
 */
public final class CpuAccounting {

  private final LongSupplier dpuCpuNanos;
  private final LongSupplier processCpuNanos;
  private final Object lock = new Object();
  private long lastWallNanos;
  private long lastDpuNanos;
  private long lastProcessNanos;
  private volatile double dpuCores;
  private volatile double applicationCores;

  CpuAccounting(LongSupplier dpuCpuNanos) {
    this(dpuCpuNanos, CpuAccounting::processCpuNanos);
  }

  CpuAccounting(LongSupplier dpuCpuNanos, LongSupplier processCpuNanos) {
    this.dpuCpuNanos = dpuCpuNanos;
    this.processCpuNanos = processCpuNanos;
    this.lastWallNanos = System.nanoTime();
    this.lastDpuNanos = dpuCpuNanos.getAsLong();
    this.lastProcessNanos = processCpuNanos.getAsLong();
  }

  void register(MeterRegistry registry) {
    FunctionCounter.builder("cairn.dpu.cpu.total.seconds", this, c -> c.dpuCpuNanos() / 1e9)
        .baseUnit("seconds").description("CPU time of the DPU tier's threads")
        .register(registry);
    FunctionCounter.builder("cairn.app.cpu.seconds", this, c -> c.applicationCpuNanos() / 1e9)
        .baseUnit("seconds").description("CPU time of every thread outside the DPU tier")
        .register(registry);
    Gauge.builder("cairn.dpu.cores", this, CpuAccounting::dpuCores)
        .description("Cores used by the DPU tier over the last sample interval")
        .register(registry);
    Gauge.builder("cairn.app.cores", this, CpuAccounting::applicationCores)
        .description("Cores used by the application (everything but the DPU tier) over the "
            + "last sample interval")
        .register(registry);
  }

  /** Takes a sample: updates the core figures for the interval since the previous sample. */
  public void sample() {
    synchronized (lock) {
      long wall = System.nanoTime();
      long dpu = dpuCpuNanos.getAsLong();
      long process = processCpuNanos.getAsLong();
      long wallDelta = wall - lastWallNanos;
      if (wallDelta <= 0) {
        return;
      }
      long dpuDelta = dpu - lastDpuNanos;
      long appDelta = Math.max(0, (process - lastProcessNanos) - dpuDelta);
      dpuCores = (double) dpuDelta / wallDelta;
      applicationCores = (double) appDelta / wallDelta;
      lastWallNanos = wall;
      lastDpuNanos = dpu;
      lastProcessNanos = process;
    }
  }

  public long dpuCpuNanos() {
    return dpuCpuNanos.getAsLong();
  }

  public long applicationCpuNanos() {
    return Math.max(0, processCpuNanos.getAsLong() - dpuCpuNanos.getAsLong());
  }

  /** Cores the DPU tier used over the last sample interval. */
  public double dpuCores() {
    return dpuCores;
  }

  /** Cores everything else in the process used over the last sample interval. */
  public double applicationCores() {
    return applicationCores;
  }

  static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return Math.max(0, sun.getProcessCpuTime());
    }
    return 0;
  }
}
