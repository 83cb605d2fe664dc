package io.cairn.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client program (qemu-img, qemu-io, nbdinfo, nbdcopy, fio) the way a VM host
 * would, and fails the test with its output if it fails. Shared by the NBD tests against the
 * frontend and the chaos tests against node processes.
 */
public final class ClientCommand {

  private ClientCommand() {}

  /** Whether {@code program} is installed (on Debian: /usr/bin or /usr/sbin). */
  public static boolean installed(String program) {
    return Files.isExecutable(Path.of("/usr/bin", program))
        || Files.isExecutable(Path.of("/usr/sbin", program));
  }

  /** Runs the command (bounded in time), asserts exit status 0, returns its combined output. */
  public static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output;
    try (var in = process.getInputStream()) {
      output = in.readAllBytes();
    }
    boolean exited = process.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(exited).as("%s finished in time", command[0]).isTrue();
    assertThat(process.exitValue())
        .as("%s exit status; output:%n%s", String.join(" ", command), text).isZero();
    return text;
  }
}
