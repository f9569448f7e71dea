package dev.quiver.offline.manifest;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.quiver.registry.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest {@code reproduce} is given is the request's: its problems are the caller's. */
class DatasetManifestTest {

  @TempDir Path dir;

  @Test
  void aMissingManifestIsTheRequestsFault() {
    Path file = dir.resolve("training.parquet.manifest.json");
    assertThatThrownBy(() -> DatasetManifest.read(file))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot reproduce: there is no manifest " + file);
  }

  @Test
  void aManifestThatIsNotJsonIsTheRequestsFault() throws Exception {
    Path file = Files.writeString(dir.resolve("m.json"), "{not json");
    assertThatThrownBy(() -> DatasetManifest.read(file))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot reproduce: " + file + " is not valid JSON")
        .hasCauseInstanceOf(JsonProcessingException.class);
  }
}
