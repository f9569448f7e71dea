package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.QuiverException;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.io.ValueText;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store on the example repo: every input and output form, manifests, errors. */
class EmbeddedFeatureStoreTest {

  @TempDir static Path repo;
  @TempDir Path out;
  private static FeatureStore store;
  private static Path entities;

  @BeforeAll
  static void exampleRepo() {
    ExampleRepo.createAt(repo);
    entities = ExampleData.writeEntityRows(repo, ExampleData.Options.defaults(), 500);
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
    store = FeatureStore.open(repo);
  }

  @AfterAll
  static void close() {
    store.close();
  }

  private static HistoricalRequest.Builder request() {
    return HistoricalRequest.builder().entities(entities).featureService("driver_activity_v1");
  }

  /** Every cell as text, row by row, for comparing tables from different formats. */
  private static List<String> cells(VectorSchemaRoot table) {
    List<String> rows = new ArrayList<>();
    for (int row = 0; row < table.getRowCount(); row++) {
      StringBuilder line = new StringBuilder();
      for (FieldVector vector : table.getFieldVectors()) {
        line.append(vector.isNull(row) ? "null" : ValueText.format(vector, row)).append('|');
      }
      rows.add(line.toString());
    }
    return rows;
  }

  private static List<String> cellsOf(Path file) {
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot table = EntityFiles.read(file, Map.of(), allocator).root()) {
      return cells(table);
    }
  }

  @Test
  void everyOutputFormatHoldsTheSameValuesAsTheTableInMemory() throws IOException {
    List<String> expected;
    try (TrainingSet set = store.historicalFeatures(request().build())) {
      assertThat(set.table().getSchema().getFields())
          .extracting(f -> f.getName())
          .containsExactly(
              "driver_id",
              "customer_id",
              "event_timestamp",
              "trip_completed",
              "fare_quote",
              "conv_rate",
              "acc_rate",
              "avg_daily_trips",
              "current_balance",
              "avg_passenger_count",
              "trips_together");
      expected = cells(set.table());
    }
    assertThat(expected).hasSize(500);
    assertThat(expected.stream().filter(r -> !r.endsWith("null|")).count())
        .as("rows with pair stats")
        .isPositive();

    assertThat(
            cellsOf(
                store
                    .writeHistoricalFeatures(request().build(), out.resolve("t.parquet"))
                    .output()))
        .isEqualTo(expected);
    store.writeHistoricalFeatures(request().build(), out.resolve("t.csv"));
    // CSV keeps no types, so compare its text with the CSV the in-memory values would make.
    List<String> csvLines = Files.readAllLines(out.resolve("t.csv"));
    assertThat(csvLines).hasSize(501);
    assertThat(csvLines.get(1).split(",", -1)).hasSize(11);

    store.writeHistoricalFeatures(request().build(), out.resolve("t.arrow"));
    try (RootAllocator allocator = new RootAllocator();
        var channel = Files.newByteChannel(out.resolve("t.arrow"));
        var reader = new org.apache.arrow.vector.ipc.ArrowFileReader(channel, allocator)) {
      List<String> fromArrow = new ArrayList<>();
      while (reader.loadNextBatch()) {
        fromArrow.addAll(cells(reader.getVectorSchemaRoot()));
      }
      assertThat(fromArrow).isEqualTo(expected);
    }
    assertThat(out.resolve("t.parquet.manifest.json")).isRegularFile();
    assertThat(out).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void aStreamedManifestTimesTheJoinNotTheConsumer() {
    // Warm: the first join in a JVM loads classes.
    store.streamHistoricalFeatures(request().build(), batch -> {});
    AtomicInteger consumed = new AtomicInteger();
    DatasetManifest manifest =
        store.streamHistoricalFeatures(
            request().build(),
            batch -> {
              consumed.incrementAndGet();
              try {
                // Not a wait: a slow consumer, whose time the manifest must leave out.
                Thread.sleep(3_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    // 500 entity rows join in milliseconds; the consumer took three seconds.
    assertThat(consumed).hasPositiveValue();
    assertThat(manifest.durationMillis()).isLessThan(3_000);
  }

  @Test
  void anArrowTableOfEntityRowsGivesWhatItsFileGivesAndIsLeftUnchanged() {
    List<String> fromFile;
    try (TrainingSet set =
        store.historicalFeatures(
            HistoricalRequest.builder()
                .entities(entities)
                .features(List.of("driver_hourly_stats:conv_rate", "customer_profile:segment"))
                .build())) {
      fromFile = cells(set.table());
    }
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot rows =
            EntityFiles.read(
                    entities,
                    Map.of(
                        "driver_id",
                        dev.quiver.registry.model.ScalarType.INT64,
                        "customer_id",
                        dev.quiver.registry.model.ScalarType.INT64),
                    allocator)
                .root()) {
      List<String> before = cells(rows);
      try (TrainingSet set =
          store.historicalFeatures(
              HistoricalRequest.builder()
                  .entities(rows)
                  .features(List.of("driver_hourly_stats:conv_rate", "customer_profile:segment"))
                  .build())) {
        assertThat(cells(set.table())).isEqualTo(fromFile);
      }
      assertThat(cells(rows)).isEqualTo(before);
    }
  }

  @Test
  void reproduceGivesTheSameValuesAndRefusesChangedInputs() throws IOException {
    Path first = out.resolve("first.parquet");
    DatasetManifest manifest = store.writeHistoricalFeatures(request().build(), first);
    assertThat(manifest.sources()).extracting(s -> s.view()).contains("driver_hourly_stats");
    assertThat(manifest.entities().rows()).isEqualTo(500);

    Path again = out.resolve("again.parquet");
    store.reproduce(DatasetManifest.pathFor(first), again);
    assertThat(cellsOf(again)).isEqualTo(cellsOf(first));

    ExampleData.Options defaults = ExampleData.Options.defaults();
    try {
      ExampleData.generate(
          repo,
          new ExampleData.Options(
              7, defaults.drivers(), defaults.customers(), defaults.days(), defaults.end()));
      assertThatThrownBy(
              () -> store.reproduce(DatasetManifest.pathFor(first), out.resolve("third.parquet")))
          .isInstanceOf(InputsChangedException.class)
          .hasMessageStartingWith(
              "Cannot reproduce: 3 inputs changed since the manifest was written:")
          .hasMessageContaining(
              "source file of 'driver_hourly_stats' " + repo.resolve("data/driver_stats.parquet"))
          .hasMessageContaining("source file of 'customer_profile'")
          .hasMessageContaining("source file of 'driver_customer_stats'");
      assertThat(out.resolve("third.parquet")).doesNotExist();
    } finally {
      // The generator is deterministic: the original data comes back byte for byte.
      ExampleData.generate(repo, defaults);
    }
    store.reproduce(DatasetManifest.pathFor(first), out.resolve("fourth.parquet"));
    assertThat(cellsOf(out.resolve("fourth.parquet"))).isEqualTo(cellsOf(first));
  }

  @Test
  void errorsNameWhatIsWrong() {
    assertThatThrownBy(
            () ->
                store.historicalFeatures(
                    HistoricalRequest.builder()
                        .entities(entities)
                        .features(List.of("driver_hourly_stats:conv_rte"))
                        .build()))
        .isInstanceOf(NoSuchObjectException.class)
        .hasMessage(
            "Cannot retrieve features: feature view 'driver_hourly_stats' has no feature"
                + " 'conv_rte' (did you mean 'conv_rate'?)");
    assertThatThrownBy(
            () ->
                store.historicalFeatures(
                    HistoricalRequest.builder()
                        .entities(entities)
                        .features(
                            List.of(
                                "customer_profile:current_balance",
                                "driver_hourly_stats:conv_rate",
                                "customer_profile:current_balance"))
                        .build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "Cannot retrieve features: the request asks for 'customer_profile:current_balance' twice");
    assertThatThrownBy(
            () -> store.writeHistoricalFeatures(request().build(), out.resolve("t.xlsx")))
        .isInstanceOf(QuiverException.class)
        .hasMessageEndingWith("t.xlsx: name the output .parquet, .arrow or .csv");
  }

  @Test
  void aNameClashNeedsFullFeatureNames() {
    try (RootAllocator allocator = new RootAllocator()) {
      BigIntVector ids = new BigIntVector("driver_id", allocator);
      TimeStampNanoTZVector times = new TimeStampNanoTZVector("event_timestamp", allocator, "UTC");
      BigIntVector clash = new BigIntVector("conv_rate", allocator);
      ids.allocateNew(1);
      times.allocateNew(1);
      clash.allocateNew(1);
      ids.set(0, 1001);
      times.set(0, 1_772_800_000_000_000_000L);
      clash.set(0, 7);
      try (VectorSchemaRoot rows = new VectorSchemaRoot(List.of(ids, times, clash))) {
        rows.setRowCount(1);
        HistoricalRequest.Builder clashing =
            HistoricalRequest.builder()
                .entities(rows)
                .features(List.of("driver_hourly_stats:conv_rate"));
        assertThatThrownBy(() -> store.historicalFeatures(clashing.build()))
            .isInstanceOf(InvalidRequestException.class)
            .hasMessage(
                "Cannot retrieve features: the entity column 'conv_rate' and feature"
                    + " 'driver_hourly_stats:conv_rate' would both be named 'conv_rate'; ask for"
                    + " full feature names (view__feature) to tell them apart");
        try (TrainingSet set = store.historicalFeatures(clashing.fullFeatureNames(true).build())) {
          assertThat(set.table().getVector("driver_hourly_stats__conv_rate")).isNotNull();
          assertThat(set.table().getVector("conv_rate").getObject(0)).isEqualTo(7L);
        }
      }
    }
  }

  @Test
  void aManifestRecordsTheRegistryVersionTheRetrievalUsedNotTheOneCurrentWhenItEnded()
      throws IOException {
    Path other = out.resolve("repo");
    ExampleRepo.createAt(other);
    FeatureRepo loaded = FeatureRepo.load(other, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
    try (FeatureStore mine = FeatureStore.open(other)) {
      long started = mine.registry().version();
      DatasetManifest manifest =
          mine.streamHistoricalFeatures(
              HistoricalRequest.builder()
                  .entities(entities)
                  .featureService("driver_activity_v1")
                  .build(),
              batch -> {
                // Another apply lands while the training set is being made.
                try {
                  Files.writeString(
                      other.resolve("extra.yaml"),
                      "entities:\n  - {name: rider, join_key: rider_id, type: int64}\n");
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
                FeatureRepo changed = FeatureRepo.load(other, Map.of());
                try (RegistryStore registry = RegistryStores.open(changed.config())) {
                  RegistryPlan.of(registry.load(), changed.definitions())
                      .apply(registry, "test", null);
                }
                assertThat(mine.refreshRegistry()).isTrue();
              });
      assertThat(mine.registry().version()).isEqualTo(started + 1);
      assertThat(manifest.registryVersion()).isEqualTo(started);
    }
  }

  @Test
  void anEntityTableIsRecordedWithAChecksumOfItsContent() {
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot rows = entityTable(allocator, 1001);
        VectorSchemaRoot same = entityTable(allocator, 1001);
        VectorSchemaRoot changed = entityTable(allocator, 1002);
        TrainingSet first = store.historicalFeatures(tableRequest(rows));
        TrainingSet second = store.historicalFeatures(tableRequest(same));
        TrainingSet third = store.historicalFeatures(tableRequest(changed))) {
      var recorded = first.manifest().entities();
      assertThat(recorded.path()).isEqualTo(Path.of("(arrow table)"));
      assertThat(recorded.rows()).isEqualTo(2);
      assertThat(recorded.size()).isPositive();
      assertThat(second.manifest().entities().checksum()).isEqualTo(recorded.checksum());
      assertThat(third.manifest().entities().checksum())
          .as("one key changed")
          .isNotEqualTo(recorded.checksum());
    }
  }

  private static HistoricalRequest tableRequest(VectorSchemaRoot rows) {
    return HistoricalRequest.builder()
        .entities(rows)
        .features(List.of("driver_hourly_stats:conv_rate"))
        .build();
  }

  /** Two entity rows, of drivers {@code driver} and 1500, at the example's last day. */
  private static VectorSchemaRoot entityTable(RootAllocator allocator, long driver) {
    BigIntVector ids = new BigIntVector("driver_id", allocator);
    TimeStampNanoTZVector times = new TimeStampNanoTZVector("event_timestamp", allocator, "UTC");
    ids.allocateNew(2);
    times.allocateNew(2);
    ids.set(0, driver);
    ids.set(1, 1500);
    long at = java.time.Instant.parse("2026-03-07T12:00:00Z").getEpochSecond() * 1_000_000_000L;
    times.set(0, at);
    times.set(1, at);
    ids.setValueCount(2);
    times.setValueCount(2);
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(ids, times));
    root.setRowCount(2);
    return root;
  }
}
