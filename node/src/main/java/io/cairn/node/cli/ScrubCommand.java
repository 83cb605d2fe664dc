package io.cairn.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cairn scrub start [--wait] | status}: verify every shard, rewrite bad ones. */
@Command(name = "scrub", mixinStandardHelpOptions = true,
    description = "Scrub: reads every shard on the node, verifies its checksum and rewrites "
        + "bad or missing shards.",
    subcommands = {ScrubCommand.Start.class, ScrubCommand.Status.class})
public final class ScrubCommand extends GroupCommand {

  static final String PATH = "api/v1/maintenance/scrub";
  static final int BAR_CHARS = 30;

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Starts a scrub; with --wait, shows its progress until it ends (exit 1 if "
          + "it failed).")
  static final class Start extends ApiCommand {
    @Option(names = "--wait", description = "Wait for the scrub to finish, showing progress.")
    boolean await;

    @Option(names = "--poll-millis", paramLabel = "MS", defaultValue = "500",
        description = "How often --wait asks for progress (default: ${DEFAULT-VALUE} ms).")
    long pollMillis;

    @Override
    int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable,
        InterruptedException {
      if (pollMillis < 50) {
        err().println("cairn: --poll-millis must be at least 50");
        return ExitCodes.USAGE;
      }
      JsonNode run = api.post(PATH, null);
      if (!await) {
        if (options.json) {
          printJson(run);
        } else {
          out().println("scrub " + run.get("id").asText() + " started");
          out().flush();
        }
        return ExitCodes.OK;
      }
      long id = run.get("id").asLong();
      while (run.get("state").asText().equals("running")) {
        if (!options.json) {
          progress(out(), run, false);
        }
        Thread.sleep(Duration.ofMillis(pollMillis).toMillis());
        run = api.get(PATH);
        if (run.get("id").asLong() != id) {
          break; // a newer run replaced ours; report what we last knew of the newest
        }
      }
      if (options.json) {
        printJson(run);
      } else {
        progress(out(), run, true);
        summary(out(), run);
      }
      return run.get("state").asText().equals("failed") ? ExitCodes.API_ERROR : ExitCodes.OK;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Shows the progress and results of the current or latest scrub.")
  static final class Status extends ApiCommand {
    @Override
    int run(ApiClient api) throws ApiClient.ApiError, ApiClient.Unreachable {
      JsonNode run = api.get(PATH);
      if (options.json) {
        printJson(run);
      } else {
        progress(out(), run, true);
        summary(out(), run);
      }
      return ExitCodes.OK;
    }
  }

  /**
   * One progress line: {@code [#########.....]  60%  12/20 shards  running}. While running it
   * ends in a carriage return, so a terminal redraws the same line.
   */
  static void progress(PrintWriter out, JsonNode run, boolean last) {
    double fraction = run.get("progress").asDouble();
    int filled = (int) Math.round(fraction * BAR_CHARS);
    out.print(String.format(Locale.ROOT, "[%s%s] %3d%%  %d/%d shards  %s",
        "#".repeat(filled), ".".repeat(BAR_CHARS - filled), Math.round(fraction * 100),
        run.get("done").asLong(), run.get("total").asLong(), run.get("state").asText()));
    out.print(last ? System.lineSeparator() : "\r");
    out.flush();
  }

  static void summary(PrintWriter out, JsonNode run) {
    out.println("scrub " + run.get("id").asText() + " " + run.get("state").asText()
        + ": " + run.get("found").asLong() + " bad or missing shard(s) found, "
        + run.get("repaired").asLong() + " repaired"
        + (run.hasNonNull("error") ? "; error: " + run.get("error").asText() : ""));
    out.flush();
  }
}
