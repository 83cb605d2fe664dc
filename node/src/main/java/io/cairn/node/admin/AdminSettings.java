package io.cairn.node.admin;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The management plane's settings ({@code cairn.api} in node's reference.conf), read once at
 * start-up. Every bound the API applies is here, named with its unit.
 *
 * @param tokenFile where the bearer token lives ({@link ApiToken#loadOrCreate})
 * @param openReads whether GET calls are served without the token
 * @param bodyBytesMax largest request body accepted; larger ones get 413
 * @param volumeBytesMax largest volume size the API accepts
 * @param operationTimeout how long a call waits for the volume or maintenance service
 * @param rateSampleInterval how often counters are sampled to compute rates
 * @param rateWindow the sliding window rates are computed over
 */
public record AdminSettings(
    Path tokenFile,
    boolean openReads,
    long bodyBytesMax,
    long volumeBytesMax,
    Duration operationTimeout,
    Duration rateSampleInterval,
    Duration rateWindow) {

  /** Reads {@code cairn.api.*}; a bad value fails as a {@link ConfigException} naming it. */
  public static AdminSettings from(Config config) {
    Config api = config.withFallback(ConfigFactory.defaultReference())
        .resolve()
        .getConfig("cairn.api");
    long body = api.getBytes("body-size-max");
    if (body < 1024 || body > (16L << 20)) {
      throw new ConfigException.BadValue(api.origin(), "cairn.api.body-size-max",
          "must be between 1 KiB and 16 MiB, got " + body);
    }
    long volumeMax = api.getBytes("volume-size-max");
    if (volumeMax < 1) {
      throw new ConfigException.BadValue(api.origin(), "cairn.api.volume-size-max",
          "must be positive");
    }
    Duration timeout = positive(api, "operation-timeout");
    Duration interval = positive(api, "rate-sample-interval");
    Duration window = positive(api, "rate-window");
    if (window.compareTo(interval.multipliedBy(2)) < 0) {
      throw new ConfigException.BadValue(api.origin(), "cairn.api.rate-window",
          "must be at least twice cairn.api.rate-sample-interval");
    }
    return new AdminSettings(Path.of(api.getString("token-file")), api.getBoolean("open-reads"),
        body, volumeMax, timeout, interval, window);
  }

  private static Duration positive(Config api, String key) {
    Duration d = api.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new ConfigException.BadValue(api.origin(), "cairn.api." + key, "must be positive");
    }
    return d;
  }
}
