package io.cairn.node.frontend.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NbdSettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void referenceDefaultsAreTheDocumentedOnes() {
    NbdSettings settings = NbdSettings.from(with(""));
    assertThat(settings.host()).isEqualTo("127.0.0.1");
    assertThat(settings.port()).isEqualTo(10809);
    assertThat(settings.defaultExport()).isEqualTo(Optional.empty());
    assertThat(settings.maxConnections()).isEqualTo(256);
    assertThat(settings.maxInFlightRequests()).isEqualTo(64);
    assertThat(settings.maxInFlightBytes()).isEqualTo(64L << 20);
    assertThat(settings.maxPayloadBytes()).isEqualTo(32 << 20);
    assertThat(settings.replyBatchBytes()).isEqualTo(256 << 10);
    assertThat(settings.handshakeTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aPayloadLimitBelowThirtyTwoMebibytesIsRefused() {
    assertThatThrownBy(() -> NbdSettings.from(with("cairn.nbd.max-payload-bytes = 1 MiB")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-payload-bytes");
  }

  @Test
  void anInFlightBudgetSmallerThanOnePayloadIsRefused() {
    assertThatThrownBy(() -> NbdSettings.from(with("cairn.nbd.max-in-flight-bytes = 16 MiB")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-in-flight-bytes");
  }

  @Test
  void emptyDefaultExportMeansNone() {
    assertThat(NbdSettings.from(with("cairn.nbd.default-export = vol1")).defaultExport())
        .contains("vol1");
  }
}
