package io.cairn.offload.dpu;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/**
 * The three phases of the isolation benchmark, each in a fresh actor system: the probe alone;
 * the probe with the DPU tier saturated on cairn.dpu.dispatcher; the probe with the very same DPU
 * actors and load placed on the default dispatcher (the dispatcher id aliased to it). Rounds
 * alternate the phases (A B C A B C …) so drift on a shared machine hits them alike.
 */
public final class IsolationScenario {

  /** One phase's outcome. */
  public record Result(String phase, double p50Millis, double p99Millis, double p999Millis,
      long probes, long lost, double mbPerSecond, double dpuCores, double appCores) {}

  private IsolationScenario() {}

  public static Result run(String phase, Duration duration) throws Exception {
    Config base = ConfigFactory.parseString(
        "cairn.dpu.threads = 1\ncairn.dpu.queue-depth = 16").withFallback(ConfigFactory.load());
    Config config = switch (phase) {
      case "idle", "dpu-dispatcher" -> DpuSettings.applyTo(base);
      // Pekko dispatcher aliases: the DPU actors run on the default dispatcher itself.
      case "default-dispatcher" -> ConfigFactory.parseString(
          "cairn.dpu.dispatcher = \"pekko.actor.default-dispatcher\"").withFallback(base);
      default -> throw new IllegalArgumentException("phase: unknown " + phase);
    };
    ActorTestKit kit = ActorTestKit.create("isolation", config);
    try {
      Dpu dpu = Dpu.start(kit.system(), new SimpleMeterRegistry());
      // Steady state only: the erasure-coding warm-up is a start-up transient.
      dpu.ecWarmUp().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
      LatencyProbe probe = new LatencyProbe(kit.system(), "probe");
      DpuLoad load = phase.equals("idle") ? null : new DpuLoad(dpu, 16);
      Thread.sleep(2000); // warm-up: JIT, load reaches steady state
      probe.interval();
      long bytesBefore = load == null ? 0 : load.bytesDone();
      long dpuCpuBefore = dpu.cpu().dpuCpuNanos();
      long appCpuBefore = dpu.cpu().applicationCpuNanos();
      long start = System.nanoTime();
      Thread.sleep(duration.toMillis());
      Histogram h = probe.interval();
      long wallNanos = System.nanoTime() - start;
      double dpuCores = (double) (dpu.cpu().dpuCpuNanos() - dpuCpuBefore) / wallNanos;
      double appCores = (double) (dpu.cpu().applicationCpuNanos() - appCpuBefore) / wallNanos;
      double seconds = wallNanos / 1e9;
      long bytes = load == null ? 0 : load.bytesDone() - bytesBefore;
      if (load != null) {
        load.close();
      }
      probe.stopAndDrain(Duration.ofSeconds(10));
      return new Result(phase, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
          h.getValueAtPercentile(99.9) / 1e6, h.getTotalCount(), probe.sent() - probe.received(),
          bytes / seconds / 1e6, dpuCores, appCores);
    } finally {
      kit.shutdownTestKit();
    }
  }

  public static void runAndPrint(int seconds, int rounds, PrintStream out) throws Exception {
    List<Result> results = new ArrayList<>();
    out.printf("%-20s %9s %9s %9s %8s %5s %9s %9s %9s%n", "phase", "p50 ms", "p99 ms",
        "p99.9 ms", "probes", "lost", "DPU MB/s", "DPU cores", "app cores");
    for (int round = 0; round < rounds; round++) {
      for (String phase : List.of("idle", "dpu-dispatcher", "default-dispatcher")) {
        Result r = run(phase, Duration.ofSeconds(seconds));
        results.add(r);
        out.printf(Locale.ROOT, "%-20s %9.3f %9.3f %9.3f %8d %5d %9.1f %9.2f %9.2f%n",
            r.phase(), r.p50Millis(), r.p99Millis(), r.p999Millis(), r.probes(), r.lost(),
            r.mbPerSecond(), r.dpuCores(), r.appCores());
      }
    }
    out.println();
    out.println("Medians over " + rounds + " rounds:");
    for (String phase : List.of("idle", "dpu-dispatcher", "default-dispatcher")) {
      List<Result> of = results.stream().filter(r -> r.phase().equals(phase)).toList();
      out.printf(Locale.ROOT, "%-20s p50 %8.3f  p99 %8.3f  p99.9 %8.3f ms  DPU %7.1f MB/s%n",
          phase, median(of, Result::p50Millis), median(of, Result::p99Millis),
          median(of, Result::p999Millis), median(of, Result::mbPerSecond));
    }
  }

  private static double median(List<Result> results,
      java.util.function.ToDoubleFunction<Result> f) {
    double[] v = results.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
