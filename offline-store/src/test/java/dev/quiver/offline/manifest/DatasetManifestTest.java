package dev.quiver.offline.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.quiver.offline.io.EntityColumns;
import dev.quiver.offline.io.FileRead;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.ScalarType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        .hasMessage("There is no training-set manifest " + file);
  }

  @Test
  void aManifestThatIsNotJsonIsTheRequestsFault() throws Exception {
    Path file = Files.writeString(dir.resolve("m.json"), "{not json");
    assertThatThrownBy(() -> DatasetManifest.read(file))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("The training-set manifest " + file + " is not valid JSON")
        .hasCauseInstanceOf(JsonProcessingException.class);
  }

  private static DatasetManifest manifest(EntityColumns columns) {
    return manifest(columns, null);
  }

  private static DatasetManifest manifest(
      EntityColumns columns, Map<String, ScalarType> entityColumnTypes) {
    return new DatasetManifest(
        "0.1.0",
        Instant.parse("2026-03-02T05:00:00Z"),
        "p",
        Path.of("/repo"),
        3,
        List.of("v:f"),
        null,
        false,
        Map.of(),
        new FileRead(Path.of("/rows.csv"), 10, Instant.parse("2026-03-01T00:00:00Z"), 7, 10, 1),
        columns,
        entityColumnTypes,
        List.of(),
        Path.of("/out.parquet"),
        1,
        0,
        0,
        0,
        5,
        DatasetManifest.EMBEDDED);
  }

  @Test
  void theEntityRowsTimestampColumnAndColumnTypesComeBackForReproduce() {
    DatasetManifest written =
        manifest(
            new EntityColumns(
                "booked_at", Map.of("zip", ScalarType.STRING, "score", ScalarType.FLOAT32)));

    String json = written.toJson();

    assertThat(json)
        .contains(
            "\"entity_columns\" : {\n"
                + "    \"timestamp_column\" : \"booked_at\",\n"
                + "    \"column_types\" : {\n"
                + "      \"score\" : \"float32\",\n"
                + "      \"zip\" : \"string\"\n");
    assertThat(DatasetManifest.fromJson(json, "m.json")).isEqualTo(written);
  }

  @Test
  void theTypeEveryCsvColumnWasReadAsComesBackInTheFilesOrder() {
    Map<String, ScalarType> types = new LinkedHashMap<>();
    types.put("driver_id", ScalarType.INT64);
    types.put("event_timestamp", ScalarType.TIMESTAMP);
    types.put("zip", ScalarType.STRING);
    types.put("amount", ScalarType.FLOAT64);
    DatasetManifest written = manifest(EntityColumns.defaults(), types);

    String json = written.toJson();

    assertThat(json)
        .contains(
            "\"entity_column_types\" : {\n"
                + "    \"driver_id\" : \"int64\",\n"
                + "    \"event_timestamp\" : \"timestamp\",\n"
                + "    \"zip\" : \"string\",\n"
                + "    \"amount\" : \"float64\"\n")
        .doesNotContain("entity_columns");
    DatasetManifest read = DatasetManifest.fromJson(json, "m.json");
    assertThat(read).isEqualTo(written);
    assertThat(read.entityColumnTypes().keySet())
        .containsExactly("driver_id", "event_timestamp", "zip", "amount");
  }

  @Test
  void aCsvManifestWrittenBeforeInferenceReadsItsUntypedColumnsAsString() {
    String json = manifest(EntityColumns.defaults()).toJson();

    DatasetManifest read = DatasetManifest.fromJson(json, "m.json");

    assertThat(json).doesNotContain("entity_column").contains("/rows.csv");
    assertThat(read.entityColumns())
        .isEqualTo(new EntityColumns(null, Map.of(), ScalarType.STRING));
    assertThat(read.entityColumnTypes()).isNull();
    // Written again (as reproduce does), it still says so.
    assertThat(DatasetManifest.fromJson(read.toJson(), "m.json")).isEqualTo(read);
  }

  @Test
  void aParquetManifestWithoutColumnTypesReadsAsBefore() {
    String json = manifest(EntityColumns.defaults()).toJson().replace("/rows.csv", "/rows.parquet");

    DatasetManifest read = DatasetManifest.fromJson(json, "m.json");

    assertThat(read.entityColumns()).isEqualTo(EntityColumns.defaults());
    assertThat(read.entityColumnTypes()).isNull();
  }
}
