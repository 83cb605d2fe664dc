package io.cairn.offload.dpu;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * The DPU tier's settings ({@code cairn.dpu} in offload's reference.conf).
 *
 * @param threads size of the fixed thread pool of {@code cairn.dpu.dispatcher}
 * @param queueDepthMax bound of each engine's submission queue (jobs accepted, not completed)
 * @param shutdownTimeout how long shutdown waits for in-flight jobs before failing them
 * @param ecWarmUpRoundsMax rounds of the erasure-coding warm-up run at start (0: none)
 * @param ecWarmUpBudget time after which the warm-up starts no new round
 */
public record DpuSettings(int threads, int queueDepthMax, Duration shutdownTimeout,
    int ecWarmUpRoundsMax, Duration ecWarmUpBudget) {

  /** The dispatcher every DPU actor runs on, and nothing else. */
  public static final String DISPATCHER = "cairn.dpu.dispatcher";

  public DpuSettings {
    if (threads < 1) {
      throw new IllegalArgumentException("cairn.dpu.threads must be at least 1, got " + threads);
    }
    if (queueDepthMax < 1) {
      throw new IllegalArgumentException(
          "cairn.dpu.queue-depth must be at least 1, got " + queueDepthMax);
    }
    if (ecWarmUpRoundsMax < 0) {
      throw new IllegalArgumentException(
          "cairn.dpu.ec-warm-up.rounds must not be negative, got " + ecWarmUpRoundsMax);
    }
    if (ecWarmUpBudget.isNegative()) {
      throw new IllegalArgumentException(
          "cairn.dpu.ec-warm-up.budget must not be negative, got " + ecWarmUpBudget);
    }
  }

  public static DpuSettings from(Config config) {
    int threads = config.getInt("cairn.dpu.threads");
    if (threads == 0) {
      threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
    return new DpuSettings(
        threads,
        config.getInt("cairn.dpu.queue-depth"),
        config.getDuration("cairn.dpu.shutdown-timeout"),
        config.getInt("cairn.dpu.ec-warm-up.rounds"),
        config.getDuration("cairn.dpu.ec-warm-up.budget"));
  }

  /**
   * The actor system's configuration with the DPU dispatcher sized to {@link #threads}. Call it
   * on the configuration before the actor system is created: dispatchers are fixed at creation.
   */
  public static Config applyTo(Config config) {
    DpuSettings settings = from(config);
    return ConfigFactory.parseString(
            DISPATCHER + ".thread-pool-executor.fixed-pool-size = " + settings.threads())
        .withFallback(config);
  }
}
