package io.cairn.node.admin;

import io.cairn.node.volume.VolumeAdminException;
import io.cairn.node.volume.VolumeAdminException.Kind;
import io.cairn.node.volume.VolumeInfo;
import io.cairn.node.volume.VolumePolicy;
import io.cairn.node.volume.VolumeService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test double of the volume engine's control plane: volumes in memory, the same refusals the
 * real service documents (duplicate name, unknown volume, shrink, policy wider than the stores),
 * and the per-volume meters the engine registers, which {@link #io} advances as if I/O ran.
 */
public final class InMemoryVolumes implements VolumeService {

  private final class Volume {
    final long id;
    final String name;
    final int blockBytes;
    final VolumePolicy policy;
    final long createdAtMillis = System.currentTimeMillis();
    volatile long sizeBytes;
    final AtomicLong logicalBytes = new AtomicLong();

    Volume(long id, String name, long sizeBytes, int blockBytes, VolumePolicy policy) {
      this.id = id;
      this.name = name;
      this.sizeBytes = sizeBytes;
      this.blockBytes = blockBytes;
      this.policy = policy;
    }

    VolumeInfo info() {
      long logical = logicalBytes.get();
      double compression = policy.compression() == VolumePolicy.Compression.NONE ? 1.0 : 2.0;
      double dedup = policy.dedup() ? 1.25 : 1.0;
      return new VolumeInfo(id, name, sizeBytes, blockBytes, policy, createdAtMillis, logical,
          (long) (logical / compression / dedup), dedup, compression, "healthy");
    }
  }

  private final Map<String, Volume> volumes = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final MeterRegistry registry;
  private final int failureDomains;
  /** While set, list() never completes: a service that hangs. */
  public volatile boolean stalled;
  /** Calls that reached the service: a refused request must not add to it. */
  public final AtomicLong calls = new AtomicLong();

  public InMemoryVolumes(MeterRegistry registry, int failureDomains) {
    this.registry = registry;
    this.failureDomains = failureDomains;
  }

  @Override
  public CompletionStage<VolumeInfo> create(String name, long sizeBytes, int blockBytes,
      VolumePolicy policy) {
    calls.incrementAndGet();
    if (policy.totalShards() > failureDomains) {
      return failed(new VolumeAdminException(Kind.UNPLACEABLE, "policy.ec", "policy "
          + policy.dataShards() + "+" + policy.parityShards() + " needs " + policy.totalShards()
          + " failure domains; this cluster has " + failureDomains));
    }
    Volume v = new Volume(ids.incrementAndGet(), name, sizeBytes, blockBytes, policy);
    if (volumes.putIfAbsent(name, v) != null) {
      return failed(new VolumeAdminException(Kind.CONFLICT, "name",
          "a volume named '" + name + "' exists"));
    }
    registerMeters(v);
    return CompletableFuture.completedFuture(v.info());
  }

  private void registerMeters(Volume v) {
    for (String op : List.of("read", "write", "flush", "trim", "write_zeroes")) {
      Timer.builder("cairn.volume.ops").tag("volume", v.name).tag("op", op)
          .publishPercentiles(0.5, 0.99, 0.999).register(registry);
    }
    for (String op : List.of("read", "write")) {
      Counter.builder("cairn.volume.bytes").tag("volume", v.name).tag("op", op)
          .register(registry);
    }
    Gauge.builder("cairn.volume.logical.bytes", v.logicalBytes, AtomicLong::get)
        .tag("volume", v.name).register(registry);
    Gauge.builder("cairn.volume.physical.bytes", v, x -> x.info().physicalBytes())
        .tag("volume", v.name).register(registry);
  }

  /** Records I/O on a volume as the engine would: ops with latencies, bytes, allocation. */
  public void io(String name, int reads, int writes, int bytesPerOp, Duration latency) {
    Volume v = volumes.get(name);
    if (v == null) {
      return;
    }
    Timer read = registry.timer("cairn.volume.ops", "volume", name, "op", "read");
    Timer write = registry.timer("cairn.volume.ops", "volume", name, "op", "write");
    for (int i = 0; i < reads; i++) {
      read.record(latency);
    }
    for (int i = 0; i < writes; i++) {
      write.record(latency.multipliedBy(2));
    }
    registry.counter("cairn.volume.bytes", "volume", name, "op", "read")
        .increment((double) reads * bytesPerOp);
    registry.counter("cairn.volume.bytes", "volume", name, "op", "write")
        .increment((double) writes * bytesPerOp);
    v.logicalBytes.updateAndGet(l -> Math.min(v.sizeBytes, l + (long) writes * bytesPerOp));
  }

  @Override
  public CompletionStage<List<VolumeInfo>> list() {
    calls.incrementAndGet();
    if (stalled) {
      return new CompletableFuture<>();
    }
    return CompletableFuture.completedFuture(volumes.values().stream().map(Volume::info)
        .sorted(Comparator.comparing(VolumeInfo::name)).toList());
  }

  @Override
  public CompletionStage<VolumeInfo> get(String name) {
    calls.incrementAndGet();
    Volume v = volumes.get(name);
    return v == null ? notFound(name) : CompletableFuture.completedFuture(v.info());
  }

  @Override
  public CompletionStage<VolumeInfo> grow(String name, long newSizeBytes) {
    calls.incrementAndGet();
    Volume v = volumes.get(name);
    if (v == null) {
      return notFound(name);
    }
    if (newSizeBytes < v.sizeBytes || newSizeBytes % v.blockBytes != 0) {
      return failed(new VolumeAdminException(Kind.INVALID, "sizeBytes", "a volume can only "
          + "grow, by whole blocks: it has " + v.sizeBytes + " bytes, asked " + newSizeBytes));
    }
    v.sizeBytes = newSizeBytes;
    return CompletableFuture.completedFuture(v.info());
  }

  @Override
  public CompletionStage<Void> delete(String name) {
    calls.incrementAndGet();
    Volume v = volumes.remove(name);
    if (v == null) {
      return notFound(name);
    }
    registry.find("cairn.volume.ops").tag("volume", name).meters().forEach(registry::remove);
    registry.find("cairn.volume.bytes").tag("volume", name).meters().forEach(registry::remove);
    return CompletableFuture.completedFuture(null);
  }

  /** The size a volume has now, or -1. */
  public long sizeOf(String name) {
    Volume v = volumes.get(name);
    return v == null ? -1 : v.sizeBytes;
  }

  public int count() {
    return volumes.size();
  }

  private static <T> CompletionStage<T> notFound(String name) {
    return failed(new VolumeAdminException(Kind.NOT_FOUND, "name",
        "no volume named '" + name + "'"));
  }

  private static <T> CompletionStage<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }
}
