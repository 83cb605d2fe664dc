package io.cairn.offload.ec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decode tables per erasure pattern, least recently used first out. Building one costs a k x k
 * inversion (tens of microseconds for k = 10), more than decoding a 4 KiB range, and a failed
 * store produces the same pattern for every stripe it held, so patterns repeat.
 *
 * <p>Guarantees: at most {@code entriesMax} entries; thread-safe (one lock, held only for the map
 * operation, never while inverting). Two threads missing the same pattern may both build it;
 * the results are equal, so either may win.
 */
final class DecodeCache {

  /** Which k shards are read (bit i = shard i) and which shards are produced. */
  record Pattern(long survivors, long wanted) {}

  /** The prepared product: inputs are the survivors ascending, outputs the wanted ascending. */
  record Decoding(int[] survivors, int[] wanted, CodingTables tables) {}

  private final Map<Pattern, Decoding> entries;

  DecodeCache(int entriesMax) {
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Pattern, Decoding> eldest) {
        return size() > entriesMax;
      }
    };
  }

  Decoding get(Pattern pattern) {
    synchronized (entries) {
      return entries.get(pattern);
    }
  }

  void put(Pattern pattern, Decoding decoding) {
    synchronized (entries) {
      entries.put(pattern, decoding);
    }
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
