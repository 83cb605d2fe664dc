package io.cairn.node.cli;

import static io.cairn.node.admin.ByteSize.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code cairn status}: the node, its cluster and the fault tolerance the cluster really has. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Shows the node, its cluster and the fault tolerance it really has, its "
        + "stores, volumes and cores.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:the node answered with an error", "2:usage error",
        "3:the node could not be reached"})
public final class StatusCommand extends ApiCommand {

  @Override
  int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable {
    JsonNode s = api.get("api/v1/status");
    if (options.json) {
      printJson(s);
      return ExitCodes.OK;
    }
    JsonNode stores = s.get("stores");
    JsonNode volumes = s.get("volumes");
    JsonNode cores = s.get("cores");
    JsonNode cluster = s.get("cluster");
    new Table("FIELD", "VALUE")
        .row("node", s.get("node").asText() + (s.get("ready").asBoolean() ? " (ready)"
            : " (NOT READY)"))
        .row("cluster", cluster.get("members").size() + " member(s); "
            + cluster.get("summary").asText())
        .row("stores", stores.get("healthy").asInt() + "/" + stores.get("count").asInt()
            + " ok, " + format(stores.get("usedBytes").asLong()) + " used of "
            + format(stores.get("capacityBytes").asLong()))
        .row("volumes", volumes.get("count").asInt() + " (" + volumes.get("degraded").asInt()
            + " degraded), " + format(volumes.get("sizeBytes").asLong()) + " provisioned, "
            + format(volumes.get("logicalBytes").asLong()) + " used, "
            + format(volumes.get("physicalBytes").asLong()) + " physical")
        .row("cores", String.format(Locale.ROOT,
            "DPU tier %.2f of %d given; application %.2f; host %d",
            cores.get("dpuCores").asDouble(), cores.get("dpuThreads").asInt(),
            cores.get("applicationCores").asDouble(), cores.get("hostCores").asInt()))
        .print(out());
    return ExitCodes.OK;
  }
}
