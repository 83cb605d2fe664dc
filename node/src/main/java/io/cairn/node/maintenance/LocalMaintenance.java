package io.cairn.node.maintenance;

import io.cairn.node.volume.LocalVolume;
import io.cairn.node.volume.VolumeManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrub and compaction of this node's volumes, one run of each kind at a time, with progress an
 * operator can follow (the REST API and {@code cairn scrub status}) and meters
 * ({@code cairn.scrub.shards{result=checked|bad|repaired}}, {@code cairn.maintenance.progress}).
 */
public final class LocalMaintenance implements MaintenanceService {

  private static final Logger log = LoggerFactory.getLogger(LocalMaintenance.class);

  private final VolumeManager volumes;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Kind, AtomicReference<Run>> latest = new EnumMap<>(Kind.class);
  private final Counter checked;
  private final Counter bad;
  private final Counter repaired;
  private final Counter compacted;

  public LocalMaintenance(VolumeManager volumes, MeterRegistry registry) {
    this.volumes = volumes;
    for (Kind k : Kind.values()) {
      AtomicReference<Run> ref = new AtomicReference<>();
      latest.put(k, ref);
      Gauge.builder("cairn.maintenance.progress", ref, r -> {
        Run run = r.get();
        return run == null || run.total() == 0 ? 1.0 : (double) run.done() / run.total();
      }).tag("kind", k.name().toLowerCase(java.util.Locale.ROOT))
          .description("Fraction done of the current or last run").register(registry);
    }
    checked = Counter.builder("cairn.scrub.shards").tag("result", "checked").register(registry);
    bad = Counter.builder("cairn.scrub.shards").tag("result", "bad").register(registry);
    repaired = Counter.builder("cairn.scrub.shards").tag("result", "repaired").register(registry);
    compacted = Counter.builder("cairn.compaction.segments").register(registry);
  }

  @Override
  public synchronized Run start(Kind kind) {
    AtomicReference<Run> ref = latest.get(kind);
    Run current = ref.get();
    if (current != null && current.state() == State.RUNNING) {
      throw new IllegalStateException(kind.name().toLowerCase(java.util.Locale.ROOT)
          + " run " + current.id() + " is still running");
    }
    List<LocalVolume> targets = volumes.localVolumes();
    long total = kind == Kind.SCRUB
        ? targets.stream().mapToLong(LocalVolume::shardCount).sum()
        : targets.size();
    Run run = new Run(ids.incrementAndGet(), kind, State.RUNNING, System.currentTimeMillis(),
        null, 0, total, 0, 0, null);
    ref.set(run);
    CompletionStage<long[]> work = kind == Kind.SCRUB ? scrub(ref, targets) : compact(ref, targets);
    work.whenComplete((counts, failure) -> ref.updateAndGet(r -> failure == null
        ? new Run(r.id(), kind, State.COMPLETED, r.startedAtMillis(), System.currentTimeMillis(),
            r.total(), r.total(), counts[0], counts[1], null)
        : new Run(r.id(), kind, State.FAILED, r.startedAtMillis(), System.currentTimeMillis(),
            r.done(), r.total(), r.found(), r.repaired(), String.valueOf(failure))));
    return run;
  }

  @Override
  public Optional<Run> latest(Kind kind) {
    return Optional.ofNullable(latest.get(kind).get());
  }

  /** Runs a scrub and waits for it; for tests and tools. */
  public Run scrubNow() {
    Run run = start(Kind.SCRUB);
    while (latest(Kind.SCRUB).orElseThrow().state() == State.RUNNING) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return latest(Kind.SCRUB).orElse(run);
  }

  private CompletionStage<long[]> scrub(AtomicReference<Run> ref, List<LocalVolume> targets) {
    CompletionStage<long[]> chain = CompletableFuture.completedFuture(new long[2]);
    for (LocalVolume v : targets) {
      chain = chain.thenCompose(acc -> v.scrub(() -> {
        checked.increment();
        ref.updateAndGet(r -> withDone(r, r.done() + 1));
      }).thenApply(result -> {
        bad.increment(result.shardsBad());
        repaired.increment(result.shardsRepaired());
        if (result.shardsBad() > 0) {
          log.warn("Scrub of {}: {} bad shards, {} repaired, {} segments unrecoverable",
              v.name(), result.shardsBad(), result.shardsRepaired(),
              result.segmentsUnrecoverable());
        }
        long[] next = {acc[0] + result.shardsBad(), acc[1] + result.shardsRepaired()};
        ref.updateAndGet(r -> new Run(r.id(), r.kind(), r.state(), r.startedAtMillis(), null,
            r.done(), r.total(), next[0], next[1], null));
        return next;
      }));
    }
    return chain;
  }

  private CompletionStage<long[]> compact(AtomicReference<Run> ref, List<LocalVolume> targets) {
    CompletionStage<long[]> chain = CompletableFuture.completedFuture(new long[2]);
    for (LocalVolume v : targets) {
      chain = chain.thenCompose(acc -> v.compact().thenApply(n -> {
        compacted.increment(n);
        ref.updateAndGet(r -> withDone(r, r.done() + 1));
        return new long[] {acc[0] + n, acc[1] + n};
      }));
    }
    return chain;
  }

  private static Run withDone(Run r, long done) {
    return new Run(r.id(), r.kind(), r.state(), r.startedAtMillis(), r.finishedAtMillis(), done,
        r.total(), r.found(), r.repaired(), r.error());
  }
}
