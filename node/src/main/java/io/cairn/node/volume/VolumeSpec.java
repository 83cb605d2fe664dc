package io.cairn.node.volume;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Locale;

/**
 * A volume the configuration asks for ({@code cairn.volumes}): created at start-up if absent.
 */
public record VolumeSpec(String name, long sizeBytes, int blockBytes, VolumePolicy policy) {

  /** Reads one entry of {@code cairn.volumes}; errors name the setting. */
  public static VolumeSpec from(Config c, int index) {
    String where = "cairn.volumes[" + index + "]";
    try {
      String name = c.getString("name");
      long size = c.getBytes("size");
      int blockBytes = c.hasPath("block-bytes") ? c.getBytes("block-bytes").intValue() : 4096;
      VolumePolicy policy = VolumePolicy.DEFAULT;
      if (c.hasPath("policy")) {
        policy = parsePolicy(c.getConfig("policy"), where + ".policy");
      }
      return new VolumeSpec(name, size, blockBytes, policy);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  static VolumePolicy parsePolicy(Config p, String where) {
    VolumePolicy d = VolumePolicy.DEFAULT;
    int k = d.dataShards();
    int m = d.parityShards();
    if (p.hasPath("ec")) {
      String ec = p.getString("ec").trim().toLowerCase(Locale.ROOT);
      String[] parts = ec.split("\\+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(where + ".ec must look like \"4+2\", got '" + ec + "'");
      }
      try {
        k = Integer.parseInt(parts[0].trim());
        m = Integer.parseInt(parts[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + ".ec must look like \"4+2\", got '" + ec + "'");
      }
    }
    VolumePolicy.Compression compression = p.hasPath("compression")
        ? VolumePolicy.Compression.parse(p.getString("compression")) : d.compression();
    boolean dedup = p.hasPath("dedup") ? p.getBoolean("dedup") : d.dedup();
    boolean encryption = p.hasPath("encryption") ? p.getBoolean("encryption") : d.encryption();
    return new VolumePolicy(k, m, compression, dedup, encryption);
  }
}
