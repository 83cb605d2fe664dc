package io.cairn.node.admin;

import io.cairn.node.cluster.ClusterStatus;
import io.cairn.node.maintenance.MaintenanceService;
import io.cairn.node.store.StoreInfo;
import io.cairn.node.volume.VolumeService;
import io.cairn.offload.dpu.Dpu;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.Supplier;

/**
 * Everything the management plane reads or drives, handed to it by the node at start-up. The
 * routes hold no state of their own.
 *
 * @param apiToken the bearer token mutating calls (and, unless {@code openReads}, reads) need
 * @param openReads whether GET calls are allowed without the token
 */
public record NodeServices(
    String nodeName,
    Supplier<AdminRoutes.Readiness> readiness,
    Supplier<ClusterStatus> cluster,
    Supplier<List<StoreInfo>> stores,
    VolumeService volumes,
    MaintenanceService maintenance,
    Dpu dpu,
    PrometheusMeterRegistry registry,
    String apiToken,
    boolean openReads) {}
