package io.cairn.node.admin;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per-second rates of cumulative counters over a sliding window, computed from periodic
 * samples: rate = (newest − oldest) / (time between them), for the samples inside the window.
 *
 * <p>Bounded: it keeps at most {@code window / interval + 1} samples, each of the counters that
 * existed when it was taken. A counter that went backwards (its meter was removed and registered
 * anew, e.g. a volume deleted and re-created) reads as rate 0 rather than a negative rate.
 * Thread-safe: {@link #sample} runs on the scheduler, reads on route threads.
 */
final class CounterRates {

  private record Sample(long atNanos, Map<String, Double> values) {}

  private final Supplier<Map<String, Double>> counters;
  private final long windowNanos;
  private final Deque<Sample> samples = new ArrayDeque<>();

  CounterRates(Supplier<Map<String, Double>> counters, long windowNanos) {
    this.counters = counters;
    this.windowNanos = windowNanos;
  }

  /** Takes a sample at {@code nowNanos} (System.nanoTime scale) and drops expired ones. */
  void sample(long nowNanos) {
    Sample s = new Sample(nowNanos, Map.copyOf(counters.get()));
    synchronized (samples) {
      samples.addLast(s);
      // Keep one sample at or beyond the window's start, so the window is always spanned.
      while (samples.size() > 2 && nowNanos - secondOldest() >= windowNanos) {
        samples.removeFirst();
      }
    }
  }

  private long secondOldest() {
    var it = samples.iterator();
    it.next();
    return it.next().atNanos();
  }

  /** Every counter's rate per second; empty until two samples exist. */
  Map<String, Double> perSecond() {
    Sample first;
    Sample last;
    synchronized (samples) {
      if (samples.size() < 2) {
        return Map.of();
      }
      first = samples.peekFirst();
      last = samples.peekLast();
    }
    double seconds = (last.atNanos() - first.atNanos()) / 1e9;
    Map<String, Double> rates = new HashMap<>();
    for (Map.Entry<String, Double> e : last.values().entrySet()) {
      Double before = first.values().get(e.getKey());
      double delta = e.getValue() - (before == null ? 0 : before);
      rates.put(e.getKey(), delta > 0 && seconds > 0 ? delta / seconds : 0.0);
    }
    return rates;
  }

  /** The time the current rates are taken over, in seconds (0 before two samples). */
  double windowSeconds() {
    synchronized (samples) {
      if (samples.size() < 2) {
        return 0;
      }
      return (samples.peekLast().atNanos() - samples.peekFirst().atNanos()) / 1e9;
    }
  }
}
