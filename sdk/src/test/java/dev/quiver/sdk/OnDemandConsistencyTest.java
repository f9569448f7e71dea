package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.offline.io.PendingFile;
import dev.quiver.offline.io.TrainingSetFiles;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-demand features are the same offline and online: a training set with an on-demand view, on
 * random data with nulls of every kind (no row, a row past its ttl, a null value, a null request
 * value), equals an online lookup of every row at the row's instant with the same request data,
 * value for value (floats bit for bit). The seed is printed; {@code -Dseed=N} replays a run.
 */
class OnDemandConsistencyTest {

  private static final Instant START = Instant.parse("2026-04-01T00:00:00Z");

  @TempDir Path repo;

  private static final List<String> ON_DEMAND =
      List.of("score_ratio", "rate_plus", "trips_per_n", "busy", "label", "huge", "seen");

  @Test
  void aTrainingSetAndOnlineLookupsAtTheSameInstantGiveTheSameOnDemandValues() throws IOException {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("OnDemandConsistencyTest seed=" + seed);
    Random random = new Random(seed);
    writeRepo(random);
    apply();

    int drivers = 12;
    List<Instant> instants = new ArrayList<>();
    for (int hour = 0; hour < 5; hour++) {
      // At hh:50, after every event of the hour (events fall in its first 40 minutes): online
      // tiles hold whole hops (5m, 1h), so a lookup equals the training set from the newest event
      // of its hop on. Hours apart, so the ttl (2h) cuts some rows off.
      instants.add(START.plus(Duration.ofMinutes(60L * hour + 50)).plusMillis(500));
    }
    List<Object> ids = new ArrayList<>();
    List<Object> amounts = new ArrayList<>();
    List<Object> ns = new ArrayList<>();
    for (int d = 0; d < drivers; d++) {
      ids.add((long) (1 + random.nextInt(drivers + 2))); // some have no rows at all
      amounts.add(random.nextInt(10) == 0 ? null : Math.round(random.nextDouble() * 1e4) / 10.0);
      ns.add(random.nextInt(8) == 0 ? null : (long) random.nextInt(4)); // 0: division by zero
    }
    Path entities = repo.resolve("data/entities.csv");
    StringBuilder csv = new StringBuilder("driver_id,event_timestamp,amount,n\n");
    for (Instant t : instants) {
      for (int d = 0; d < drivers; d++) {
        csv.append(ids.get(d))
            .append(',')
            .append(t)
            .append(',')
            .append(amounts.get(d) == null ? "" : amounts.get(d))
            .append(',')
            .append(ns.get(d) == null ? "" : ns.get(d))
            .append('\n');
      }
    }
    Files.writeString(entities, csv, StandardCharsets.UTF_8);
    List<String> references = new ArrayList<>(List.of("driver_stats:score"));
    references.add("risk");

    int compared = 0;
    int nulls = 0;
    try (FeatureStore store = FeatureStore.open(repo);
        TrainingSet offline =
            store
                .historical()
                .historicalFeatures(
                    HistoricalRequest.builder()
                        .entities(entities)
                        .columnType("amount", dev.quiver.registry.model.ScalarType.FLOAT64)
                        .columnType("n", dev.quiver.registry.model.ScalarType.INT64)
                        .features(references)
                        .build())) {
      VectorSchemaRoot table = offline.table();
      assertThat(table.getSchema().getFields().stream().map(f -> f.getName()).toList())
          .as("request columns stay, unrequested inputs do not show")
          .containsExactly(
              "driver_id",
              "event_timestamp",
              "amount",
              "n",
              "score",
              "score_ratio",
              "rate_plus",
              "trips_per_n",
              "busy",
              "label",
              "huge",
              "seen");
      for (int i = 0; i < instants.size(); i++) {
        Instant t = instants.get(i);
        store.materializeIncremental(t, List.of(), MaterializationProgress.NONE);
        OnlineResponse online =
            store.onlineFeatures(
                OnlineRequest.ofFeatures(references, Map.of("driver_id", ids))
                    .withRequestField("amount", amounts)
                    .withRequestField("n", ns)
                    .withAsOf(t));
        for (int d = 0; d < drivers; d++) {
          int row = i * drivers + d;
          for (String feature : ON_DEMAND) {
            Object expected = plain(table.getVector(feature), row);
            Object actual = online.column(feature).values().get(d);
            String what =
                String.format("driver %s %s at %s (seed %d)", ids.get(d), feature, t, seed);
            if (feature.equals("seen")
                && expected instanceof Double e
                && actual instanceof Double a) {
              // It reads a sum of floats, added per tile online and event by event offline: the
              // input may differ in its last bits, the expression is the same.
              assertThat(a)
                  .as(what)
                  .isCloseTo(e, org.assertj.core.data.Percentage.withPercentage(1e-9));
            } else {
              assertThat(actual).as(what).isEqualTo(expected);
            }
            assertThat(online.column(feature).statuses().get(d))
                .isEqualTo(actual == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT);
            nulls += actual == null ? 1 : 0;
            compared++;
          }
        }
      }
    }
    assertThat(compared).isEqualTo(instants.size() * drivers * ON_DEMAND.size());
    assertThat(nulls).as("some evaluations give null").isPositive();
  }

  /** A training-set value as the SDK holds it. */
  private static Object plain(FieldVector vector, int row) {
    Object value = vector.getObject(row);
    return value instanceof Text text ? text.toString() : value;
  }

  private void apply() {
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
  }

  /**
   * A repo with a plain view of every number type, a bool and a string (nulls sprinkled), an
   * aggregation view over the same events, and an on-demand view reading both with two request
   * fields.
   */
  private void writeRepo(Random random) throws IOException {
    Files.writeString(
        repo.resolve("feature_store.yaml"), "project: odfv\nregistry: data/registry.json\n");
    Files.writeString(
        repo.resolve("definitions.yaml"),
        """
        entities:
          - {name: driver, join_key: driver_id, type: int64}
        sources:
          - {name: stats, path: data/stats.parquet, timestamp_field: ts}
        feature_views:
          - name: driver_stats
            entities: [driver]
            source: stats
            ttl: 2h
            features:
              - {name: trips, type: int32}
              - {name: miles, type: int64}
              - {name: rate, type: float32}
              - {name: score, type: float64}
              - {name: active, type: bool}
              - {name: tier, type: string}
          - name: driver_activity
            entities: [driver]
            source: stats
            aggregations:
              - {function: count, windows: [1h]}
              - {column: score, type: float64, function: sum, windows: [1d]}
        on_demand_feature_views:
          - name: risk
            inputs: [driver_stats, driver_activity]
            request:
              - {name: amount, type: float64}
              - {name: n, type: int64}
            features:
              - {name: score_ratio, type: float64, expression: "amount / (driver_stats.score + 1.0)"}
              - {name: rate_plus, type: float32, expression: "driver_stats.rate + 0.5"}
              - {name: trips_per_n, type: int32, expression: "driver_stats.trips / n"}
              - name: busy
                type: bool
                expression: "driver_activity.count_1h > 1 || driver_stats.active == true"
              - name: label
                type: string
                expression: "driver_stats.tier == null ? 'none' : driver_stats.tier + '!'"
              - {name: huge, type: int64, expression: "driver_stats.miles * 4611686018427387"}
              - name: seen
                type: float64
                expression: "driver_activity.score_sum_1d + (amount == null ? 0.0 : amount)"
        """);
    Files.createDirectories(repo.resolve("data"));
    int rows = 400;
    try (RootAllocator allocator = new RootAllocator();
        BigIntVector driver = new BigIntVector("driver_id", allocator);
        TimeStampNanoTZVector ts = new TimeStampNanoTZVector("ts", allocator, "UTC");
        IntVector trips = new IntVector("trips", allocator);
        BigIntVector miles = new BigIntVector("miles", allocator);
        Float4Vector rate = new Float4Vector("rate", allocator);
        Float8Vector score = new Float8Vector("score", allocator);
        BitVector active = new BitVector("active", allocator);
        VarCharVector tier = new VarCharVector("tier", allocator)) {
      List<FieldVector> vectors = List.of(driver, ts, trips, miles, rate, score, active, tier);
      vectors.forEach(v -> v.setInitialCapacity(rows));
      vectors.forEach(FieldVector::allocateNew);
      for (int i = 0; i < rows; i++) {
        driver.set(i, 1 + random.nextInt(12));
        long second = 3600L * random.nextInt(5) + random.nextInt(40 * 60);
        ts.set(i, (START.getEpochSecond() + second) * 1_000_000_000L);
        if (random.nextInt(7) > 0) {
          trips.set(i, random.nextInt(2_000) - 100);
        }
        if (random.nextInt(7) > 0) {
          miles.set(i, random.nextInt(5_000));
        }
        if (random.nextInt(7) > 0) {
          rate.set(i, random.nextFloat() * 3);
        }
        if (random.nextInt(7) > 0) {
          score.set(i, random.nextGaussian() * 10);
        }
        if (random.nextInt(7) > 0) {
          active.set(i, random.nextBoolean() ? 1 : 0);
        }
        if (random.nextInt(7) > 0) {
          tier.setSafe(i, ("tier" + random.nextInt(3)).getBytes(StandardCharsets.UTF_8));
        }
      }
      try (VectorSchemaRoot table = new VectorSchemaRoot(vectors)) {
        table.setRowCount(rows);
        try (PendingFile file = PendingFile.beside(repo.resolve("data/stats.parquet"))) {
          TrainingSetFiles.write(table, file, allocator);
          file.commit();
        }
      }
    }
  }
}
