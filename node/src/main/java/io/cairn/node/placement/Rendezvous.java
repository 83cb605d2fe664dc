package io.cairn.node.placement;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a segment's shards go: weighted rendezvous (highest-random-weight) hashing of the segment
 * id over the live stores, choosing k+m stores in distinct failure domains (DESIGN.md,
 * "Placement").
 *
 * <p>Each candidate scores {@code -weight / ln(u)}, u a uniform hash of (segment, store) in (0,1):
 * the classic weighted HRW, so a store with twice the free space gets about twice the shards, and
 * adding or losing a store moves only the shards that must move. Nodes are the widest failure
 * domain: with enough nodes every shard goes to a different node; otherwise stores are the domain.
 */
public final class Rendezvous {

  /** A store that can take shards. {@code weight} is its free capacity (any positive unit). */
  public record Candidate(String storeId, String node, double weight) {}

  /** What the placement could honour; {@link #failureDomain} is "node" or "store". */
  public record Placement(List<String> stores, String failureDomain) {}

  private Rendezvous() {}

  /**
   * Chooses {@code count} stores for {@code segmentId}, in shard order.
   *
   * @throws IllegalStateException if fewer than {@code count} stores are available
   */
  public static Placement choose(long segmentId, int count, List<Candidate> candidates) {
    if (candidates.size() < count) {
      throw new IllegalStateException("cannot place " + count + " shards on "
          + candidates.size() + " stores");
    }
    List<Candidate> ranked = new ArrayList<>(candidates);
    ranked.sort(Comparator.comparingDouble((Candidate c) -> score(segmentId, c)).reversed()
        .thenComparing(Candidate::storeId));
    Set<String> nodes = new HashSet<>();
    for (Candidate c : candidates) {
      nodes.add(c.node());
    }
    if (nodes.size() >= count) {
      List<String> chosen = new ArrayList<>();
      Set<String> used = new HashSet<>();
      for (Candidate c : ranked) {
        if (used.add(c.node())) {
          chosen.add(c.storeId());
          if (chosen.size() == count) {
            return new Placement(chosen, "node");
          }
        }
      }
    }
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      chosen.add(ranked.get(i).storeId());
    }
    return new Placement(chosen, "store");
  }

  static double score(long segmentId, Candidate c) {
    long h = mix(segmentId ^ fnv(c.storeId()));
    // A uniform double in (0, 1) from the top 53 bits, never exactly 0.
    double u = ((h >>> 11) + 0.5) / (1L << 53);
    return -Math.max(c.weight(), 1e-9) / Math.log(u);
  }

  private static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finalizer: a fast, well-mixed 64-bit hash. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

}
