package io.cairn.node.admin;

import io.cairn.node.maintenance.MaintenanceService;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test double of maintenance whose runs progress with wall time: {@code total} units at
 * {@code millisPerUnit} each, then COMPLETED with one problem found and repaired.
 */
public final class PacedMaintenance implements MaintenanceService {

  private record Started(long id, long startedAtMillis) {}

  private final long total;
  private final long millisPerUnit;
  private final Map<Kind, Started> runs = new EnumMap<>(Kind.class);
  private final AtomicLong ids = new AtomicLong();

  public PacedMaintenance(long total, long millisPerUnit) {
    this.total = total;
    this.millisPerUnit = millisPerUnit;
  }

  @Override
  public synchronized Run start(Kind kind) {
    Optional<Run> current = latest(kind);
    if (current.isPresent() && current.get().state() == State.RUNNING) {
      throw new IllegalStateException("run " + current.get().id() + " started at "
          + current.get().startedAtMillis());
    }
    runs.put(kind, new Started(ids.incrementAndGet(), System.currentTimeMillis()));
    return latest(kind).orElseThrow();
  }

  @Override
  public synchronized Optional<Run> latest(Kind kind) {
    Started s = runs.get(kind);
    if (s == null) {
      return Optional.empty();
    }
    long elapsed = System.currentTimeMillis() - s.startedAtMillis();
    long done = Math.min(total, elapsed / millisPerUnit);
    boolean finished = done >= total;
    return Optional.of(new Run(s.id(), kind, finished ? State.COMPLETED : State.RUNNING,
        s.startedAtMillis(), finished ? s.startedAtMillis() + total * millisPerUnit : null,
        done, total, finished ? 1 : 0, finished ? 1 : 0, null));
  }
}
