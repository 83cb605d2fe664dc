package io.cairn.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's configuration, read once at start-up and checked before anything starts.
 *
 * <p>Layering, strongest first: JVM system properties ({@code -Dcairn.http.port=...}), the file
 * given with {@code --config} (or the embedded {@code single-node.conf}), the node's defaults for
 * Pekko ({@code cairn-pekko.conf}), then every module's {@code reference.conf}.
 */
public record NodeSettings(
    Config config,
    String nodeName,
    List<Path> storePaths,
    String httpHost,
    int httpPort,
    String arteryHost,
    int arteryPort,
    Duration bindTimeout,
    Duration shutdownTimeout) {

  /** The embedded default, packaged from cluster-config/single-node.conf. */
  static final String EMBEDDED_DEFAULT = "cairn-defaults/single-node.conf";

  /** The node's defaults for Pekko settings, layered above every module's reference.conf. */
  static final String PEKKO_DEFAULTS = "cairn-pekko.conf";

  /** Loads a configuration file; {@code null} means the embedded single-node default. */
  public static NodeSettings load(Path file) throws ConfigProblem {
    Config raw;
    try {
      if (file == null) {
        raw = ConfigFactory.parseResources(
            NodeSettings.class.getClassLoader(),
            EMBEDDED_DEFAULT,
            ConfigParseOptions.defaults().setAllowMissing(false));
      } else {
        if (!Files.isRegularFile(file)) {
          throw new ConfigProblem("config file not found: " + file);
        }
        raw = ConfigFactory.parseFile(
            file.toFile(),
            ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
      }
    } catch (ConfigException e) {
      throw new ConfigProblem("cannot read config " + (file == null ? EMBEDDED_DEFAULT : file)
          + ": " + e.getMessage(), e);
    }
    return from(raw);
  }

  /** Builds settings from a parsed (unresolved) configuration, with overrides and references. */
  public static NodeSettings from(Config raw) throws ConfigProblem {
    try {
      Config config = ConfigFactory.defaultOverrides()
          .withFallback(raw)
          .withFallback(ConfigFactory.parseResources(
              NodeSettings.class.getClassLoader(), PEKKO_DEFAULTS,
              ConfigParseOptions.defaults().setAllowMissing(false)))
          .withFallback(ConfigFactory.defaultReference())
          .resolve();
      return read(config);
    } catch (ConfigException e) {
      throw new ConfigProblem("invalid config: " + e.getMessage(), e);
    }
  }

  private static NodeSettings read(Config config) throws ConfigProblem {
    String nodeName = config.getString("cairn.node.name");
    if (nodeName.isBlank() || !nodeName.matches("[A-Za-z0-9._-]+")) {
      throw new ConfigProblem(
          "cairn.node.name must be letters, digits, '.', '_' or '-', got '" + nodeName + "'");
    }
    List<Path> stores = new ArrayList<>();
    for (String s : config.getStringList("cairn.stores")) {
      Path p = Path.of(s).toAbsolutePath().normalize();
      if (stores.contains(p)) {
        throw new ConfigProblem("cairn.stores lists " + s + " twice");
      }
      stores.add(p);
    }
    if (stores.isEmpty()) {
      throw new ConfigProblem("cairn.stores is empty: a node needs at least one store directory");
    }
    return new NodeSettings(
        config,
        nodeName,
        List.copyOf(stores),
        config.getString("cairn.http.host"),
        port(config, "cairn.http.port"),
        config.getString("pekko.remote.artery.canonical.hostname"),
        port(config, "pekko.remote.artery.canonical.port"),
        config.getDuration("cairn.startup.bind-timeout"),
        config.getDuration("cairn.shutdown.timeout"));
  }

  private static int port(Config config, String path) throws ConfigProblem {
    int port = config.getInt(path);
    if (port < 0 || port > 65535) {
      throw new ConfigProblem(path + " must be a TCP port (0-65535), got " + port);
    }
    return port;
  }
}
