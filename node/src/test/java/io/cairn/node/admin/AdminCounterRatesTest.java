package io.cairn.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rates over a sliding window, with a clock the test drives. */
class AdminCounterRatesTest {

  private static final long SECOND = 1_000_000_000L;
  private final Map<String, Double> counters = new HashMap<>();
  private final CounterRates rates = new CounterRates(() -> counters, 5 * SECOND);

  @Test
  void noRateBeforeTwoSamples() {
    counters.put("a", 10.0);
    rates.sample(0);
    assertThat(rates.perSecond()).isEmpty();
  }

  @Test
  void rateIsTheIncreaseOverTheWindow() {
    for (int s = 0; s <= 10; s++) {
      counters.put("a", 100.0 * s);
      rates.sample(s * SECOND);
    }
    assertThat(rates.perSecond().get("a")).isEqualTo(100.0);
    assertThat(rates.windowSeconds()).isEqualTo(5.0);
  }

  @Test
  void oldBurstsLeaveTheWindow() {
    counters.put("a", 0.0);
    rates.sample(0);
    counters.put("a", 1000.0);
    rates.sample(SECOND);
    for (int s = 2; s <= 8; s++) {
      rates.sample(s * SECOND);
    }
    assertThat(rates.perSecond().get("a")).isZero();
  }

  @Test
  void aCounterThatRestartedReadsZeroNotNegative() {
    counters.put("a", 500.0);
    rates.sample(0);
    counters.put("a", 3.0);
    rates.sample(SECOND);
    assertThat(rates.perSecond().get("a")).isZero();
  }

  @Test
  void aNewCounterCountsFromZero() {
    rates.sample(0);
    counters.put("new", 20.0);
    rates.sample(2 * SECOND);
    assertThat(rates.perSecond().get("new")).isEqualTo(10.0);
  }
}
