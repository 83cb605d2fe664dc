package io.cairn.node.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API token file: created once, owner-only, reused, refused when exposed or garbled. */
class AdminApiTokenTest {

  @TempDir
  Path dir;

  @Test
  void firstStartCreatesAnOwnerOnlyFileWithA256BitToken() throws Exception {
    Path file = dir.resolve("data/api-token");
    String token = ApiToken.loadOrCreate(file);
    assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file).strip()).isEqualTo(token);
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void laterStartsReuseTheToken() throws Exception {
    Path file = dir.resolve("api-token");
    assertThat(ApiToken.loadOrCreate(file)).isEqualTo(ApiToken.loadOrCreate(file));
  }

  @Test
  void aTokenFileOthersCanReadIsRefused() throws Exception {
    Path file = dir.resolve("api-token");
    ApiToken.loadOrCreate(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> ApiToken.loadOrCreate(file))
        .isInstanceOf(ApiToken.ApiTokenException.class)
        .hasMessageContaining("readable by others");
  }

  @Test
  void aFileWithoutATokenIsRefused() throws Exception {
    Path file = dir.resolve("api-token");
    Files.writeString(file, "short\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> ApiToken.loadOrCreate(file))
        .isInstanceOf(ApiToken.ApiTokenException.class)
        .hasMessageContaining("does not hold a token");
  }

  @Test
  void matchingIsExact() {
    assertThat(ApiToken.matches("abc", "abc")).isTrue();
    assertThat(ApiToken.matches("abc", "abd")).isFalse();
    assertThat(ApiToken.matches("abc", "abcd")).isFalse();
    assertThat(ApiToken.matches("abc", null)).isFalse();
  }
}
