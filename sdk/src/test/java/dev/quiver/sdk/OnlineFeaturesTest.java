package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.QuiverException;
import dev.quiver.example.ExampleRepo;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Materialization and online reads end to end, on the example repo and RocksDB; subclasses run the
 * same tests on other online stores.
 */
class OnlineFeaturesTest {

  private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-03-04T12:00:00Z");
  private static final Instant T2 = Instant.parse("2026-03-06T00:00:00Z");
  private static final Instant NOW = T2.plus(Duration.ofHours(12));
  private static final List<String> FEATURES = List.of("conv_rate", "acc_rate", "avg_daily_trips");

  @TempDir Path repo;

  /** Points the example repo at another online store; RocksDB is the example's own. */
  protected void configureOnlineStore(Path repo) throws java.io.IOException {}

  @BeforeEach
  void exampleRepo() throws java.io.IOException {
    ExampleRepo.createAt(repo);
    configureOnlineStore(repo);
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
  }

  private FeatureStore open() {
    return FeatureStore.open(
        repo, FeatureStoreOptions.defaults().withClock(Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  @Test
  void twoWindowsMaterializedInReverseOrderGiveTheWinnersOfTheirUnion() {
    try (FeatureStore store = open()) {
      List<Materializer.ViewResult> later =
          store.materialize(T1, T2, List.of("driver_hourly_stats"), MaterializationProgress.NONE);
      assertThat(later.get(0).rowsWritten()).isEqualTo(2_000);
      store.materialize(T0, T1, List.of("driver_hourly_stats"), MaterializationProgress.NONE);

      Map<Object, OnlineReference.Winner> expected =
          OnlineReference.winners(
              repo.resolve("data/driver_stats.parquet"),
              "driver_id",
              "event_timestamp",
              "created",
              T0,
              T2,
              FEATURES);
      // The newest event of the union: the latest winner's (the newest row wins its key).
      Instant newest =
          expected.values().stream()
              .map(OnlineReference.Winner::eventTime)
              .max(Instant::compareTo)
              .orElseThrow();
      assertThat(store.newestMaterializedEvents()).containsEntry("driver_hourly_stats", newest);
      assertThat(later.get(0).newestEvent()).isEqualTo(newest);
      List<Object> drivers = new ArrayList<>();
      for (long id = 1001; id <= 3001; id++) {
        drivers.add(id); // 3001 has no data
      }
      OnlineResponse response =
          store.onlineFeatures(
              OnlineRequest.ofFeatures(
                  FEATURES.stream().map(f -> "driver_hourly_stats:" + f).toList(),
                  Map.of("driver_id", drivers)));

      assertThat(response.featureNames())
          .containsExactly("driver_id", "conv_rate", "acc_rate", "avg_daily_trips");
      int present = 0;
      int stale = 0;
      for (int row = 0; row < drivers.size(); row++) {
        OnlineReference.Winner winner = expected.get(drivers.get(row));
        for (String feature : FEATURES) {
          OnlineResponse.Column column = response.column(feature);
          if (winner == null) {
            assertThat(column.statuses().get(row)).isEqualTo(FeatureStatus.NOT_FOUND);
            assertThat(column.eventTimestamps().get(row)).isEqualTo(OnlineResponse.NO_TIME);
            continue;
          }
          assertThat(column.eventTimestamps().get(row))
              .as("driver %s", drivers.get(row))
              .isEqualTo(winner.eventTime());
          Object value = winner.values().get(feature);
          FeatureStatus expectedStatus =
              Duration.between(winner.eventTime(), NOW).compareTo(Duration.ofDays(1)) > 0
                  ? FeatureStatus.OUTSIDE_MAX_AGE
                  : value == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT;
          assertThat(column.statuses().get(row))
              .as("driver %s %s", drivers.get(row), feature)
              .isEqualTo(expectedStatus);
          assertThat(column.values().get(row))
              .isEqualTo(expectedStatus == FeatureStatus.PRESENT ? value : null);
          present += expectedStatus == FeatureStatus.PRESENT ? 1 : 0;
          stale += expectedStatus == FeatureStatus.OUTSIDE_MAX_AGE ? 1 : 0;
        }
      }
      assertThat(present).isPositive();
      assertThat(response.column("conv_rate").statuses()).contains(FeatureStatus.NULL_VALUE);
      assertThat(stale).as("the windows end 12 h before now, so no row is older than 1 d").isZero();
    }
  }

  /**
   * For any as_of at or after the newest event, an aggregation feature served online equals the
   * training-set value of an entity row at that instant: tiles and the offline engine agree, on
   * every online store. The instants are random (the seed is printed) and include the newest event
   * itself, one nanosecond after it, and window starts and hop boundaries.
   */
  @Test
  void aggregationFeaturesOnlineEqualTheTrainingSetRowAtAsOf() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("aggregationFeaturesOnlineEqualTheTrainingSetRowAtAsOf seed=" + seed);
    java.util.Random random = new java.util.Random(seed);
    String view = "driver_trip_activity";
    try (FeatureStore store = open()) {
      Instant end = Instant.parse("2026-03-08T00:00:00Z");
      List<Materializer.ViewResult> results =
          store.materialize(
              end.minus(Duration.ofDays(8)), end, List.of(view), MaterializationProgress.NONE);
      Instant newest = results.get(0).newestEvent();
      assertThat(newest).isBefore(end);
      List<String> features =
          store.registry().definitions().featureView(view).orElseThrow().featureNames();
      List<String> references = features.stream().map(f -> view + ":" + f).toList();

      List<Instant> instants = new ArrayList<>();
      instants.add(newest);
      instants.add(newest.plusNanos(1));
      Instant hour = newest.truncatedTo(java.time.temporal.ChronoUnit.HOURS);
      instants.add(hour.plus(Duration.ofHours(1)));
      instants.add(hour.plus(Duration.ofHours(1)).minusNanos(1));
      instants.add(hour.plus(Duration.ofDays(1)));
      instants.add(hour.plus(Duration.ofDays(7)).plusNanos(1));
      for (int i = 0; i < 6; i++) {
        instants.add(newest.plusNanos((long) (random.nextDouble() * Duration.ofDays(8).toNanos())));
      }
      List<Object> drivers = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        drivers.add(1001L + random.nextInt(2_000));
      }
      drivers.add(99_999L); // no trips

      StringBuilder csv = new StringBuilder("driver_id,event_timestamp\n");
      for (Instant t : instants) {
        for (Object driver : drivers) {
          csv.append(driver).append(',').append(t).append('\n');
        }
      }
      Path entities = Files.writeString(repo.resolve("data/agg_entities.csv"), csv);
      int compared = 0;
      try (TrainingSet offline =
          store
              .historical()
              .historicalFeatures(
                  HistoricalRequest.builder().entities(entities).features(references).build())) {
        org.apache.arrow.vector.VectorSchemaRoot table = offline.table();
        for (int i = 0; i < instants.size(); i++) {
          Instant t = instants.get(i);
          OnlineResponse online =
              store.onlineFeatures(
                  OnlineRequest.ofFeatures(references, Map.of("driver_id", drivers)).withAsOf(t));
          for (int d = 0; d < drivers.size(); d++) {
            int row = i * drivers.size() + d;
            for (String feature : features) {
              Object expected = table.getVector(feature).getObject(row);
              Object actual = online.column(feature).values().get(d);
              String what = "driver " + drivers.get(d) + " " + feature + " at " + t;
              if (expected instanceof Double e && actual instanceof Double a) {
                assertThat(a)
                    .as(what)
                    .isCloseTo(e, org.assertj.core.data.Percentage.withPercentage(1e-7));
              } else {
                assertThat(plain(actual)).as(what).isEqualTo(plain(expected));
              }
              FeatureStatus status = online.column(feature).statuses().get(d);
              long count = (Long) table.getVector("count_7d").getObject(row);
              if (feature.endsWith("_7d")) {
                assertThat(status)
                    .as(what)
                    .isIn(
                        count == 0
                            ? List.of(FeatureStatus.NOT_FOUND)
                            : List.of(FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE));
              }
              compared++;
            }
          }
        }
      }
      assertThat(compared).isEqualTo(instants.size() * drivers.size() * features.size());
    }
  }

  /** Arrow's text and timestamps as the SDK's String and Instant, to compare values. */
  private static Object plain(Object value) {
    if (value instanceof org.apache.arrow.vector.util.Text text) {
      return text.toString();
    }
    return value;
  }

  @Test
  void incrementalRunsStartWhereTheLastEnded() {
    try (FeatureStore store = open()) {
      List<Materializer.ViewResult> first =
          store.materializeIncremental(
              T1, List.of("driver_hourly_stats"), MaterializationProgress.NONE);
      // Never materialized, with a ttl of 1d: from END - ttl.
      assertThat(first.get(0).interval())
          .isEqualTo(new TimeInterval(T1.minus(Duration.ofDays(1)), T1));
      List<Materializer.ViewResult> second =
          store.materializeIncremental(
              T2, List.of("driver_hourly_stats"), MaterializationProgress.NONE);
      assertThat(second.get(0).interval()).isEqualTo(new TimeInterval(T1, T2));
      assertThat(store.materializationStates().get("driver_hourly_stats").intervals())
          .containsExactly(new TimeInterval(T1.minus(Duration.ofDays(1)), T2));
      ProjectConfig config = FeatureRepo.loadConfig(repo, Map.of());
      try (RegistryStore registry = RegistryStores.open(config)) {
        assertThat(registry.load().version()).as("no new registry version").isEqualTo(1);
      }
    }
  }

  @Test
  void requestsThatCannotBeAnsweredFailClearly() {
    try (FeatureStore store = open()) {
      store.materialize(T0, T2, List.of(), MaterializationProgress.NONE);
      assertThatThrownBy(
              () ->
                  store.onlineFeatures(
                      OnlineRequest.ofService(
                          "driver_activity_v1", Map.of("driver_id", List.of(1001L)))))
          .isInstanceOf(InvalidEntityException.class)
          .hasMessage(
              "Cannot read online features: the entity rows have no 'customer_id' (the join key of"
                  + " entity 'customer', needed by feature view 'customer_profile')");
      assertThatThrownBy(
              () ->
                  store.onlineFeatures(
                      OnlineRequest.ofFeatures(
                          List.of("driver_hourly_stats:conv_rate"),
                          Map.of("driver_id", List.of("1001")))))
          .isInstanceOf(InvalidEntityException.class)
          .hasMessage(
              "Cannot read online features: entity row 1 has driver_id = '1001', which is not a"
                  + " valid int64");
      assertThatThrownBy(() -> store.materialize(T2, T0, List.of(), MaterializationProgress.NONE))
          .isInstanceOf(QuiverException.class)
          .hasMessage("Cannot materialize: the start " + T2 + " is after the end " + T0);
    }
  }

  @Test
  void anOfflineOnlyViewIsSkippedByMaterializationAndRefusedOnline() throws Exception {
    Path definitions = repo.resolve("customer_profile.yaml");
    Files.writeString(
        definitions,
        Files.readString(definitions).replace("    ttl: 2d\n", "    ttl: 2d\n    online: false\n"));
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
    try (FeatureStore store = open()) {
      assertThat(store.materialize(T0, T2, List.of(), MaterializationProgress.NONE))
          .extracting(Materializer.ViewResult::view)
          .containsExactly("driver_customer_stats", "driver_hourly_stats", "driver_trip_activity");
      assertThatThrownBy(
              () ->
                  store.onlineFeatures(
                      OnlineRequest.ofFeatures(
                          List.of("customer_profile:segment"),
                          Map.of("customer_id", List.of(5001L)))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "Cannot read online features: feature view 'customer_profile' is offline only"
                  + " (online: false)");
    }
  }
}
