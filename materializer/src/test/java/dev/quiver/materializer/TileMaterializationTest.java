package dev.quiver.materializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quiver.EpochNanos;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileSet;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.model.WindowText;
import dev.quiver.registry.store.ProcessMaterializationLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tiles materialized into a real RocksDB store from real Parquet files: runs that repeat or overlap
 * write the bytes one run writes, and a lookup after materialization equals a brute-force
 * computation of the windows over the source rows.
 */
class TileMaterializationTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long HOUR = 3_600 * SECOND;
  private static final long DAY = 24 * HOUR;
  private static final long T0 = EpochNanos.of(Instant.parse("2026-05-10T00:00:00Z"));
  private static final int KEYS = 12;

  @TempDir Path repo;

  /** One source row; null fields are null in the file. */
  record Event(long key, long ts, Double amount, Integer items, String merchant, long ordinal) {}

  private static Aggregation agg(
      String column, ScalarType type, AggregationFunction function, Duration... windows) {
    return new Aggregation(
        column, type == null ? null : ValueType.scalar(type), function, List.of(windows));
  }

  private static final Duration H1 = Duration.ofHours(1);
  private static final Duration D1 = Duration.ofDays(1);

  private static FeatureView view() {
    return view(false);
  }

  /**
   * @param composite keyed by card and region (a string derived from the card, so the brute force
   *     still groups by card) instead of card alone
   */
  private static FeatureView view(boolean composite) {
    return FeatureView.builder("spend")
        .entities(composite ? List.of("card", "region") : List.of("card"))
        .source("events")
        .aggregations(
            agg(null, null, AggregationFunction.COUNT, H1, D1),
            agg("amount", ScalarType.FLOAT64, AggregationFunction.SUM, H1, D1),
            agg("amount", ScalarType.FLOAT64, AggregationFunction.MAX, H1),
            agg("amount", ScalarType.FLOAT64, AggregationFunction.COUNT, D1),
            agg("items", ScalarType.INT32, AggregationFunction.MEAN, D1),
            agg("items", ScalarType.INT32, AggregationFunction.SUM, H1),
            agg("items", ScalarType.INT32, AggregationFunction.LAST, H1),
            agg("merchant", ScalarType.STRING, AggregationFunction.MIN, D1),
            agg("merchant", ScalarType.STRING, AggregationFunction.FIRST, D1))
        .build();
  }

  /**
   * Random events over three days in two files (the second file's rows come later in the tie
   * order), with nulls, events on hop boundaries and the same instant in both files.
   */
  private List<Event> writeEvents(long seed) {
    Random random = new Random(seed);
    List<Event> events = new ArrayList<>();
    for (int file = 0; file < 2; file++) {
      List<Map<String, Object>> rows = new ArrayList<>();
      int count = 400 + random.nextInt(200);
      for (int r = 0; r < count; r++) {
        long key = 1 + random.nextInt(KEYS);
        long ts =
            switch (random.nextInt(4)) {
              case 0 -> T0 + random.nextInt(72) * HOUR / 12; // on a 5-minute boundary
              case 1 -> T0 + 2 * DAY + random.nextInt(3_600) * SECOND; // a busy last hours
              default -> T0 + (long) (random.nextDouble() * 3 * DAY);
            };
        if (file == 1 && r % 10 == 0 && !events.isEmpty()) {
          ts = events.get(random.nextInt(events.size())).ts(); // the same instant in both files
        }
        Double amount = random.nextInt(6) == 0 ? null : Math.round(random.nextDouble() * 1e4) / 1e2;
        Integer items = random.nextInt(6) == 0 ? null : random.nextInt(20) - 5;
        String merchant = random.nextInt(5) == 0 ? null : "m" + random.nextInt(30);
        Map<String, Object> row = new HashMap<>();
        row.put("card_id", key);
        row.put("region", region(key));
        row.put("ts", ts / 1_000 * 1_000);
        row.put("amount", amount);
        row.put("items", items);
        row.put("merchant", merchant);
        rows.add(row);
        events.add(
            new Event(key, ts / 1_000 * 1_000, amount, items, merchant, file * 1_000_000L + r));
      }
      ParquetFixtures.write(
          repo.resolve("data/events/part-" + file + ".parquet"),
          "message events { required int64 card_id; required binary region (UTF8);"
              + " required int64 ts (TIMESTAMP(MICROS,true));"
              + " optional double amount; optional int32 items; optional binary merchant (UTF8); }",
          rows,
          97);
    }
    return events;
  }

  private static String region(long card) {
    return "r" + card % 3;
  }

  private boolean composite;

  private Definitions definitions() {
    return new Definitions(
        List.of(
            new Entity("card", "card_id", ScalarType.INT64, null, null, Map.of(), null),
            new Entity("region", "region", ScalarType.STRING, null, null, Map.of(), null)),
        List.of(new ParquetSource("events", "data/events", "ts", null, Map.of(), null, null)),
        List.of(view(composite)),
        List.of());
  }

  private byte[] key(long card) {
    return composite
        ? EntityKeyCodec.encode(
            Map.of("card_id", card, "region", region(card)),
            Map.of("card_id", ScalarType.INT64, "region", ScalarType.STRING))
        : EntityKeyCodec.encode(Map.of("card_id", card), Map.of("card_id", ScalarType.INT64));
  }

  /** Every key's stored set, in key order (null when none). */
  private List<byte[]> stored(OnlineStore store) {
    List<OnlineStore.Key> keys = new ArrayList<>();
    for (long card = 1; card <= KEYS; card++) {
      keys.add(new OnlineStore.Key("spend", key(card)));
    }
    return store.read(keys);
  }

  private interface Runs {
    void run(Materializer materializer);
  }

  private List<byte[]> materialize(String name, Runs runs) {
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open("shop", repo.resolve(name));
        MemoryBudget memory = new MemoryBudget(1L << 30)) {
      runs.run(materializer(store, memory));
      return stored(store);
    }
  }

  private Materializer materializer(OnlineStore store, MemoryBudget memory) {
    return new Materializer(
        definitions(),
        repo,
        store,
        new ProcessMaterializationLog("rocksdb"),
        MaterializationOptions.defaults(),
        memory);
  }

  /** One run with keys split in passes (a tiny memory budget) and partitions of ~100 events. */
  private List<byte[]> partitionedInPasses(long start, long end) {
    Definitions definitions = definitions();
    FeatureView view = definitions.featureViews().get(0);
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open("shop", repo.resolve("partitioned"));
        MemoryBudget memory = new MemoryBudget(1L << 30)) {
      new TileMaterialization(
              view,
              definitions.sourceOf(view),
              definitions.entitiesOf(view),
              repo,
              store,
              new MaterializationOptions(2, 40_000),
              memory,
              MaterializationProgress.NONE,
              Long.MIN_VALUE,
              100)
          .run(start, end);
      return stored(store);
    }
  }

  private static void range(Materializer materializer, long start, long end) {
    materializer.materialize(
        EpochNanos.toInstant(start),
        EpochNanos.toInstant(end),
        List.of(),
        MaterializationProgress.NONE);
  }

  @ParameterizedTest(name = "composite key: {0}")
  @ValueSource(booleans = {false, true})
  void repeatedAndOverlappingRunsInReverseOrderWriteTheBytesOfOneRun(boolean composite) {
    this.composite = composite;
    writeEvents(7);
    long start = T0 - DAY;
    long end = T0 + 3 * DAY + 17 * SECOND + 713_979_000L;
    long middle = T0 + DAY + 7 * HOUR + 123_456_789L;

    List<byte[]> once = materialize("once", m -> range(m, start, end));
    List<byte[]> twice =
        materialize(
            "twice",
            m -> {
              range(m, start, end);
              range(m, start, end);
            });
    List<byte[]> reversed =
        materialize(
            "reversed",
            m -> {
              range(m, middle - 5 * HOUR, end);
              range(m, start, middle);
            });

    List<byte[]> partitioned = partitionedInPasses(start, end);

    assertThat(once).allMatch(set -> set != null);
    for (int k = 0; k < KEYS; k++) {
      assertThat(partitioned.get(k))
          .as("key %d, in 8 key partitions and several passes", k + 1)
          .isEqualTo(once.get(k));
      assertThat(twice.get(k)).as("key %d run twice", k + 1).isEqualTo(once.get(k));
      assertThat(reversed.get(k))
          .as("key %d, overlapping runs reversed", k + 1)
          .isEqualTo(once.get(k));
    }
  }

  @ParameterizedTest(name = "composite key: {0}")
  @ValueSource(booleans = {false, true})
  void lookupsAtOrAfterTheNewestEventEqualABruteForceComputation(boolean composite) {
    this.composite = composite;
    for (long seed = 1; seed <= 3; seed++) {
      checkAgainstBruteForce(seed, false);
    }
  }

  /**
   * A run whose END falls in the busy last hour: the last 1h tile holds events after END, which
   * become the view's newest event, so the 5-minute tiles must reach them too.
   */
  @Test
  void aRunEndingBeforeTheDataEndsIsExactAtTheNewestEventItRecords() {
    for (long seed = 4; seed <= 5; seed++) {
      checkAgainstBruteForce(seed, true);
    }
  }

  private void checkAgainstBruteForce(long seed, boolean endBeforeData) {
    List<Event> all = writeEvents(seed);
    long end =
        endBeforeData
            ? T0 + 2 * DAY + 30 * 60 * SECOND + 123
            : all.stream().mapToLong(Event::ts).max().orElseThrow() + 1;
    // Materialized in two incremental runs, the first ending mid-way.
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open("shop", repo.resolve("brute-" + seed));
        MemoryBudget memory = new MemoryBudget(1L << 30)) {
      Materializer materializer = materializer(store, memory);
      range(materializer, T0 - DAY, T0 + DAY);
      Instant recorded =
          materializer
              .materializeIncremental(
                  EpochNanos.toInstant(end), List.of(), MaterializationProgress.NONE)
              .get(0)
              .newestEvent();
      long newest = EpochNanos.of(recorded);
      if (endBeforeData) {
        assertThat(newest).as("an event after END in END's hour").isGreaterThan(end);
      }
      // What the store holds: every event up to the newest one it records, none after.
      List<Event> events = all.stream().filter(e -> e.ts() <= newest).toList();
      List<byte[]> sets = stored(store);
      TileLayout layout = TileLayout.of(view().aggregateFeatures());
      Random random = new Random(seed * 31);
      for (int probe = 0; probe < 200; probe++) {
        long t =
            switch (probe % 4) {
              case 0 -> newest;
              case 1 -> newest + random.nextInt(3_600) * SECOND; // on and off hop boundaries
              // Window starts and ends on hop boundaries, and one nanosecond before them.
              case 2 ->
                  WindowText.floor(newest, HOUR)
                      + HOUR * (1 + random.nextInt(30))
                      - random.nextInt(2);
              default -> newest + (long) (random.nextDouble() * 2 * DAY);
            };
        for (long card = 1; card <= KEYS; card++) {
          byte[] set = sets.get((int) card - 1);
          TileSet tiles = set == null ? null : TileSet.decode(set, layout);
          for (AggregateFeature feature : view().aggregateFeatures()) {
            Expected expected = bruteForce(events, card, feature, t);
            TileSet.Window window = tiles == null ? null : tiles.window(feature, t);
            String what = "seed " + seed + ", card " + card + ", " + feature.name() + " at " + t;
            long rows = window == null ? 0 : window.rows();
            assertThat(rows).as(what + ": rows").isEqualTo(expected.rows);
            if (expected.rows == 0) {
              continue;
            }
            assertThat(window.newestEvent()).as(what + ": newest event").isEqualTo(expected.newest);
            if (expected.value instanceof Double d && window.value() instanceof Double actual) {
              assertThat(actual).as(what).isCloseTo(d, within(Math.abs(d) * 1e-9 + 1e-12));
            } else {
              assertThat(window.value()).as(what).isEqualTo(expected.value);
            }
          }
        }
      }
    }
  }

  /**
   * A run sweeps only when the view's newest event passes an instant at which some tile goes out of
   * reach ({@code bucket + hop + reach}); checked against the first such instant after the newest
   * event before, for random moves of a few minutes to a day.
   */
  @Test
  void aSweepIsNeededOnlyWhenTheNewestEventPassesAnExpiryInstant() {
    Definitions definitions = definitions();
    FeatureView view = definitions.featureViews().get(0);
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open("shop", repo.resolve("sweeps"));
        MemoryBudget memory = new MemoryBudget(1L << 30)) {
      TileMaterialization run =
          new TileMaterialization(
              view,
              definitions.sourceOf(view),
              definitions.entitiesOf(view),
              repo,
              store,
              MaterializationOptions.defaults(),
              memory,
              MaterializationProgress.NONE,
              Long.MIN_VALUE,
              100);
      List<TileLayout.Series> series = TileLayout.of(view.aggregateFeatures()).series();
      Random random = new Random(3);
      int sweeps = 0;
      for (int i = 0; i < 20_000; i++) {
        long before = T0 + random.nextInt(3 * 86_400) * SECOND + random.nextInt(1_000);
        long after =
            before
                + (random.nextBoolean() ? random.nextInt(600) : random.nextInt(86_400)) * SECOND
                + random.nextInt(2);
        boolean expected = false;
        for (TileLayout.Series s : series) {
          long offset = s.hop() + s.reach();
          long firstAfter = (Math.floorDiv(before - offset, s.hop()) + 1) * s.hop() + offset;
          expected |= firstAfter <= after;
        }
        assertThat(run.anyTileExpiresBetween(before, after))
            .as(before + " -> " + after)
            .isEqualTo(expected);
        sweeps += expected ? 1 : 0;
      }
      assertThat(sweeps).as("some moves sweep, some do not").isBetween(1, 19_999);
      assertThat(run.anyTileExpiresBetween(Long.MIN_VALUE, T0)).isTrue();
    }
  }

  record Expected(long rows, long newest, Object value) {}

  /** The window's value straight from the rows, as DESIGN.md states it. */
  private static Expected bruteForce(List<Event> events, long card, AggregateFeature f, long t) {
    long from = WindowText.windowStart(t, f.windowNanos(), f.hopNanos());
    List<Event> in = new ArrayList<>();
    for (Event e : events) {
      if (e.key() == card && e.ts() >= from && e.ts() <= t) {
        in.add(e);
      }
    }
    long newest = in.stream().mapToLong(Event::ts).max().orElse(Long.MIN_VALUE);
    List<Event> withValue = new ArrayList<>();
    for (Event e : in) {
      if (f.column() == null || valueOf(e, f.column()) != null) {
        withValue.add(e);
      }
    }
    Object value =
        switch (f.function()) {
          case COUNT -> (long) withValue.size();
          case SUM ->
              f.inputType() == ScalarType.FLOAT64
                  ? (Object) withValue.stream().mapToDouble(e -> e.amount()).sum()
                  : (Object) withValue.stream().mapToLong(e -> e.items()).sum();
          case MEAN ->
              withValue.isEmpty()
                  ? null
                  : withValue.stream()
                          .mapToDouble(e -> ((Number) valueOf(e, f.column())).doubleValue())
                          .sum()
                      / withValue.size();
          case MIN, MAX -> {
            Object best = null;
            for (Event e : withValue) {
              Object v = valueOf(e, f.column());
              int order = best == null ? 0 : compare(v, best);
              if (best == null
                  || (f.function() == AggregationFunction.MIN ? order < 0 : order > 0)) {
                best = v;
              }
            }
            yield best;
          }
          case FIRST, LAST -> {
            Event chosen = null;
            for (Event e : withValue) {
              boolean wins =
                  chosen == null
                      || (f.function() == AggregationFunction.FIRST
                          ? e.ts() < chosen.ts()
                              || e.ts() == chosen.ts() && e.ordinal() < chosen.ordinal()
                          : e.ts() > chosen.ts()
                              || e.ts() == chosen.ts() && e.ordinal() > chosen.ordinal());
              if (wins) {
                chosen = e;
              }
            }
            yield chosen == null ? null : valueOf(chosen, f.column());
          }
        };
    return new Expected(in.size(), newest, value);
  }

  private static Object valueOf(Event e, String column) {
    return switch (column) {
      case "amount" -> e.amount();
      case "items" -> e.items();
      case "merchant" -> e.merchant();
      default -> throw new IllegalArgumentException(column);
    };
  }

  private static int compare(Object a, Object b) {
    if (a instanceof String x) {
      return Arrays.compareUnsigned(
          x.getBytes(StandardCharsets.UTF_8), ((String) b).getBytes(StandardCharsets.UTF_8));
    }
    if (a instanceof Double x) {
      return Double.compare(x, (Double) b);
    }
    return Long.compare(((Number) a).longValue(), ((Number) b).longValue());
  }
}
