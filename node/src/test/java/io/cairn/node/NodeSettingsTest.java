package io.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeSettingsTest {

  @TempDir Path dir;

  @Test
  void embeddedDefaultIsOneNodeWithSixStoresOnLoopback() throws Exception {
    NodeSettings settings = NodeSettings.load(null);

    assertThat(settings.storePaths()).hasSize(6);
    assertThat(settings.httpHost()).isEqualTo("127.0.0.1");
    assertThat(settings.arteryHost()).isEqualTo("127.0.0.1");
    assertThat(settings.config().getString("pekko.actor.provider")).isEqualTo("cluster");
    assertThat(settings.config().getStringList("pekko.cluster.seed-nodes"))
        .containsExactly("pekko://cairn@127.0.0.1:25520");
  }

  @Test
  void aMissingConfigFileIsNamed() {
    Path missing = dir.resolve("nope.conf");

    assertThatThrownBy(() -> NodeSettings.load(missing))
        .isInstanceOf(ConfigProblem.class)
        .hasMessage("config file not found: " + missing);
  }

  @Test
  void aSyntaxErrorNamesTheFile() throws Exception {
    Path bad = dir.resolve("bad.conf");
    Files.writeString(bad, "cairn { stores = [ \n");

    assertThatThrownBy(() -> NodeSettings.load(bad))
        .isInstanceOf(ConfigProblem.class)
        .hasMessageContaining(bad.toString());
  }

  @Test
  void anOutOfRangePortIsNamed() {
    assertThatThrownBy(() -> NodeSettings.from(ConfigFactory.parseString(
            "cairn.stores = [\"" + dir + "/s1\"]\ncairn.http.port = 70000")))
        .isInstanceOf(ConfigProblem.class)
        .hasMessageContaining("cairn.http.port")
        .hasMessageContaining("70000");
  }

  @Test
  void aNodeWithoutStoresIsRefused() {
    assertThatThrownBy(() -> NodeSettings.from(ConfigFactory.parseString("cairn.stores = []")))
        .isInstanceOf(ConfigProblem.class)
        .hasMessageContaining("cairn.stores is empty");
  }

  @Test
  void theSameStoreListedTwiceIsRefused() {
    assertThatThrownBy(() -> NodeSettings.from(ConfigFactory.parseString(
            "cairn.stores = [\"" + dir + "/s1\", \"" + dir + "/./s1\"]")))
        .isInstanceOf(ConfigProblem.class)
        .hasMessageContaining("twice");
  }
}
