package io.cairn.node.maintenance;

import java.util.Optional;

/**
 * Long-running maintenance on this node's data: scrub (read every shard, verify its checksum,
 * rewrite bad or missing shards) and compaction (repack segments whose live fraction fell below
 * the threshold). One run of each kind at a time.
 */
public interface MaintenanceService {

  enum Kind { SCRUB, COMPACTION }

  enum State { RUNNING, COMPLETED, FAILED }

  /**
   * A run's progress and results.
   *
   * @param done units processed so far (shards for scrub, segments for compaction)
   * @param total units to process in this run
   * @param found problems found (bad or missing shards; segments eligible for compaction)
   * @param repaired problems fixed (shards rewritten; segments compacted)
   * @param error why a FAILED run failed, else null
   */
  record Run(long id, Kind kind, State state, long startedAtMillis, Long finishedAtMillis,
      long done, long total, long found, long repaired, String error) {}

  /**
   * Starts a run of {@code kind}.
   *
   * @throws IllegalStateException if one is already running (the API reports 409)
   */
  Run start(Kind kind);

  /** The current or most recent run of {@code kind}, if any. */
  Optional<Run> latest(Kind kind);
}
