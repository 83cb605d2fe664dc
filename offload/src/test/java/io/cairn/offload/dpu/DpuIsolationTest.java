package io.cairn.offload.dpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Keeps isolation from regressing: with the DPU tier saturated, an application actor on the
 * default dispatcher still answers within a generous bound and loses nothing. The bound is far
 * above what the benchmark measures (scripts/bench-isolation) so that a noisy machine cannot
 * fail it; what it catches is engine work landing on the default dispatcher or a caller's thread.
 */
class DpuIsolationTest {

  @Test
  void applicationActorsKeepTheirLatencyWhileTheDpuTierIsSaturated() throws Exception {
    try (DpuTestKit kit = new DpuTestKit(1, 16)) {
      LatencyProbe probe = new LatencyProbe(kit.testKit.system(), "probe");
      DpuLoad load = new DpuLoad(kit.dpu, 16);
      Thread.sleep(1000); // let the load and the JIT settle
      probe.interval();

      Thread.sleep(3000);
      Histogram saturated = probe.interval();
      load.close();
      probe.stopAndDrain(Duration.ofSeconds(10));

      assertThat(load.bytesDone()).as("the DPU tier did real work").isPositive();
      assertThat(saturated.getTotalCount()).as("probe round trips").isGreaterThan(1000);
      assertThat(saturated.getValueAtPercentile(99) / 1e6).as("p99 ms").isLessThan(50.0);
      assertThat(probe.received()).as("no probe message lost").isEqualTo(probe.sent());
    }
  }
}
