package dev.quiver.offline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.ErrorKind;
import dev.quiver.offline.SourceDataException;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.ScalarType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An entity file is the request's: whatever is wrong with it is the caller's to fix. */
class EntityFilesTest {

  @TempDir Path dir;

  private static final Map<String, ScalarType> DRIVER_ID = Map.of("driver_id", ScalarType.INT64);

  @Test
  void aMissingFileIsTheRequestsFault() {
    Path file = dir.resolve("nothing.csv");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOfSatisfying(
              InvalidRequestException.class,
              e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST))
          .hasMessage("Cannot read entity rows: there is no file " + file);
    }
  }

  @Test
  void aFileOfAnotherFormatIsRefusedWithWhatToUse() throws Exception {
    Path file = Files.writeString(dir.resolve("entities.txt"), "driver_id\n1\n");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("Cannot read entity rows from " + file + ": use a .parquet or a .csv file");
    }
  }

  @Test
  void aCsvValueThatDoesNotParseNamesItsLineAndColumn() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            "driver_id,event_timestamp\n1001,2026-03-02T05:00:00Z\nten,2026-03-02T05:00:00Z\n");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "Cannot read entity rows from "
                  + file
                  + ": line 3, column 'driver_id': 'ten' is not a valid int64")
          .hasCauseInstanceOf(NumberFormatException.class);
    }
  }

  @Test
  void aParquetFileThatIsNotParquetIsTheRequestsFaultNotTheSources() throws Exception {
    Path file = Files.writeString(dir.resolve("entities.parquet"), "driver_id\n1001\n");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith("Cannot read " + file + ": not a readable Parquet file")
          .hasCauseInstanceOf(SourceDataException.class);
    }
  }
}
