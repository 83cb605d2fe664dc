package io.cairn.node;

import io.cairn.node.cli.ScrubCommand;
import io.cairn.node.cli.StatusCommand;
import io.cairn.node.cli.StoreCommand;
import io.cairn.node.cli.VolumeCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code cairn} command: one executable for the node and the tools that drive it. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    version = "cairn 0.1.0",
    description = "Cairn: a hyperconverged block store. Runs a storage node, or drives one.",
    subcommands = {Main.NodeCommand.class, StatusCommand.class, VolumeCommand.class,
        StoreCommand.class, ScrubCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  /** Exit code for a configuration the node cannot start with. */
  static final int EXIT_CONFIG = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "node",
      mixinStandardHelpOptions = true,
      description = {
        "Starts a Cairn storage node: a cluster member that opens its stores and serves its "
            + "HTTP port (/health, /ready, REST API) until it receives SIGTERM.",
        "Without --config it runs the embedded single-node default: six stores under ./data, "
            + "HTTP on 127.0.0.1:8080, cluster port 127.0.0.1:25520."
      })
  static final class NodeCommand implements Callable<Integer> {

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description = "HOCON configuration file (see cluster-config/). Settings can also be "
            + "overridden with JVM system properties, e.g. -Dcairn.http.port=8090.")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
      CairnNode node;
      try {
        node = CairnNode.start(NodeSettings.load(config));
      } catch (ConfigProblem problem) {
        System.err.println("cairn: " + problem.getMessage());
        return EXIT_CONFIG;
      }
      node.awaitTermination();
      LoggerFactory.getLogger(Main.class).info("Cairn node {} stopped", node.settings().nodeName());
      return 0;
    }
  }

}
