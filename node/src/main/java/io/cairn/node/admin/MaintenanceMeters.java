package io.cairn.node.admin;

import io.cairn.node.maintenance.MaintenanceService;
import io.cairn.node.maintenance.MaintenanceService.Kind;
import io.cairn.node.maintenance.MaintenanceService.Run;
import io.cairn.node.maintenance.MaintenanceService.State;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of the latest maintenance run of each kind, tagged {@code kind=scrub|compaction}:
 * {@code cairn.maintenance.progress} (0..1), {@code cairn.maintenance.running} (0 or 1),
 * {@code cairn.maintenance.found} and {@code cairn.maintenance.repaired}. Before the first run
 * every gauge reads 0. Read when /metrics is scraped, off the default dispatcher.
 */
final class MaintenanceMeters {

  private MaintenanceMeters() {}

  static void register(MeterRegistry registry, MaintenanceService service) {
    for (Kind kind : Kind.values()) {
      gauge(registry, service, kind, "cairn.maintenance.progress",
          "Fraction of the latest run done (1 when it completed)", MaintenanceMeters::progress);
      gauge(registry, service, kind, "cairn.maintenance.running",
          "1 while a run is in progress", r -> r.state() == State.RUNNING ? 1 : 0);
      gauge(registry, service, kind, "cairn.maintenance.found",
          "Problems the latest run found", r -> r.found());
      gauge(registry, service, kind, "cairn.maintenance.repaired",
          "Problems the latest run fixed", r -> r.repaired());
    }
  }

  static String tag(Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  /** A run's completed fraction; a completed run is 1 even when it had nothing to do. */
  static double progress(Run r) {
    if (r.state() == State.COMPLETED) {
      return 1.0;
    }
    return r.total() <= 0 ? 0.0 : Math.min(1.0, (double) r.done() / r.total());
  }

  private static void gauge(MeterRegistry registry, MaintenanceService service, Kind kind,
      String name, String description, ToDoubleFunction<Run> value) {
    Gauge.builder(name, service, s -> s.latest(kind).map(value::applyAsDouble).orElse(0.0))
        .tag("kind", tag(kind))
        .description(description)
        .register(registry);
  }
}
