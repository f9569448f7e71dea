package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.ConfigurationException;
import dev.quiver.ErrorKind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad {@code quiver.server.*} setting stops the start with one message that names its key, before
 * the repo is even read (these start on a folder that is not a repo).
 */
class ServerSettingsTest {

  @TempDir Path dir;

  private QuiverServer start(String key, Object value) {
    Map<String, Object> settings = new HashMap<>(Map.of("quiver.server.flight-port", 0));
    settings.put(key, value);
    return QuiverServer.start(dir.resolve("no-repo"), 0, settings);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "quiver.server.max-entity-rows | 0 | quiver.server.max-entity-rows must be at least 1, got 0",
        "quiver.server.training-set-chunk-rows | -5"
            + " | quiver.server.training-set-chunk-rows must be at least 0, got -5",
        "quiver.server.flight-port | 70000 | quiver.server.flight-port must be at most 65535, got"
            + " 70000",
        "quiver.server.registry-poll | 0s | quiver.server.registry-poll must be a positive duration"
            + " such as 500ms, 2s or 1m, got PT0S",
        "quiver.server.registry-poll | soon | quiver.server.registry-poll must be a duration such as"
            + " 500ms, 2s or 1m, got 'soon'",
        "quiver.server.max-entity-rows | many | quiver.server.max-entity-rows must be a whole"
            + " number, got 'many'"
      })
  void aBadSettingStopsTheStartNamingItsKey(String key, String value, String problem) {
    assertThatThrownBy(() -> start(key, value))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
        .hasMessage("Cannot start the server: " + problem);
  }

  @Test
  void aTokenComesFromItsKeyElseItsVariableAndBlankIsNone() {
    Map<String, String> environment = Map.of("QUIVER_WRITE_TOKEN", "from-env");
    assertThat(ServerSettings.orVariable(Optional.of("set"), "write-token", environment))
        .contains("set");
    assertThat(ServerSettings.orVariable(Optional.empty(), "write-token", environment))
        .contains("from-env");
    assertThat(ServerSettings.orVariable(Optional.of(" "), "write-token", environment))
        .contains("from-env");
    assertThat(ServerSettings.orVariable(Optional.empty(), "read-token", environment)).isEmpty();
    assertThat(
            ServerSettings.orVariable(
                Optional.empty(), "read-token", Map.of("QUIVER_READ_TOKEN", "  ")))
        .isEmpty();
  }

  @Test
  void theSettingsNeverShowTheTokens() {
    ServerSettings settings =
        new ServerSettings(
            dir,
            Optional.of("s3cret"),
            Optional.empty(),
            10,
            java.time.Duration.ofSeconds(2),
            0,
            0,
            false);
    assertThat(settings.toString()).doesNotContain("s3cret").contains("writeToken=***");
  }

  @Test
  void aComponentsKeyIsItsNameInKebabCase() {
    assertThat(ServerSettingsCheck.key("trainingSetChunkRows"))
        .isEqualTo("quiver.server.training-set-chunk-rows");
    assertThat(ServerSettingsCheck.key("repo")).isEqualTo("quiver.server.repo");
  }
}
