package io.cairn.node.admin;

import io.cairn.node.cluster.ClusterStatus;
import io.cairn.node.maintenance.MaintenanceService.Run;
import io.cairn.node.store.StoreInfo;
import io.cairn.node.volume.VolumeInfo;
import io.cairn.node.volume.VolumePolicy;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The JSON shapes the API returns (documented in openapi.json). They are the API's own records,
 * not the services' types, so that a change inside the node does not silently change the API.
 */
final class ApiViews {

  private ApiViews() {}

  /** A policy written the way requests give it ({@code "ec": "4+2"}), plus k and m. */
  record PolicyView(String ec, int dataShards, int parityShards, String compression,
      boolean dedup, boolean encryption) {
    static PolicyView of(VolumePolicy p) {
      return new PolicyView(p.dataShards() + "+" + p.parityShards(), p.dataShards(),
          p.parityShards(), p.compression().name().toLowerCase(Locale.ROOT), p.dedup(),
          p.encryption());
    }
  }

  record VolumeView(long id, String name, long sizeBytes, int blockBytes, PolicyView policy,
      String createdAt, long logicalBytes, long physicalBytes, double dedupRatio,
      double compressionRatio, String health, Telemetry.VolumeIo io) {
    static VolumeView of(VolumeInfo v, Telemetry.VolumeIo io) {
      return new VolumeView(v.id(), v.name(), v.sizeBytes(), v.blockBytes(),
          PolicyView.of(v.policy()), Instant.ofEpochMilli(v.createdAtMillis()).toString(),
          v.logicalBytes(), v.physicalBytes(), v.dedupRatio(), v.compressionRatio(), v.health(),
          io);
    }
  }

  record VolumeList(List<VolumeView> volumes) {}

  record StoreList(List<StoreInfo> stores) {}

  /** One maintenance run; progress is 0..1 (1 once completed). */
  record RunView(long id, String kind, String state, String startedAt, String finishedAt,
      long done, long total, double progress, long found, long repaired, String error) {
    static RunView of(Run r) {
      return new RunView(r.id(), MaintenanceMeters.tag(r.kind()),
          r.state().name().toLowerCase(Locale.ROOT),
          Instant.ofEpochMilli(r.startedAtMillis()).toString(),
          r.finishedAtMillis() == null ? null : Instant.ofEpochMilli(r.finishedAtMillis())
              .toString(),
          r.done(), r.total(), MaintenanceMeters.progress(r), r.found(), r.repaired(),
          r.error());
    }
  }

  /** The latest run of each kind; null where none ran yet. */
  record MaintenanceView(RunView scrub, RunView compaction) {}

  record StoreTotals(int count, int healthy, long capacityBytes, long usedBytes,
      long freeBytes) {
    static StoreTotals of(List<StoreInfo> stores) {
      long cap = 0;
      long used = 0;
      long free = 0;
      int ok = 0;
      for (StoreInfo s : stores) {
        cap += s.capacityBytes();
        used += s.usedBytes();
        free += s.freeBytes();
        ok += "ok".equals(s.health()) ? 1 : 0;
      }
      return new StoreTotals(stores.size(), ok, cap, used, free);
    }
  }

  record VolumeTotals(int count, int degraded, long sizeBytes, long logicalBytes,
      long physicalBytes) {
    static VolumeTotals of(List<VolumeInfo> volumes) {
      long size = 0;
      long logical = 0;
      long physical = 0;
      int degraded = 0;
      for (VolumeInfo v : volumes) {
        size += v.sizeBytes();
        logical += v.logicalBytes();
        physical += v.physicalBytes();
        degraded += "healthy".equals(v.health()) ? 0 : 1;
      }
      return new VolumeTotals(volumes.size(), degraded, size, logical, physical);
    }
  }

  /** What {@code cairn status} prints: this node, its cluster and its fault tolerance. */
  record StatusView(String node, boolean ready, AdminRoutes.Readiness readiness,
      ClusterStatus cluster, StoreTotals stores, VolumeTotals volumes,
      Telemetry.CoresView cores) {}
}
