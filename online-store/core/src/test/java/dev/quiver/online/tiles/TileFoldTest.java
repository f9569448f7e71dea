package dev.quiver.online.tiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.model.WindowText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Folding streamed events into a tile set, checked against a brute-force window over the same
 * events: in batches of any size, with replays of events already folded (a restart from an older
 * committed offset), every window at and after the newest event has the exact value.
 */
class TileFoldTest {

  private static final long MINUTE = 60_000_000_000L;

  private static AggregateFeature feature(
      String column, ScalarType type, AggregationFunction function, Duration window) {
    return new Aggregation(
            column, type == null ? null : ValueType.scalar(type), function, List.of(window))
        .feature(
            window,
            window.compareTo(Duration.ofHours(12)) < 0
                ? Duration.ofMinutes(5)
                : Duration.ofHours(1));
  }

  private static final List<AggregateFeature> FEATURES = new ArrayList<>();

  static {
    for (Duration window :
        List.of(Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofDays(2))) {
      FEATURES.add(feature(null, null, AggregationFunction.COUNT, window));
      FEATURES.add(feature("amount", ScalarType.FLOAT64, AggregationFunction.SUM, window));
      FEATURES.add(feature("amount", ScalarType.FLOAT64, AggregationFunction.MEAN, window));
      FEATURES.add(feature("items", ScalarType.INT64, AggregationFunction.SUM, window));
      FEATURES.add(feature("items", ScalarType.INT64, AggregationFunction.MIN, window));
      FEATURES.add(feature("items", ScalarType.INT64, AggregationFunction.MAX, window));
      FEATURES.add(feature("items", ScalarType.INT64, AggregationFunction.COUNT, window));
      FEATURES.add(feature("merchant", ScalarType.STRING, AggregationFunction.FIRST, window));
      FEATURES.add(feature("merchant", ScalarType.STRING, AggregationFunction.LAST, window));
    }
  }

  private static final TileLayout LAYOUT = TileLayout.of(FEATURES);

  /** An event with its column values by name. */
  private record Raw(
      int partition, long offset, long ts, Double amount, Long items, String merchant) {}

  private static TileFold.Event event(Raw raw) {
    Object[] values = new Object[LAYOUT.slots().size()];
    for (int x = 0; x < values.length; x++) {
      values[x] =
          switch (LAYOUT.slots().get(x).column()) {
            case "amount" -> raw.amount;
            case "items" -> raw.items;
            case "merchant" ->
                raw.merchant == null ? null : raw.merchant.getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalStateException();
          };
    }
    return new TileFold.Event(raw.partition, raw.offset, raw.ts, values);
  }

  @Test
  void foldedTilesAnswerEveryWindowAsTheEventsThemselvesDoWhateverTheBatchesAndReplays() {
    long seed = System.nanoTime();
    System.out.println("TileFoldTest seed: " + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 60; round++) {
      List<Raw> events = randomEvents(random);
      TileFold fold = new TileFold(LAYOUT);
      byte[] stored = null;
      int done = 0;
      while (done < events.size()) {
        // A crash sends processing back to an earlier committed event now and then.
        int from = random.nextInt(5) == 0 ? random.nextInt(done + 1) : done;
        int to = Math.min(events.size(), from + 1 + random.nextInt(12));
        List<TileFold.Event> batch = new ArrayList<>();
        for (Raw raw : events.subList(from, to)) {
          batch.add(event(raw));
        }
        long newest = events.subList(0, to).stream().mapToLong(Raw::ts).max().orElseThrow();
        stored = fold.fold(stored, batch, newest);
        done = Math.max(done, to);
      }
      long newest = events.stream().mapToLong(Raw::ts).max().orElseThrow();
      TileSet set = TileSet.decode(stored, LAYOUT);
      assertThat(set).as("seed %d round %d", seed, round).isNotNull();
      for (long t : List.of(newest, newest + 1, newest + 3 * MINUTE, newest + 61 * MINUTE)) {
        for (AggregateFeature feature : FEATURES) {
          Object expected = bruteForce(events, feature, t);
          Object actual = set.window(feature, t).value();
          String what = "seed " + seed + " round " + round + " " + feature.name() + " at " + t;
          if (expected instanceof Double d && actual instanceof Double a) {
            assertThat(a).as(what).isCloseTo(d, within(Math.abs(d) * 1e-9 + 1e-12));
          } else if (expected instanceof byte[] b) {
            assertThat(actual).as(what).isEqualTo(new String(b, StandardCharsets.UTF_8));
          } else {
            assertThat(actual).as(what).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void aBatchFoldedBeforeLeavesTheSetAsItIs() {
    List<Raw> events = randomEvents(new Random(7));
    List<TileFold.Event> all = events.stream().map(TileFoldTest::event).toList();
    TileFold fold = new TileFold(LAYOUT);
    long newest = events.stream().mapToLong(Raw::ts).max().orElseThrow();
    byte[] once = fold.fold(null, all, newest);

    assertThat(fold.fold(once, all, newest)).isSameAs(once);
    assertThat(fold.fold(once, all.subList(0, all.size() / 2), newest)).isSameAs(once);
  }

  @Test
  void aMaterializedSetKeepsItsStreamPositionsWhenTilesAreMergedIntoIt() {
    List<Raw> events = randomEvents(new Random(11));
    List<TileFold.Event> all = events.stream().map(TileFoldTest::event).toList();
    TileFold fold = new TileFold(LAYOUT);
    long newest = events.stream().mapToLong(Raw::ts).max().orElseThrow();
    byte[] folded = fold.fold(null, all, newest);
    byte[] other = fold.fold(null, all.subList(0, 1), newest);
    // A materialized set (no positions) merged in keeps the folded set's positions.
    byte[] materialized = TileSets.Raw.parse(other).withoutPositions().encode();
    byte[] merged = TileSets.merge(folded, materialized);

    assertThat(fold.fold(merged, all, newest)).isSameAs(merged);
  }

  private static List<Raw> randomEvents(Random random) {
    int count = 1 + random.nextInt(80);
    long start = 1_700_000_000_000_000_000L + random.nextInt(1000) * MINUTE;
    long[] offsets = new long[3];
    List<Raw> events = new ArrayList<>();
    long ts = start;
    for (int i = 0; i < count; i++) {
      // Mostly forward in time, with ties and late events.
      int step = random.nextInt(10);
      if (step < 2) {
        ts = ts; // a tie
      } else if (step < 8) {
        ts += random.nextInt(20) * MINUTE + random.nextInt(1000);
      } else {
        ts -= random.nextInt(90) * MINUTE;
      }
      int partition = random.nextInt(3);
      events.add(
          new Raw(
              partition,
              offsets[partition]++ * 2 + 5,
              ts,
              random.nextInt(6) == 0 ? null : Math.round(random.nextGaussian() * 10000) / 100.0,
              random.nextInt(6) == 0 ? null : (long) random.nextInt(21) - 10,
              random.nextInt(6) == 0 ? null : "m" + random.nextInt(5)));
    }
    return events;
  }

  /** The feature's value over the events with floor(t - w, h) <= ts <= t, in list order. */
  private static Object bruteForce(List<Raw> events, AggregateFeature feature, long t) {
    long from = WindowText.windowStart(t, feature.windowNanos(), feature.hopNanos());
    long count = 0;
    double amountSum = 0;
    long amountCount = 0;
    long itemsSum = 0;
    Long min = null;
    Long max = null;
    long itemsCount = 0;
    String first = null;
    long firstTs = 0;
    String last = null;
    long lastTs = 0;
    for (Raw e : events) {
      if (e.ts < from || e.ts > t) {
        continue;
      }
      count++;
      if (e.amount != null) {
        amountSum += e.amount;
        amountCount++;
      }
      if (e.items != null) {
        itemsSum += e.items;
        itemsCount++;
        min = min == null ? e.items : Math.min(min, e.items);
        max = max == null ? e.items : Math.max(max, e.items);
      }
      if (e.merchant != null) {
        if (first == null || e.ts < firstTs) {
          first = e.merchant;
          firstTs = e.ts;
        }
        if (last == null || e.ts >= lastTs) {
          last = e.merchant;
          lastTs = e.ts;
        }
      }
    }
    String column = feature.column();
    return switch (feature.function()) {
      case COUNT -> column == null ? count : itemsCount;
      case SUM -> column.equals("amount") ? (Object) amountSum : (Object) itemsSum;
      case MEAN -> amountCount == 0 ? null : amountSum / amountCount;
      case MIN -> min;
      case MAX -> max;
      case FIRST -> first == null ? null : first.getBytes(StandardCharsets.UTF_8);
      case LAST -> last == null ? null : last.getBytes(StandardCharsets.UTF_8);
    };
  }
}
