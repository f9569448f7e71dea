package dev.quiver.offline.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.aggregate.AggregationReference.Event;
import dev.quiver.offline.join.EntityTable;
import dev.quiver.offline.join.JoinOptions;
import dev.quiver.offline.join.JoinProgress;
import dev.quiver.offline.join.PointInTimeJoin;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.offline.testing.TestMemory;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.model.WindowText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares windowed aggregations in {@code historical} with a brute-force reference on random data:
 * events with tied timestamps spread over several files, nulls in every column and in keys, every
 * function over every type it takes, several windows with default hops and a view with a {@code
 * hop:} override, a composite key, entity rows at window starts, one nanosecond before them and at
 * event instants, unknown and null keys, instants before and after the epoch; in memory, spilled,
 * on one thread and two, whole and in chunks. Prints its seed; rerun with {@code -Dseed=SEED}.
 */
class WindowAggregationRandomizedTest {

  private static final long BASE_SEED =
      Long.getLong("seed", Long.getLong("quiver.seed", System.nanoTime()));
  private static final int ROUNDS = Integer.getInteger("quiver.rounds", 30);
  private static final Duration[] WINDOWS = {
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10),
    Duration.ofMinutes(90),
    Duration.ofHours(1),
    Duration.ofHours(13),
    Duration.ofDays(1)
  };
  private static final Duration[] HOPS = {
    Duration.ofSeconds(1), Duration.ofSeconds(13), Duration.ofMinutes(7), Duration.ofHours(1)
  };

  @TempDir Path dir;
  private final Reservation memory = TestMemory.reserve("randomized aggregation");
  private final BufferAllocator allocator = memory.allocator();

  @AfterEach
  void close() {
    memory.close();
  }

  @Test
  void matchesTheBruteForceReference() {
    System.out.println("seed=" + BASE_SEED);
    for (int round = 0; round < ROUNDS; round++) {
      long seed = BASE_SEED + round;
      try {
        runRound(new Random(seed), dir.resolve("round" + round));
      } catch (Throwable t) {
        throw new AssertionError(
            "Randomized aggregation failed with seed " + seed + " (rerun: -Dseed=" + seed + ")", t);
      }
    }
  }

  /** An entity row: card, merchant (either may be null), time, and a label to find it by. */
  private record EntityRow(Long card, String merchant, long t, int label) {}

  private void runRound(Random random, Path root) {
    long t0 = random.nextBoolean() ? 1_772_000_000_000_000_000L : -86_400_000_000_000_017L;
    long tick = 1_000_000_000L * (1 + random.nextInt(1200)) + random.nextInt(1000);
    List<Duration> cardWindows = pick(random, WINDOWS, 1 + random.nextInt(3));
    List<Duration> pairWindows = pick(random, WINDOWS, 1 + random.nextInt(2));
    Duration pairHop = HOPS[random.nextInt(HOPS.length)];

    FeatureView byCard =
        FeatureView.builder("by_card")
            .entities("card")
            .source("events")
            .aggregations(
                concat(
                    agg("amount", ScalarType.FLOAT64, cardWindows, all()),
                    agg("qty", ScalarType.INT32, cardWindows, numeric()),
                    agg("big", ScalarType.INT64, cardWindows, numeric()),
                    agg("score", ScalarType.FLOAT32, cardWindows, numeric()),
                    agg("label", ScalarType.STRING, cardWindows, ordered()),
                    agg("at", ScalarType.TIMESTAMP, cardWindows, ordered()),
                    agg("flag", ScalarType.BOOL, cardWindows, unordered()),
                    List.of(new Aggregation(null, null, AggregationFunction.COUNT, cardWindows))))
            .build();
    FeatureView byPair =
        FeatureView.builder("by_pair")
            .entities("card", "merchant")
            .source("events")
            .hop(pairHop)
            .aggregations(
                concat(
                    agg("amount", ScalarType.FLOAT64, pairWindows, List.of("sum", "last", "mean")),
                    agg("label", ScalarType.STRING, pairWindows, List.of("first", "count")),
                    List.of(new Aggregation(null, null, AggregationFunction.COUNT, pairWindows))))
            .build();

    // Entity rows first: their window starts are where boundary events go.
    List<EntityRow> entityRows = new ArrayList<>();
    List<Map<String, Object>> boundaryEvents = new ArrayList<>();
    List<AggregateFeature> all = new ArrayList<>(byCard.aggregateFeatures());
    all.addAll(byPair.aggregateFeatures());
    int entityCount = random.nextInt(120);
    for (int i = 0; i < entityCount; i++) {
      Long card = random.nextInt(25) == 0 ? null : (long) random.nextInt(12);
      String merchant = random.nextInt(25) == 0 ? null : "m" + random.nextInt(4);
      long t = t0 + random.nextInt(120) * tick + (random.nextInt(3) - 1);
      entityRows.add(new EntityRow(card, merchant, t, entityRows.size()));
      if (random.nextInt(3) == 0 && card != null && merchant != null) {
        AggregateFeature feature = all.get(random.nextInt(all.size()));
        long start = WindowText.windowStart(t, feature.windowNanos(), feature.hopNanos());
        for (long at : new long[] {start, start - 1, start + 1, t, t + 1}) {
          Map<String, Object> event = randomEvent(random, at);
          event.put("card_id", card);
          event.put("merchant_id", merchant);
          boundaryEvents.add(event);
        }
        // Entity rows at the window start and one nanosecond before it.
        entityRows.add(new EntityRow(card, merchant, start, entityRows.size()));
        entityRows.add(new EntityRow(card, merchant, start - 1, entityRows.size()));
      }
    }

    List<Event> events = new ArrayList<>();
    int fileCount = 1 + random.nextInt(4);
    List<List<Map<String, Object>>> files = new ArrayList<>();
    for (int f = 0; f < fileCount; f++) {
      files.add(new ArrayList<>());
    }
    int count = random.nextInt(400);
    for (int i = 0; i < count; i++) {
      Map<String, Object> event =
          randomEvent(
              random,
              random.nextInt(40) == 0 ? null : t0 + random.nextInt(110) * tick + random.nextInt(2));
      event.put("card_id", random.nextInt(30) == 0 ? null : (long) random.nextInt(10));
      event.put("merchant_id", random.nextInt(30) == 0 ? null : "m" + random.nextInt(4));
      files.get(random.nextInt(fileCount)).add(event);
    }
    for (Map<String, Object> event : boundaryEvents) {
      files.get(random.nextInt(fileCount)).add(event);
    }
    // Entity rows at event instants.
    for (int i = 0; i < 10 && count > 0; i++) {
      List<Map<String, Object>> file = files.get(random.nextInt(fileCount));
      if (!file.isEmpty()) {
        Map<String, Object> event = file.get(random.nextInt(file.size()));
        if (event.get("ts") != null) {
          entityRows.add(
              new EntityRow(
                  (Long) event.get("card_id"),
                  (String) event.get("merchant_id"),
                  (Long) event.get("ts"),
                  entityRows.size()));
        }
      }
    }
    Collections.shuffle(entityRows, random);
    long ordinal = 0;
    for (int f = 0; f < fileCount; f++) {
      for (Map<String, Object> event : files.get(f)) {
        events.add(new Event(renamed(event), ordinal++));
      }
      ParquetFixtures.write(
          root.resolve("events/part-" + f + ".parquet"),
          "message events { optional int64 card_id; optional binary merchant_id (STRING);"
              + " optional int64 ts (TIMESTAMP(NANOS,true)); optional double amt;"
              + " optional int32 qty; optional int64 big; optional float score;"
              + " optional binary label (STRING); optional int64 at (TIMESTAMP(MICROS,true));"
              + " optional boolean flag; }",
          files.get(f),
          20 + random.nextInt(200));
    }

    Entity card = new Entity("card", "card_id", ScalarType.INT64, null, null, Map.of(), null);
    Entity merchant =
        new Entity("merchant", "merchant_id", ScalarType.STRING, null, null, Map.of(), null);
    Definitions definitions =
        new Definitions(
            List.of(card, merchant),
            List.of(
                new ParquetSource(
                    "events", "events", "ts", null, Map.of("amt", "amount"), null, null)),
            List.of(byCard, byPair),
            List.<FeatureService>of());
    List<String> references = new ArrayList<>();
    for (FeatureView view : List.of(byCard, byPair)) {
      view.featureNames().forEach(name -> references.add(view.name() + ":" + name));
    }
    Collections.shuffle(references, random);
    if (random.nextInt(3) == 0) {
      // Only counts, sums and means of numbers: the rows' batches are then not kept at all.
      references.removeIf(
          r ->
              r.contains(":label_")
                  || r.contains(":flag_")
                  || !(r.contains("_sum_") || r.contains("_mean_") || r.contains("count_")));
    }
    FeatureSelection selection =
        FeatureSelection.of(
            definitions, references.subList(0, 1 + random.nextInt(references.size())));
    boolean fullNames = true;
    List<String> names = selection.outputNames(fullNames, List.of());

    List<AggregateFeature> requested =
        selection.features().stream().map(s -> aggregateOf(s)).toList();
    // Expected values, computed once per round.
    Object[][] expected = new Object[entityRows.size()][selection.features().size()];
    for (int r = 0; r < entityRows.size(); r++) {
      EntityRow row = entityRows.get(r);
      List<Event> byCardEvents =
          AggregationReference.eventsOf(
              events, List.of("card_id"), Arrays.asList((Object) row.card()), "ts");
      List<Event> byPairEvents =
          AggregationReference.eventsOf(
              events,
              List.of("card_id", "merchant_id"),
              Arrays.asList(row.card(), row.merchant()),
              "ts");
      for (int f = 0; f < selection.features().size(); f++) {
        FeatureSelection.Selected s = selection.features().get(f);
        expected[r][f] =
            AggregationReference.aggregate(
                s.view().name().equals("by_pair") ? byPairEvents : byCardEvents,
                "ts",
                row.t(),
                requested.get(f));
      }
    }

    for (JoinOptions options :
        List.of(
            new JoinOptions(1, Long.MAX_VALUE, root.resolve("spill")),
            new JoinOptions(2, Long.MAX_VALUE, root.resolve("spill")),
            new JoinOptions(2, 8_192, root.resolve("spill")))) {
      List<List<Object>> whole;
      try (EntityTable table = EntityTable.of(entityRoot(entityRows));
          PointInTimeJoin.Result result =
              PointInTimeJoin.run(
                  table,
                  selection,
                  definitions,
                  root,
                  fullNames,
                  options,
                  memory,
                  JoinProgress.NONE)) {
        VectorSchemaRoot out = result.table();
        assertThat(out.getRowCount()).isEqualTo(entityRows.size());
        for (int r = 0; r < entityRows.size(); r++) {
          EntityRow row = entityRows.get(r);
          assertThat(out.getVector("label_column").getObject(r)).isEqualTo(row.label());
          for (int f = 0; f < selection.features().size(); f++) {
            FeatureSelection.Selected s = selection.features().get(f);
            AggregateFeature feature = requested.get(f);
            Object actual = value(out.getVector(names.get(f)), r);
            String what =
                "row %d (%s) feature %s (hop %s) with %s"
                    .formatted(r, row, s.reference(), feature.hop(), options);
            assertMatches(actual, expected[r][f], what);
          }
        }
        whole = rowsOf(out);
      }
      // In chunks: the same rows, in the same order (read once, or read again per chunk).
      int chunkRows = Math.max(1, -Math.floorDiv(-entityRows.size(), 1 + random.nextInt(5)));
      List<List<Object>> chunked = new ArrayList<>();
      try (EntityTable again = EntityTable.of(entityRoot(entityRows))) {
        PointInTimeJoin.runInChunks(
            again,
            selection,
            definitions,
            root,
            fullNames,
            options.withChunkRows(chunkRows),
            memory,
            JoinProgress.NONE,
            chunk -> chunked.addAll(rowsOf(chunk)));
      }
      // Float sums may differ in the last bits: a chunk that reads the sources again holds only
      // the events its own rows need, and so adds them up in another grouping.
      assertThat(chunked).as("rows in chunks of %d", chunkRows).hasSameSizeAs(whole);
      for (int r = 0; r < whole.size(); r++) {
        for (int c = 0; c < whole.get(r).size(); c++) {
          assertMatches(
              chunked.get(r).get(c),
              whole.get(r).get(c),
              "row %d column %d in chunks of %d with %s".formatted(r, c, chunkRows, options));
        }
      }
    }
  }

  private static AggregateFeature aggregateOf(FeatureSelection.Selected selected) {
    return selected.view().aggregateFeatures().stream()
        .filter(a -> a.name().equals(selected.feature().name()))
        .findFirst()
        .orElseThrow();
  }

  static void assertMatches(Object actual, Object expected, String what) {
    if (expected instanceof Double e && actual instanceof Double a) {
      assertThat(Math.abs(a - e))
          .as("%s: %s vs expected %s", what, a, e)
          .isLessThanOrEqualTo(1e-9 * Math.max(Math.abs(a), Math.abs(e)));
    } else {
      assertThat(actual).as(what).isEqualTo(expected);
    }
  }

  /** A cell as the reference writes it: timestamps as nanoseconds, text as String. */
  static Object value(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return null;
    }
    if (vector instanceof TimeStampVector timestamps) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
      return timestamps.get(row) * dev.quiver.offline.ArrowTypes.nanosPerUnit(type.getUnit());
    }
    Object value = vector.getObject(row);
    return value instanceof Text text ? text.toString() : value;
  }

  private static List<List<Object>> rowsOf(VectorSchemaRoot table) {
    List<List<Object>> rows = new ArrayList<>();
    for (int r = 0; r < table.getRowCount(); r++) {
      List<Object> row = new ArrayList<>();
      for (FieldVector vector : table.getFieldVectors()) {
        row.add(value(vector, r));
      }
      rows.add(row);
    }
    return rows;
  }

  private static Map<String, Object> randomEvent(Random random, Long ts) {
    Map<String, Object> v = new HashMap<>();
    v.put("ts", ts);
    v.put("amt", random.nextInt(6) == 0 ? null : random.nextDouble() * 1000);
    v.put("qty", random.nextInt(6) == 0 ? null : random.nextInt(2000) - 1000);
    // Large enough that sums wrap around, as Java's long addition does.
    v.put("big", random.nextInt(6) == 0 ? null : random.nextLong());
    v.put("score", random.nextInt(6) == 0 ? null : random.nextFloat() * 100);
    v.put(
        "label",
        random.nextInt(6) == 0
            ? null
            : new String[] {"a", "b", "ab", "é", "z", "", "Ω"}[random.nextInt(7)]);
    v.put("at", random.nextInt(6) == 0 ? null : 1_000L * (random.nextLong() >> 20));
    v.put("flag", random.nextInt(6) == 0 ? null : random.nextBoolean());
    return v;
  }

  /** The event as the view sees it: {@code amt} mapped to {@code amount}. */
  private static Map<String, Object> renamed(Map<String, Object> event) {
    Map<String, Object> values = new HashMap<>(event);
    values.put("amount", values.remove("amt"));
    return values;
  }

  private static List<Duration> pick(Random random, Duration[] from, int count) {
    List<Duration> all = new ArrayList<>(List.of(from));
    Collections.shuffle(all, random);
    return all.subList(0, count);
  }

  private static List<Aggregation> agg(
      String column, ScalarType type, List<Duration> windows, List<String> functions) {
    return functions.stream()
        .map(
            f ->
                new Aggregation(
                    column,
                    ValueType.scalar(type),
                    AggregationFunction.fromYamlName(f).orElseThrow(),
                    windows))
        .toList();
  }

  @SafeVarargs
  private static List<Aggregation> concat(List<Aggregation>... parts) {
    List<Aggregation> all = new ArrayList<>();
    for (List<Aggregation> part : parts) {
      all.addAll(part);
    }
    return all;
  }

  private static List<String> all() {
    return List.of("count", "sum", "mean", "min", "max", "first", "last");
  }

  private static List<String> numeric() {
    return List.of("sum", "mean", "min", "max", "count");
  }

  private static List<String> ordered() {
    return List.of("min", "max", "first", "last", "count");
  }

  private static List<String> unordered() {
    return List.of("first", "last", "count");
  }

  private VectorSchemaRoot entityRoot(List<EntityRow> rows) {
    BigIntVector cards = new BigIntVector("card_id", allocator);
    VarCharVector merchants = new VarCharVector("merchant_id", allocator);
    TimeStampNanoTZVector times = new TimeStampNanoTZVector("event_timestamp", allocator, "UTC");
    org.apache.arrow.vector.IntVector labels =
        new org.apache.arrow.vector.IntVector("label_column", allocator);
    cards.allocateNew(rows.size());
    merchants.allocateNew(rows.size());
    times.allocateNew(rows.size());
    labels.allocateNew(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      EntityRow row = rows.get(i);
      if (row.card() != null) {
        cards.set(i, row.card());
      }
      if (row.merchant() != null) {
        merchants.setSafe(i, row.merchant().getBytes(StandardCharsets.UTF_8));
      }
      times.set(i, row.t());
      labels.set(i, row.label());
    }
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(cards, merchants, times, labels));
    root.setRowCount(rows.size());
    return root;
  }
}
