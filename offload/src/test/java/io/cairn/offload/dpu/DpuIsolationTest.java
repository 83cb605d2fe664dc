package io.cairn.offload.dpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Keeps isolation from regressing: with the DPU tier saturated, an application actor on the
 * default dispatcher still answers within a generous bound and loses nothing.
 *
 * <p>The bound (p99 under 50 ms) is far above what scripts/bench-isolation measures on a quiet
 * machine (p99 under 1 ms, see BENCHMARKS.md). A 2-core machine shared with another busy process
 * can still stall any thread for longer, so the test measures three 2-second windows and judges
 * the best one: a window without outside interference exists unless the DPU tier itself is what
 * stalls the application.
 */
class DpuIsolationTest {

  @Test
  void applicationActorsKeepTheirLatencyWhileTheDpuTierIsSaturated() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 16)) {
      // The erasure-coding warm-up is a start-up transient (the Vector API's fallback allocates
      // heavily and C2 compiles big units until it is done), not the steady state judged here.
      kit.dpu.ecWarmUp().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
      LatencyProbe probe = new LatencyProbe(kit.testKit.system(), "probe");
      DpuLoad load = new DpuLoad(kit.dpu, 16);
      Thread.sleep(2000); // let the load reach steady state and the JIT settle
      probe.interval();

      double bestP99Millis = Double.MAX_VALUE;
      long probes = 0;
      for (int window = 0; window < 3; window++) {
        Thread.sleep(2000);
        Histogram h = probe.interval();
        probes += h.getTotalCount();
        bestP99Millis = Math.min(bestP99Millis, h.getValueAtPercentile(99) / 1e6);
      }
      long doneBytes = load.bytesDone();
      load.close();
      probe.stopAndDrain(Duration.ofSeconds(10));

      assertThat(doneBytes).as("the DPU tier did real work").isPositive();
      assertThat(probes).as("probe round trips").isGreaterThan(1000);
      assertThat(bestP99Millis).as("p99 ms of the best window").isLessThan(50.0);
      assertThat(probe.received()).as("no probe message lost").isEqualTo(probe.sent());
    }
  }
}
