package io.cairn.node.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options every client command takes: where the node is, how to authenticate, how to print.
 *
 * <p>The token comes from, in order: {@code --token-file} when given; the environment variable
 * {@code CAIRN_TOKEN}; the default file {@code ./data/api-token} when it exists (the node's own
 * default, so the CLI works next to a node started in the same directory); otherwise none
 * (enough for reads when the node has {@code cairn.api.open-reads = on}).
 */
public final class ClientOptions {

  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  static final Path DEFAULT_TOKEN_FILE = Path.of("data", "api-token");

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--url", paramLabel = "URL", defaultValue = DEFAULT_URL,
      description = "The node's HTTP address (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding the API token (default: $CAIRN_TOKEN, else ./data/api-token).")
  Path tokenFile;

  @Option(names = "--json", description = "Print the API's JSON instead of a table.")
  boolean json;

  ApiClient client() {
    URI base;
    try {
      base = URI.create(url.endsWith("/") ? url : url + "/");
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--url: not a URL: " + url);
    }
    if (base.getHost() == null
        || !("http".equals(base.getScheme()) || "https".equals(base.getScheme()))) {
      throw new ParameterException(spec.commandLine(),
          "--url must be http://host:port or https://host:port, got " + url);
    }
    return new ApiClient(base, token());
  }

  private String token() {
    if (tokenFile != null) {
      return read(tokenFile);
    }
    String env = System.getenv("CAIRN_TOKEN");
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    return Files.isReadable(DEFAULT_TOKEN_FILE) ? read(DEFAULT_TOKEN_FILE) : null;
  }

  private String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(),
          "--token-file: cannot read " + file + ": " + e.getMessage());
    }
  }
}
