package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.EpochNanos;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lookups of an aggregation view end to end: YAML definitions, Parquet events, materialized tiles
 * in RocksDB (subclasses: other stores), and windows ending at the request's {@code as_of}, with
 * DESIGN.md's statuses.
 */
class AggregationOnlineFeaturesTest {

  private static final Instant T0 = Instant.parse("2026-05-10T12:00:00Z");

  @TempDir Path repo;

  private static Map<String, Object> event(long card, Instant ts, Double amount, String merchant) {
    Map<String, Object> row = new HashMap<>();
    row.put("card_id", card);
    row.put("ts", EpochNanos.of(ts));
    row.put("amount", amount);
    row.put("merchant", merchant);
    return row;
  }

  /** The repo's {@code feature_store.yaml}: RocksDB, the default; subclasses run on others. */
  protected String featureStoreYaml() {
    return "project: cards\nregistry: data/registry.json\n";
  }

  @BeforeEach
  void repoWithEvents() throws IOException {
    Files.writeString(repo.resolve("feature_store.yaml"), featureStoreYaml());
    Files.writeString(
        repo.resolve("cards.yaml"),
        """
        entities:
          - {name: card, join_key: card_id, type: int64}
        sources:
          - {name: transactions, type: parquet, path: data/transactions.parquet, timestamp_field: ts}
        feature_views:
          - name: card_spend
            entities: [card]
            source: transactions
            aggregations:
              - {column: amount, type: float64, function: sum, windows: [1h, 1d]}
              - {column: amount, type: float64, function: min, windows: [1h]}
              - {function: count, windows: [1h]}
              - {column: merchant, type: string, function: last, windows: [1d]}
        """);
    List<Map<String, Object>> events = new ArrayList<>();
    events.add(event(1, T0, 10.0, "a"));
    events.add(event(1, T0.plus(Duration.ofMinutes(10)), null, "b"));
    events.add(event(1, T0.plus(Duration.ofHours(2)), 5.0, null));
    events.add(event(2, T0.plus(Duration.ofHours(2)), null, null));
    ParquetFixtures.write(
        repo.resolve("data/transactions.parquet"),
        "message t { required int64 card_id; required int64 ts (TIMESTAMP(MICROS,true));"
            + " optional double amount; optional binary merchant (UTF8); }",
        events,
        0);
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
  }

  @Test
  void windowsEndAtAsOfWithZeroForCountAndSumAndStatusesPerDesign() {
    Instant asOf = T0.plus(Duration.ofHours(2)).plusSeconds(1);
    try (FeatureStore store = FeatureStore.open(repo)) {
      store.materialize(
          T0.minus(Duration.ofDays(1)),
          Instant.parse("2026-05-10T14:30:00.123456789Z"),
          List.of(),
          MaterializationProgress.NONE);
      OnlineResponse response =
          store.onlineFeatures(
              OnlineRequest.ofFeatures(
                      List.of(
                          "card_spend:amount_sum_1h",
                          "card_spend:amount_sum_1d",
                          "card_spend:amount_min_1h",
                          "card_spend:count_1h",
                          "card_spend:merchant_last_1d"),
                      Map.of("card_id", List.of(1L, 2L, 3L)))
                  .withAsOf(asOf));

      Instant newest = T0.plus(Duration.ofHours(2));
      OnlineResponse.Column sum1h = response.column("amount_sum_1h");
      assertThat(sum1h.values()).containsExactly(5.0, 0.0, 0.0);
      assertThat(sum1h.statuses())
          .containsExactly(FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND);
      assertThat(sum1h.eventTimestamps()).containsExactly(newest, newest, OnlineResponse.NO_TIME);
      assertThat(response.column("amount_sum_1d").values()).containsExactly(15.0, 0.0, 0.0);
      OnlineResponse.Column min = response.column("amount_min_1h");
      assertThat(min.values()).containsExactly(5.0, null, null);
      assertThat(min.statuses())
          .containsExactly(
              FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE, FeatureStatus.NOT_FOUND);
      assertThat(response.column("count_1h").values()).containsExactly(1L, 1L, 0L);
      OnlineResponse.Column last = response.column("merchant_last_1d");
      assertThat(last.values()).as("the last non-null merchant").containsExactly("b", null, null);
      assertThat(last.statuses())
          .containsExactly(
              FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE, FeatureStatus.NOT_FOUND);

      // Earlier, the 1d window of card 1 holds its first two events; the 1h windows' 5-minute
      // tiles of then are out of reach from the newest event (T0 + 2h) and were dropped.
      OnlineResponse earlier =
          store.onlineFeatures(
              OnlineRequest.ofFeatures(
                      List.of(
                          "card_spend:amount_sum_1d",
                          "card_spend:merchant_last_1d",
                          "card_spend:count_1h"),
                      Map.of("card_id", List.of(1L)))
                  .withAsOf(T0.plus(Duration.ofMinutes(55))));
      assertThat(earlier.column("amount_sum_1d").values()).containsExactly(10.0);
      assertThat(earlier.column("merchant_last_1d").values()).containsExactly("b");
      assertThat(earlier.column("merchant_last_1d").eventTimestamps())
          .containsExactly(T0.plus(Duration.ofMinutes(10)));
      assertThat(earlier.column("count_1h").statuses()).containsExactly(FeatureStatus.NOT_FOUND);
    }
  }
}
