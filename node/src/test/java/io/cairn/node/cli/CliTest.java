package io.cairn.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.node.Main;
import io.cairn.node.admin.AdminTestServer;
import io.cairn.node.admin.PacedMaintenance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code cairn} client commands against the REST API on a real port. */
class CliTest {

  private static AdminTestServer server;
  @TempDir
  static Path dir;
  private static Path tokenFile;

  @BeforeAll
  static void start() throws IOException {
    server = AdminTestServer.start(false, new PacedMaintenance(10, 60));
    tokenFile = dir.resolve("api-token");
    Files.writeString(tokenFile, AdminTestServer.TOKEN + "\n");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** One run of the command line: exit code, stdout, stderr. */
  record Run(int exit, String out, String err) {}

  private static Run cairn(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--url=" + server.baseUri());
    all.add("--token-file=" + tokenFile);
    return raw(all.toArray(String[]::new));
  }

  private static Run raw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void statusStatesTheFaultToleranceTheClusterHas() {
    Run r = cairn("status");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("node-t (ready)")
        .contains("survives 2 store failures, 0 node failures")
        .contains("6/6 ok");
  }

  @Test
  void volumeLifecycleWithHumanSizes() {
    Run created = cairn("volume", "create", "cli-vol", "--size", "1GiB", "--ec", "2+1",
        "--compression", "zstd", "--no-dedup");
    assertThat(created.exit()).as(created.err()).isZero();
    assertThat(created.out()).contains("created volume cli-vol: 1 GiB, ec 2+1, zstd, encrypted");

    Run list = cairn("volume", "list");
    assertThat(list.out()).containsPattern("(?m)^NAME\\s+SIZE").containsPattern(
        "(?m)^cli-vol\\s+1 GiB");

    Run grown = cairn("volume", "grow", "cli-vol", "--size", "1536MiB");
    assertThat(grown.exit()).isZero();
    assertThat(grown.out()).contains("is now 1.5 GiB");
    assertThat(server.volumes.sizeOf("cli-vol")).isEqualTo(1536L << 20);

    assertThat(cairn("volume", "get", "cli-vol").out()).contains("ec 2+1, zstd, encrypted");

    Run refused = cairn("volume", "delete", "cli-vol");
    assertThat(refused.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("--yes");
    assertThat(server.volumes.sizeOf("cli-vol")).isPositive();

    assertThat(cairn("volume", "delete", "cli-vol", "--yes").exit()).isZero();
    Run gone = cairn("volume", "get", "cli-vol");
    assertThat(gone.exit()).isEqualTo(ExitCodes.API_ERROR);
    assertThat(gone.err()).contains("no volume named 'cli-vol'").contains("HTTP 404");
  }

  @Test
  void jsonOutputIsTheApisJson() throws IOException {
    cairn("volume", "create", "json-vol", "--size", "64MiB");
    Run r = cairn("volume", "get", "json-vol", "--json");
    JsonNode v = new ObjectMapper().readTree(r.out());
    assertThat(v.get("sizeBytes").asLong()).isEqualTo(64L << 20);
  }

  @Test
  void apiErrorsExitOneWithTheMessageAndField() {
    cairn("volume", "create", "twice", "--size", "1GiB");
    Run r = cairn("volume", "create", "twice", "--size", "1GiB");
    assertThat(r.exit()).isEqualTo(ExitCodes.API_ERROR);
    assertThat(r.err()).contains("exists").contains("[field: name]").contains("HTTP 409");

    Run badName = cairn("volume", "create", "../x", "--size", "1GiB");
    assertThat(badName.exit()).isEqualTo(ExitCodes.API_ERROR);
    assertThat(badName.err()).contains("HTTP 400");
  }

  @Test
  void badSizesAndMissingSubcommandsAreUsageErrors() {
    Run decimal = cairn("volume", "create", "v", "--size", "1GB");
    assertThat(decimal.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(decimal.err()).contains("GiB");
    assertThat(cairn("volume", "create", "v").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(raw("volume").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(raw("volume", "list", "--url", "ftp://x").exit()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void helpIsEverywhere() {
    Run help = raw("volume", "create", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--size").contains("--token-file").contains("--json");
    assertThat(raw("scrub", "start", "--help").out()).contains("--wait");
    assertThat(raw("status", "--help").out()).contains("Exit codes");
  }

  @Test
  void withoutTheTokenTheNodeRefusesAndTheCliSaysWhy() {
    Run r = raw("volume", "list", "--url=" + server.baseUri(),
        "--token-file=" + dir.resolve("missing-file"));
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("cannot read");
    Path wrong = dir.resolve("wrong-token");
    try {
      Files.writeString(wrong, "definitely-not-the-right-token");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    Run refused = raw("volume", "list", "--url=" + server.baseUri(), "--token-file=" + wrong);
    assertThat(refused.exit()).isEqualTo(ExitCodes.API_ERROR);
    assertThat(refused.err()).contains("HTTP 401");
  }

  @Test
  void anUnreachableNodeExitsThree() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r = raw("status", "--url", "http://127.0.0.1:" + port);
    assertThat(r.exit()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(r.err()).contains("connection refused");
  }

  @Test
  void storeListShowsEveryStore() {
    Run r = cairn("store", "list");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().filter(l -> l.startsWith("node-t/store-"))).hasSize(6);
  }

  @Test
  void scrubStartWaitShowsProgressUntilItCompletes() {
    Run r = cairn("scrub", "start", "--wait", "--poll-millis", "100");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("running").contains("[" + "#".repeat(30) + "] 100%")
        .contains("completed: 1 bad or missing shard(s) found, 1 repaired");
    Run status = cairn("scrub", "status");
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains("10/10 shards  completed");
  }
}
