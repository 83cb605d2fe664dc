package io.cairn.offload.ec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KernelWarmUpTest {

  @Test
  void runsTheRoundsAskedForAndItsParityMatchesTheScalarKernel() {
    KernelWarmUp.Result result = KernelWarmUp.run(3, Duration.ofMinutes(5));

    assertThat(result.rounds()).isEqualTo(3);
    assertThat(result.parityMatchesScalar()).isTrue();
  }

  @Test
  void anExhaustedBudgetStillRunsOneRoundAndNoMore() {
    KernelWarmUp.Result result = KernelWarmUp.run(1000, Duration.ZERO);

    assertThat(result.rounds()).isEqualTo(1);
    assertThat(result.parityMatchesScalar()).isTrue();
  }

  @Test
  void boundsAreChecked() {
    assertThatThrownBy(() -> KernelWarmUp.run(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("roundsMax");
    assertThatThrownBy(() -> KernelWarmUp.run(1, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
  }
}
