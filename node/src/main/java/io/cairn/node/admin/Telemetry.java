package io.cairn.node.admin;

import io.cairn.offload.dpu.CpuAccounting;
import io.cairn.offload.dpu.Dpu;
import io.cairn.offload.dpu.Engine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Live figures of the DPU tier and of each volume's I/O, read from the meters their owners
 * register (the DPU tier's {@code cairn.dpu.*}, the volume engine's {@code cairn.volume.*}) —
 * so the API, the dashboard and Prometheus show the same numbers. Rates come from
 * {@link CounterRates}; latency percentiles from the timers' own client-side percentiles.
 * A meter that is not registered (yet) reads as zero, a missing percentile as null.
 */
final class Telemetry {

  static final String VOLUME_OPS = "cairn.volume.ops";
  static final String VOLUME_BYTES = "cairn.volume.bytes";

  /** One DPU engine's figures. Latencies are null before the engine ran a job. */
  record EngineView(String engine, long operations, long failures, long refusals,
      double opsPerSecond, double bytesInPerSecond, double bytesOutPerSecond,
      Double latencyP50Millis, Double latencyP99Millis, Double latencyP999Millis,
      int queueDepth, int queueDepthMax, double cpuSeconds) {}

  /**
   * Cores: what the host has, what the DPU tier was given (its threads), what it used and what
   * of its share it left to the rest of the host, and what the application used. Cores are CPU
   * seconds per wall second over the DPU's last one-second sample.
   */
  record CoresView(int hostCores, int dpuThreads, double dpuCores, double applicationCores,
      double dpuCoresIdle, double dpuCpuSeconds, double applicationCpuSeconds) {}

  record DpuView(double windowSeconds, CoresView cores, List<EngineView> engines) {}

  /** A volume's I/O over the rate window. Latencies are null before the first such op. */
  record VolumeIo(double readOpsPerSecond, double writeOpsPerSecond, double otherOpsPerSecond,
      double readBytesPerSecond, double writeBytesPerSecond, Double readLatencyP99Millis,
      Double writeLatencyP99Millis) {}

  private final MeterRegistry registry;
  private final Dpu dpu;
  private final CounterRates rates;

  Telemetry(MeterRegistry registry, Dpu dpu, long rateWindowNanos) {
    this.registry = registry;
    this.dpu = dpu;
    this.rates = new CounterRates(this::counters, rateWindowNanos);
  }

  CounterRates rates() {
    return rates;
  }

  /** The cumulative counters rates are computed from, keyed "kind|tag|tag". */
  private Map<String, Double> counters() {
    Map<String, Double> values = new HashMap<>();
    for (Engine e : Engine.values()) {
      values.put("dpu.ops|" + e.tag(), count("cairn.dpu.operations", e.tag()));
      values.put("dpu.in|" + e.tag(), count("cairn.dpu.bytes.in", e.tag()));
      values.put("dpu.out|" + e.tag(), count("cairn.dpu.bytes.out", e.tag()));
    }
    for (Timer t : registry.find(VOLUME_OPS).timers()) {
      values.put("vol.ops|" + t.getId().getTag("volume") + "|" + t.getId().getTag("op"),
          (double) t.count());
    }
    for (Counter c : registry.find(VOLUME_BYTES).counters()) {
      values.put("vol.bytes|" + c.getId().getTag("volume") + "|" + c.getId().getTag("op"),
          c.count());
    }
    return values;
  }

  private double count(String name, String engine) {
    Counter c = registry.find(name).tag("engine", engine).counter();
    return c == null ? 0 : c.count();
  }

  DpuView dpu() {
    Map<String, Double> perSecond = rates.perSecond();
    List<EngineView> engines = new ArrayList<>();
    int depthMax = dpu.settings().queueDepthMax();
    for (Engine e : Engine.values()) {
      String tag = e.tag();
      Timer latency = registry.find("cairn.dpu.latency").tag("engine", tag).timer();
      var cpu = registry.find("cairn.dpu.cpu.seconds").tag("engine", tag).functionCounter();
      engines.add(new EngineView(tag,
          (long) count("cairn.dpu.operations", tag),
          (long) count("cairn.dpu.failures", tag),
          (long) count("cairn.dpu.refusals", tag),
          perSecond.getOrDefault("dpu.ops|" + tag, 0.0),
          perSecond.getOrDefault("dpu.in|" + tag, 0.0),
          perSecond.getOrDefault("dpu.out|" + tag, 0.0),
          percentileMillis(latency, 0.5),
          percentileMillis(latency, 0.99),
          percentileMillis(latency, 0.999),
          dpu.queueDepth(e), depthMax,
          cpu == null ? 0 : cpu.count()));
    }
    CpuAccounting cpu = dpu.cpu();
    int threads = dpu.settings().threads();
    CoresView cores = new CoresView(Runtime.getRuntime().availableProcessors(), threads,
        cpu.dpuCores(), cpu.applicationCores(), Math.max(0, threads - cpu.dpuCores()),
        cpu.dpuCpuNanos() / 1e9, cpu.applicationCpuNanos() / 1e9);
    return new DpuView(rates.windowSeconds(), cores, engines);
  }

  VolumeIo volumeIo(String volume) {
    Map<String, Double> perSecond = rates.perSecond();
    double other = 0;
    for (String op : List.of("flush", "trim", "write_zeroes")) {
      other += perSecond.getOrDefault("vol.ops|" + volume + "|" + op, 0.0);
    }
    return new VolumeIo(
        perSecond.getOrDefault("vol.ops|" + volume + "|read", 0.0),
        perSecond.getOrDefault("vol.ops|" + volume + "|write", 0.0),
        other,
        perSecond.getOrDefault("vol.bytes|" + volume + "|read", 0.0),
        perSecond.getOrDefault("vol.bytes|" + volume + "|write", 0.0),
        percentileMillis(volumeTimer(volume, "read"), 0.99),
        percentileMillis(volumeTimer(volume, "write"), 0.99));
  }

  private Timer volumeTimer(String volume, String op) {
    return registry.find(VOLUME_OPS).tag("volume", volume).tag("op", op).timer();
  }

  /** The timer's published percentile, or null without one or before any recording. */
  static Double percentileMillis(Timer timer, double percentile) {
    if (timer == null || timer.count() == 0) {
      return null;
    }
    for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
      if (Math.abs(v.percentile() - percentile) < 1e-9) {
        return v.value(TimeUnit.MILLISECONDS);
      }
    }
    return null;
  }
}
