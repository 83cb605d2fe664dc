package io.cairn.node.cli;

import static io.cairn.node.admin.ByteSize.format;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code cairn store list}. */
@Command(name = "store", mixinStandardHelpOptions = true,
    description = "The node's stores (one data directory, in production one disk, each).",
    subcommands = {StoreCommand.ListStores.class})
public final class StoreCommand extends GroupCommand {

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists the node's stores: capacity, use, shards, health, errors.")
  static final class ListStores extends ApiCommand {
    @Override
    int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable {
      JsonNode answer = api.get("api/v1/stores");
      if (options.json) {
        printJson(answer);
        return ExitCodes.OK;
      }
      Table t = new Table("STORE", "HEALTH", ">USED", ">CAPACITY", ">FREE", ">SHARDS",
          ">READ ERR", ">WRITE ERR", "PATH");
      for (JsonNode s : answer.get("stores")) {
        t.row(s.get("id").asText(), s.get("health").asText(),
            format(s.get("usedBytes").asLong()), format(s.get("capacityBytes").asLong()),
            format(s.get("freeBytes").asLong()), s.get("shards").asText(),
            s.get("readErrors").asText(), s.get("writeErrors").asText(), s.get("path").asText());
      }
      t.print(out());
      return ExitCodes.OK;
    }
  }
}
