package dev.quiver.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.OutputException;
import dev.quiver.registry.load.FeatureRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleRepoTest {

  @TempDir Path dir;

  @Test
  void aRepoThatCannotBeWrittenIsAnOutputExceptionWithItsCause() throws IOException {
    Path notAFolder = Files.writeString(dir.resolve("taken"), "a file");
    Path target = notAFolder.resolve("repo");
    assertThatThrownBy(() -> ExampleRepo.copyDefinitionsTo(target))
        .isInstanceOf(OutputException.class)
        .hasMessageStartingWith("Cannot copy the example repo to " + target + ": ")
        .hasCauseInstanceOf(java.nio.file.FileSystemException.class);
  }

  @Test
  void thePackagedFileListMatchesTheModuleFolder() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(""))) {
      List<String> yaml =
          files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).toList();
      assertThat(ExampleRepo.FILES).containsExactlyInAnyOrderElementsOf(yaml);
    }
  }

  @Test
  void theModuleFolderIsAValidRepoWithTheIntendedShape() {
    FeatureRepo repo = FeatureRepo.load(Path.of(""), Map.of());

    assertThat(repo.config().project()).isEqualTo("driver_ranking");
    assertThat(repo.definitions().names(dev.quiver.registry.model.ObjectKind.ENTITY))
        .containsExactly("customer", "driver");
    assertThat(repo.definitions().featureView("driver_customer_stats").orElseThrow().entities())
        .containsExactly("driver", "customer");
    assertThat(repo.definitions().featureView("driver_hourly_stats").orElseThrow().hasTtl())
        .isTrue();
    assertThat(repo.definitions().featureView("driver_trip_activity").orElseThrow().features())
        .extracting(dev.quiver.registry.model.Feature::name)
        .containsExactly(
            "count_1h",
            "count_1d",
            "count_7d",
            "fare_sum_1d",
            "fare_sum_7d",
            "fare_mean_7d",
            "rating_min_1d",
            "payment_type_last_7d");
  }

  @Test
  void theSameSeedWritesTheSameBytes() throws IOException {
    ExampleData.Options options = ExampleData.Options.defaults();
    ExampleData.generate(dir.resolve("a"), options);
    ExampleData.generate(dir.resolve("b"), options);

    for (String file :
        List.of(
            "driver_stats.parquet",
            "customer_profile.parquet",
            "driver_customer_stats.parquet",
            "trips.parquet")) {
      assertThat(Files.readAllBytes(dir.resolve("a/data/" + file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(dir.resolve("b/data/" + file)));
    }
  }

  @Test
  void driverStatsHaveThousandsOfDriversCorrectionsAndNulls() throws IOException {
    ExampleData.Summary summary = ExampleRepo.createAt(dir);
    Path file = dir.resolve("data/driver_stats.parquet");

    Set<Long> drivers = new HashSet<>();
    Map<String, Integer> rowsPerKeyAndTime = new HashMap<>();
    int nullConvRates = 0;
    long rows = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      for (PageReadStore rowGroup = reader.readNextRowGroup();
          rowGroup != null;
          rowGroup = reader.readNextRowGroup()) {
        RecordReader<Group> records =
            new ColumnIOFactory()
                .getColumnIO(schema)
                .getRecordReader(rowGroup, new GroupRecordConverter(schema));
        for (long i = 0; i < rowGroup.getRowCount(); i++) {
          Group row = records.read();
          rows++;
          long driver = row.getLong("driver_id", 0);
          drivers.add(driver);
          rowsPerKeyAndTime.merge(
              driver + "@" + row.getLong("event_timestamp", 0), 1, Integer::sum);
          if (row.getFieldRepetitionCount("conv_rate") == 0) {
            nullConvRates++;
          }
        }
      }
    }

    assertThat(rows).isEqualTo(summary.rowsByFile().get("data/driver_stats.parquet"));
    assertThat(drivers).hasSize(2_000);
    long corrected = rowsPerKeyAndTime.values().stream().filter(n -> n > 1).count();
    assertThat(corrected).isGreaterThan(1_000);
    assertThat(nullConvRates).isGreaterThan(1_000);
    assertThat(dir.resolve("data")).isDirectoryNotContaining("glob:**.tmp");
  }
}
