package io.cairn.node.cli;

import static io.cairn.node.admin.ByteSize.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn volume create|list|get|grow|delete}. */
@Command(name = "volume", mixinStandardHelpOptions = true,
    description = "Creates, lists, shows, grows and deletes volumes.",
    subcommands = {VolumeCommand.Create.class, VolumeCommand.ListVolumes.class,
        VolumeCommand.Get.class, VolumeCommand.Grow.class, VolumeCommand.Delete.class})
public final class VolumeCommand extends GroupCommand {

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates a volume. Policy options left out take the node's defaults "
          + "(4+2, lz4, dedup, encryption).")
  static final class Create extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME",
        description = "1-64 letters, digits, '.', '_', '-'.")
    String name;

    @Option(names = {"-s", "--size"}, required = true, paramLabel = "SIZE",
        converter = SizeConverter.class, description = "Size, e.g. 1GiB, 512MiB, 4096.")
    long sizeBytes;

    @Option(names = "--block-size", paramLabel = "SIZE", converter = SizeConverter.class,
        description = "Block size, a power of two from 512 to 1MiB (default 4096).")
    Long blockBytes;

    @Option(names = "--ec", paramLabel = "K+M",
        description = "Erasure coding: data+parity shards, e.g. 4+2.")
    String ec;

    @Option(names = "--compression", paramLabel = "CODEC", description = "none, lz4 or zstd.")
    String compression;

    @Option(names = "--dedup", negatable = true, description = "Deduplicate (--no-dedup: off).")
    Boolean dedup;

    @Option(names = "--encryption", negatable = true,
        description = "AES-256-GCM at rest (--no-encryption: off).")
    Boolean encryption;

    @Override
    int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("sizeBytes", sizeBytes);
      if (blockBytes != null) {
        body.put("blockBytes", blockBytes);
      }
      Map<String, Object> policy = new LinkedHashMap<>();
      putIfGiven(policy, "ec", ec);
      putIfGiven(policy, "compression", compression);
      putIfGiven(policy, "dedup", dedup);
      putIfGiven(policy, "encryption", encryption);
      if (!policy.isEmpty()) {
        body.put("policy", policy);
      }
      JsonNode v = api.post("api/v1/volumes", body);
      if (options.json) {
        printJson(v);
      } else {
        out().println("created volume " + v.get("name").asText() + ": "
            + format(v.get("sizeBytes").asLong()) + ", " + policy(v));
        out().flush();
      }
      return ExitCodes.OK;
    }

    private static void putIfGiven(Map<String, Object> map, String key, Object value) {
      if (value != null) {
        map.put(key, value);
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the volumes.")
  static final class ListVolumes extends ApiCommand {
    @Override
    int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable {
      JsonNode answer = api.get("api/v1/volumes");
      if (options.json) {
        printJson(answer);
        return ExitCodes.OK;
      }
      Table t = new Table("NAME", ">SIZE", ">USED", ">PHYSICAL", ">DEDUP", ">COMPRESSION",
          "POLICY", "HEALTH");
      for (JsonNode v : answer.get("volumes")) {
        t.row(v.get("name").asText(), format(v.get("sizeBytes").asLong()),
            format(v.get("logicalBytes").asLong()), format(v.get("physicalBytes").asLong()),
            ratio(v.get("dedupRatio")), ratio(v.get("compressionRatio")), policy(v),
            v.get("health").asText());
      }
      t.print(out());
      return ExitCodes.OK;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Shows one volume: size, use, ratios, health, I/O.")
  static final class Get extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable {
      JsonNode v = api.get("api/v1/volumes/" + name);
      if (options.json) {
        printJson(v);
        return ExitCodes.OK;
      }
      JsonNode io = v.get("io");
      new Table("FIELD", "VALUE")
          .row("name", v.get("name").asText())
          .row("size", format(v.get("sizeBytes").asLong()) + " (" + v.get("sizeBytes").asLong()
              + " bytes, blocks of " + v.get("blockBytes").asInt() + ")")
          .row("policy", policy(v))
          .row("used", format(v.get("logicalBytes").asLong()))
          .row("physical", format(v.get("physicalBytes").asLong()))
          .row("dedup", ratio(v.get("dedupRatio")))
          .row("compression", ratio(v.get("compressionRatio")))
          .row("health", v.get("health").asText())
          .row("created", v.get("createdAt").asText())
          .row("io", String.format(Locale.ROOT,
              "read %.1f op/s %s/s, write %.1f op/s %s/s",
              io.get("readOpsPerSecond").asDouble(),
              format((long) io.get("readBytesPerSecond").asDouble()),
              io.get("writeOpsPerSecond").asDouble(),
              format((long) io.get("writeBytesPerSecond").asDouble())))
          .print(out());
      return ExitCodes.OK;
    }
  }

  @Command(name = "grow", mixinStandardHelpOptions = true,
      description = "Grows a volume to a new size (shrinking is refused).")
  static final class Grow extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = {"-s", "--size"}, required = true, paramLabel = "SIZE",
        converter = SizeConverter.class, description = "The new size, e.g. 2GiB.")
    long sizeBytes;

    @Override
    int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable {
      JsonNode v = api.post("api/v1/volumes/" + name + "/grow", Map.of("sizeBytes", sizeBytes));
      if (options.json) {
        printJson(v);
      } else {
        out().println("volume " + name + " is now " + format(v.get("sizeBytes").asLong()));
        out().flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Deletes a volume and its data. Needs --yes.")
  static final class Delete extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--yes", description = "Confirms that the volume's data is to be destroyed.")
    boolean yes;

    @Override
    int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable {
      if (!yes) {
        err().println("cairn: deleting volume " + name + " destroys its data; "
            + "repeat with --yes to confirm");
        return ExitCodes.USAGE;
      }
      api.delete("api/v1/volumes/" + name);
      if (!options.json) {
        out().println("deleted volume " + name);
        out().flush();
      }
      return ExitCodes.OK;
    }
  }

  static String policy(JsonNode v) {
    JsonNode p = v.get("policy");
    return "ec " + p.get("ec").asText() + ", " + p.get("compression").asText()
        + (p.get("dedup").asBoolean() ? ", dedup" : "")
        + (p.get("encryption").asBoolean() ? ", encrypted" : "");
  }

  static String ratio(JsonNode n) {
    return String.format(Locale.ROOT, "%.2fx", n.asDouble());
  }
}
