package io.cairn.offload.dpu;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-engine meters of the DPU tier, all tagged {@code engine=<tag>}: operations, failures,
 * refusals, bytes in and out, latency (with a histogram for percentiles), queue depth, and the
 * CPU time the engine's jobs spent on DPU threads.
 */
final class DpuMeters {

  /** One engine's meters and the live counters behind them. */
  static final class EngineMeters {
    final Counter operations;
    final Counter failures;
    final Counter refusals;
    final Counter bytesIn;
    final Counter bytesOut;
    final Timer latency;
    final AtomicInteger queueDepth = new AtomicInteger();
    final LongAdder cpuNanos = new LongAdder();

    EngineMeters(MeterRegistry registry, Engine engine) {
      String tag = engine.tag();
      operations = Counter.builder("cairn.dpu.operations").tag("engine", tag)
          .description("Jobs the engine completed, successfully or not").register(registry);
      failures = Counter.builder("cairn.dpu.failures").tag("engine", tag)
          .description("Jobs that failed with an engine error").register(registry);
      refusals = Counter.builder("cairn.dpu.refusals").tag("engine", tag)
          .description("Jobs refused because the submission queue was full").register(registry);
      bytesIn = Counter.builder("cairn.dpu.bytes.in").tag("engine", tag).baseUnit("bytes")
          .description("Bytes handed to the engine").register(registry);
      bytesOut = Counter.builder("cairn.dpu.bytes.out").tag("engine", tag).baseUnit("bytes")
          .description("Bytes the engine produced").register(registry);
      latency = Timer.builder("cairn.dpu.latency").tag("engine", tag)
          .description("From submission to completion, queueing included")
          .publishPercentiles(0.5, 0.99, 0.999)
          .publishPercentileHistogram()
          .register(registry);
      Gauge.builder("cairn.dpu.queue.depth", queueDepth, AtomicInteger::get).tag("engine", tag)
          .description("Jobs accepted and not yet completed").register(registry);
      FunctionCounter.builder("cairn.dpu.cpu.seconds", cpuNanos, n -> n.sum() / 1e9)
          .tag("engine", tag).baseUnit("seconds")
          .description("CPU time the engine's jobs used on DPU threads").register(registry);
    }

    void completed(long startNanos, long cpuNanosUsed, long in, long out, boolean failed) {
      latency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
      operations.increment();
      if (failed) {
        failures.increment();
      }
      cpuNanos.add(cpuNanosUsed);
      bytesIn.increment(in);
      bytesOut.increment(out);
    }
  }

  private final Map<Engine, EngineMeters> byEngine = new EnumMap<>(Engine.class);

  DpuMeters(MeterRegistry registry) {
    for (Engine engine : Engine.values()) {
      byEngine.put(engine, new EngineMeters(registry, engine));
    }
  }

  EngineMeters of(Engine engine) {
    return byEngine.get(engine);
  }

  long totalCpuNanos() {
    long sum = 0;
    for (EngineMeters m : byEngine.values()) {
      sum += m.cpuNanos.sum();
    }
    return sum;
  }
}
