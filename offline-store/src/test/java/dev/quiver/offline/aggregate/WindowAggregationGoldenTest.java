package dev.quiver.offline.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.EpochNanos;
import dev.quiver.OutputException;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.join.EntityTable;
import dev.quiver.offline.join.JoinOptions;
import dev.quiver.offline.join.JoinProgress;
import dev.quiver.offline.join.PointInTimeJoin;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.testing.GoldenFiles;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.offline.testing.TestMemory;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins each edge of the window rule ({@code floor(t - w, h) <= ts <= t}) with small scenarios whose
 * expected outputs live in {@code src/test/resources/golden}; each entity row's {@code case} says
 * what it checks. The golden files are written by running this test with {@code
 * -Dquiver.golden.update=true} ({@code mvn -pl offline-store test
 * -Dtest=WindowAggregationGoldenTest -Dquiver.golden.update=true}); review their diff before
 * committing.
 */
class WindowAggregationGoldenTest {

  private static final Entity CARD =
      new Entity("card", "card_id", ScalarType.INT64, null, null, Map.of(), null);
  private static final String EVENTS =
      "message events { optional int64 card_id; optional int64 ts (TIMESTAMP(NANOS,true));"
          + " optional double amount; optional binary merchant (STRING); }";

  @TempDir Path dir;
  private final Reservation memory = TestMemory.reserve("golden aggregation");
  private final BufferAllocator allocator = memory.allocator();

  @AfterEach
  void freeMemory() {
    memory.close();
  }

  private static long at(String instant) {
    return EpochNanos.of(Instant.parse(instant));
  }

  private static Map<String, Object> event(long card, String ts, Double amount, String merchant) {
    Map<String, Object> row = new HashMap<>();
    row.put("card_id", card);
    row.put("ts", at(ts));
    row.put("amount", amount);
    row.put("merchant", merchant);
    return row;
  }

  private static Map<String, Object> nullKeyEvent() {
    Map<String, Object> row = event(0, "2026-03-02T10:30:00Z", 100.0, "no key");
    row.remove("card_id");
    return row;
  }

  private static Map<String, Object> nullTimeEvent() {
    Map<String, Object> row = event(1, "2026-03-02T10:30:00Z", 100.0, "no time");
    row.remove("ts");
    return row;
  }

  /** A view over the events: every function of amount and merchant in a 1h window (hop 5m). */
  private Definitions spendDefinitions() {
    List<Duration> hour = List.of(Duration.ofHours(1));
    ValueType float64 = ValueType.scalar(ScalarType.FLOAT64);
    ValueType string = ValueType.scalar(ScalarType.STRING);
    FeatureView spend =
        FeatureView.builder("spend")
            .entities("card")
            .source("events")
            .aggregations(
                new Aggregation(null, null, AggregationFunction.COUNT, hour),
                new Aggregation("amount", float64, AggregationFunction.COUNT, hour),
                new Aggregation("amount", float64, AggregationFunction.SUM, hour),
                new Aggregation("amount", float64, AggregationFunction.MEAN, hour),
                new Aggregation("amount", float64, AggregationFunction.MIN, hour),
                new Aggregation("amount", float64, AggregationFunction.MAX, hour),
                new Aggregation("merchant", string, AggregationFunction.FIRST, hour),
                new Aggregation("merchant", string, AggregationFunction.LAST, hour))
            .build();
    return new Definitions(
        List.of(CARD),
        List.of(new ParquetSource("events", "events", "ts", null, Map.of(), null, null)),
        List.of(spend),
        List.of());
  }

  private void writeEvents() {
    ParquetFixtures.write(
        dir.resolve("events/part-0.parquet"),
        EVENTS,
        List.of(
            // Card 1, window of a row at 11:02 (hop 5m): [10:00, 11:02].
            event(1, "2026-03-02T09:59:59.999999999Z", 1.0, "before the start"),
            event(1, "2026-03-02T10:00:00Z", 2.0, "at the start"),
            event(1, "2026-03-02T11:02:00Z", 4.0, "at t"),
            event(1, "2026-03-02T11:02:00.000000001Z", 8.0, "after t"),
            // Card 2: events with nothing in the columns.
            event(2, "2026-03-02T10:30:00Z", null, null),
            event(2, "2026-03-02T10:40:00Z", null, null),
            // Card 3: before the epoch; a row at 23:59:59.999999999 starts at 22:55.
            event(3, "1969-12-31T22:54:59.999999999Z", 16.0, "before the start"),
            event(3, "1969-12-31T22:55:00Z", 32.0, "at the start"),
            event(3, "1969-12-31T23:30:00Z", -64.0, "inside"),
            // Card 4: ties across rows and files; the later file holds the last in order.
            event(4, "2026-03-02T10:30:00Z", 1.5, "tie, file 0 row 0"),
            event(4, "2026-03-02T10:30:00Z", 2.5, "tie, file 0 row 1")),
        0);
    ParquetFixtures.write(
        dir.resolve("events/part-1.parquet"),
        EVENTS,
        List.of(
            event(4, "2026-03-02T10:30:00Z", 0.5, "tie, file 1 row 0"),
            event(4, "2026-03-02T10:20:00Z", null, null),
            // Skipped and counted: a row without a key, and one without a time.
            nullKeyEvent(),
            nullTimeEvent()),
        0);
  }

  @Test
  void edgesOfTheWindowRule() throws IOException {
    writeEvents();
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        case,card_id,event_timestamp
        start and t inclusive; one ns before the start and after t excluded,1,2026-03-02T11:02:00Z
        hop floor: start still 10:00 one ns before the next hop,1,2026-03-02T11:04:59.999999999Z
        hop floor: start moves to 10:05 at the hop,1,2026-03-02T11:05:00Z
        entity time at the window start of the first row,1,2026-03-02T10:00:00Z
        one ns before that,1,2026-03-02T09:59:59.999999999Z
        empty window: count and sum 0; others null,1,2026-03-02T09:00:00Z
        all-null window: rows counted; values absent,2,2026-03-02T10:45:00Z
        unknown key: like an empty window,99,2026-03-02T10:45:00Z
        null key: every feature null,,2026-03-02T10:45:00Z
        negative instants floor towards the past,3,1969-12-31T23:59:59.999999999Z
        ties: first in order first; last in order last,4,2026-03-02T10:45:00Z
        """);
    try (PointInTimeJoin.Result result =
        join(spendDefinitions(), List.of("spend"), false, unlimited())) {
      assertThat(result.skippedNullKeyRows()).isEqualTo(1);
      assertThat(result.skippedNullTimestampRows()).isEqualTo(1);
      assertGolden("window_aggregation_edges.csv", result);
    }
  }

  @Test
  void aTinyMemoryBudgetSpillsAndGivesTheSameRows() throws IOException {
    writeEvents();
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        case,card_id,event_timestamp
        a,1,2026-03-02T11:02:00Z
        b,4,2026-03-02T10:45:00Z
        c,,2026-03-02T10:45:00Z
        d,3,1969-12-31T23:59:59.999999999Z
        e,2,2026-03-02T10:45:00Z
        """);
    Path blocked = Files.writeString(dir.resolve("not-a-folder"), "");
    // A spill folder that cannot be made shows the tiny budget takes the spilling path.
    assertThatThrownBy(
            () ->
                join(
                    spendDefinitions(),
                    List.of("spend"),
                    false,
                    new JoinOptions(2, 1, blocked.resolve("spill"))))
        .isInstanceOf(OutputException.class)
        .hasMessageStartingWith("Cannot create a spill folder in " + blocked.resolve("spill"));
    String inMemory;
    try (PointInTimeJoin.Result result =
        join(spendDefinitions(), List.of("spend"), false, unlimited())) {
      inMemory = written("in-memory.csv", result);
    }
    for (int threads = 1; threads <= 2; threads++) {
      try (PointInTimeJoin.Result result =
          join(
              spendDefinitions(),
              List.of("spend"),
              false,
              new JoinOptions(threads, 1, dir.resolve("spill")))) {
        assertThat(written("spilled-" + threads + ".csv", result)).isEqualTo(inMemory);
      }
    }
  }

  @Test
  void plainAndAggregationFeaturesOfTwoViewsInOneRequest() throws IOException {
    writeEvents();
    ParquetFixtures.write(
        dir.resolve("profiles.parquet"),
        "message profiles { optional int64 card_id; optional int64 ts (TIMESTAMP(MICROS,true));"
            + " optional binary tier (STRING); }",
        List.of(
            Map.of("card_id", 1L, "ts", at("2026-03-01T00:00:00Z"), "tier", "gold"),
            Map.of("card_id", 4L, "ts", at("2026-03-02T10:44:00Z"), "tier", "silver")),
        0);
    Definitions spend = spendDefinitions();
    FeatureView profile =
        FeatureView.builder("profile")
            .entities("card")
            .source("profiles")
            .features(Feature.of("tier", ValueType.scalar(ScalarType.STRING)))
            .build();
    Definitions definitions =
        new Definitions(
            spend.entities(),
            List.of(
                spend.sources().get(0),
                new ParquetSource(
                    "profiles", "profiles.parquet", "ts", null, Map.of(), null, null)),
            List.of(spend.featureViews().get(0), profile),
            List.of());
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        case,card_id,event_timestamp
        both views have rows,1,2026-03-02T11:02:00Z
        the plain view's row is newer than the window's events,4,2026-03-02T10:45:00Z
        neither view has the key,99,2026-03-02T10:45:00Z
        """);
    try (PointInTimeJoin.Result result =
        join(
            definitions,
            List.of(
                "spend:amount_sum_1h", "profile:tier", "spend:count_1h", "spend:merchant_last_1h"),
            true,
            unlimited())) {
      assertThat(result.table().getSchema().getFields().stream().map(f -> f.getName()).toList())
          .containsExactly(
              "case",
              "card_id",
              "event_timestamp",
              "spend__amount_sum_1h",
              "profile__tier",
              "spend__count_1h",
              "spend__merchant_last_1h");
      assertGolden("window_aggregation_mixed.csv", result);
    }
  }

  /**
   * A row's float sum depends on the events in its window alone: asked alone, beside later rows of
   * its key (which load more events) or spilled, the same row gets the same bits.
   */
  @Test
  void aFloatSumIsTheSameBitsWhateverElseTheRequestHolds() throws IOException {
    List<Map<String, Object>> events = new java.util.ArrayList<>();
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 400; i++) {
      String ts = Instant.parse("2026-03-02T08:00:00Z").plusSeconds(27L * i).toString();
      events.add(event(1, ts, random.nextDouble() * Math.pow(10, random.nextInt(12)), "m"));
    }
    ParquetFixtures.write(dir.resolve("events/part-0.parquet"), EVENTS, events, 0);
    String row = "a,1,2026-03-02T10:00:00Z\n";
    java.util.Set<Long> bits = new java.util.HashSet<>();
    for (String others :
        List.of(
            "",
            "b,1,2026-03-02T10:59:00Z\n",
            "b,1,2026-03-02T10:59:00Z\nc,1,2026-03-02T08:01:00Z\n")) {
      Files.writeString(
          dir.resolve("entities.csv"), "case,card_id,event_timestamp\n" + row + others);
      for (JoinOptions options :
          List.of(unlimited(), new JoinOptions(2, 1, dir.resolve("spill")))) {
        try (PointInTimeJoin.Result result =
            join(spendDefinitions(), List.of("spend:amount_sum_1h"), false, options)) {
          double sum =
              ((org.apache.arrow.vector.Float8Vector) result.table().getVector("amount_sum_1h"))
                  .get(0);
          bits.add(Double.doubleToRawLongBits(sum));
        }
      }
    }
    assertThat(bits).as("one sum, whatever else was asked").hasSize(1);
  }

  private JoinOptions unlimited() {
    return new JoinOptions(2, Long.MAX_VALUE, dir.resolve("spill"));
  }

  private PointInTimeJoin.Result join(
      Definitions definitions, List<String> features, boolean fullNames, JoinOptions options) {
    EntityFiles.Loaded loaded =
        EntityFiles.read(
            dir.resolve("entities.csv"), Map.of("card_id", ScalarType.INT64), allocator);
    try (EntityTable table = EntityTable.of(loaded.root())) {
      return PointInTimeJoin.run(
          table,
          FeatureSelection.of(definitions, features),
          definitions,
          dir,
          fullNames,
          options,
          memory,
          JoinProgress.NONE);
    }
  }

  private String written(String name, PointInTimeJoin.Result result) throws IOException {
    return GoldenFiles.written(result.table(), dir.resolve(name), allocator);
  }

  private void assertGolden(String name, PointInTimeJoin.Result result) throws IOException {
    GoldenFiles.assertGolden(name, result.table(), dir, allocator);
  }
}
