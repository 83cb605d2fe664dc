package io.cairn.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A `cairn` process launched from the assembled artifact (node/target/cairn.jar), as an operator
 * would run it: its own JVM, its own working directory, output captured to a log file.
 *
 * <p>Tests reach it only through what an operator has: its HTTP port, its exit code, its log and
 * signals (SIGTERM with {@link #stop}, SIGKILL with {@link #kill}).
 */
final class CairnProcess implements AutoCloseable {

  private static final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path workDir;
  private final Path log;

  private CairnProcess(Process process, Path workDir, Path log) {
    this.process = process;
    this.workDir = workDir;
    this.log = log;
  }

  /** Starts {@code cairn ARGS...} in {@code workDir}. */
  static CairnProcess start(Path workDir, String... args) throws IOException {
    return startWithJavaOpts(workDir, "", args);
  }

  /** Starts {@code cairn ARGS...} with extra JVM options (e.g. {@code -Dcairn.http.port=...}). */
  static CairnProcess startWithJavaOpts(Path workDir, String javaOpts, String... args)
      throws IOException {
    Files.createDirectories(workDir);
    Path log = workDir.resolve("cairn-" + System.nanoTime() + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : System.getProperty("cairn.jvm.flags", "").trim().split("\\s+")) {
      if (!flag.isEmpty()) {
        command.add(flag);
      }
    }
    command.add("-Xmx512m");
    for (String opt : javaOpts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        command.add(opt);
      }
    }
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(Arrays.asList(args));
    Process process = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    return new CairnProcess(process, workDir, log);
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("cairn.jar", "../node/target/cairn.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the assembled node is missing: " + jar
          + " (build with mvn -B package, which runs these tests after node is packaged)");
    }
    return jar;
  }

  /** The repository's root, to find cluster-config/. */
  static Path repositoryRoot() {
    return Path.of(System.getProperty("cairn.root", "..")).toAbsolutePath().normalize();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** An HTTP GET against this machine; status and body. */
  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GET that returns -1 instead of throwing while the node is not listening. */
  static int statusOf(int port, String path) {
    try {
      return get(port, path).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  Path workDir() {
    return workDir;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  /** Waits for the process to exit on its own; its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("cairn did not exit within " + timeout + "; log: " + log);
    }
    return process.exitValue();
  }

  /** SIGTERM, then waits for the exit; the exit code. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    return awaitExit(timeout);
  }

  /** SIGKILL: the process gets no chance to clean up. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
