package dev.quiver.spark;

import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.WindowText;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * An aggregation view's windows (DESIGN.md): for an entity row of key {@code k} at {@code t}, each
 * feature aggregates the key's events with {@code floor(t - w, h) <= ts <= t}. As a window starts
 * on a multiple of its hop, the key's events are folded into hop-aligned tiles as they come, and a
 * window is the tiles from its start on: tiles no window of the key can reach again are dropped, so
 * the state is one key's tiles of its longest window. The answers are the embedded engine's: a
 * float sum adds each tile's running sum (from 0.0, in event order) in tile order, never
 * subtracting; an integer sum wraps as Java's long addition; {@code min}/{@code max} keep the
 * latest of equal values (Double, Long or UTF-8 byte order); {@code first}/{@code last} the first
 * and last present value in time, file and row order.
 *
 * <p>Input values, from {@link #valuesFrom}: the view's aggregated columns in {@code columns}
 * order; output: the entity row's ranks, then each feature.
 */
final class WindowMerge extends KeyedMerge {

  private static final long serialVersionUID = 1L;

  private final AggregationFunction[] functions;
  private final int[] columnOf;
  private final ScalarType[] inputTypes;
  private final boolean[] floatSum;
  private final long[] windows;
  private final int[] seriesOf;
  private final long[] hops;
  private transient List<ArrayDeque<Tile>> series;

  WindowMerge(
      int keys, List<AggregateFeature> features, List<String> columns, KeyedMerge.Counts counts) {
    // After the kind and the entity row's ranks: the file and the row.
    super(keys, keys + 6, counts);
    int count = features.size();
    functions = new AggregationFunction[count];
    columnOf = new int[count];
    inputTypes = new ScalarType[count];
    floatSum = new boolean[count];
    windows = new long[count];
    seriesOf = new int[count];
    List<Long> distinctHops = new ArrayList<>();
    for (int f = 0; f < count; f++) {
      AggregateFeature feature = features.get(f);
      functions[f] = feature.function();
      columnOf[f] = feature.column() == null ? -1 : columns.indexOf(feature.column());
      inputTypes[f] = feature.column() == null ? null : feature.inputType();
      floatSum[f] =
          functions[f] == AggregationFunction.MEAN
              || functions[f] == AggregationFunction.SUM
                  && (inputTypes[f] == ScalarType.FLOAT32 || inputTypes[f] == ScalarType.FLOAT64);
      windows[f] = feature.windowNanos();
      if (!distinctHops.contains(feature.hopNanos())) {
        distinctHops.add(feature.hopNanos());
      }
      seriesOf[f] = distinctHops.indexOf(feature.hopNanos());
    }
    hops = distinctHops.stream().mapToLong(Long::longValue).toArray();
  }

  /** One hop-aligned interval's partial aggregates, per feature. */
  private static final class Tile {
    final long bucket;
    final long[] longs;
    final double[] doubles;
    final Object[] chosen;

    Tile(long bucket, int features) {
      this.bucket = bucket;
      this.longs = new long[features];
      this.doubles = new double[features];
      this.chosen = new Object[features];
    }
  }

  @Override
  void startKey() {
    if (series == null) {
      series = new ArrayList<>();
      for (int s = 0; s < hops.length; s++) {
        series.add(new ArrayDeque<>());
      }
    }
    for (ArrayDeque<Tile> tiles : series) {
      tiles.clear();
    }
  }

  @Override
  void event(Row row, long ts) {
    Tile[] current = new Tile[hops.length];
    for (int s = 0; s < hops.length; s++) {
      long bucket = WindowText.floor(ts, hops[s]);
      ArrayDeque<Tile> tiles = series.get(s);
      Tile last = tiles.peekLast();
      if (last == null || last.bucket != bucket) {
        last = new Tile(bucket, functions.length);
        tiles.addLast(last);
      }
      current[s] = last;
    }
    for (int f = 0; f < functions.length; f++) {
      Tile tile = current[seriesOf[f]];
      Object value = columnOf[f] < 0 ? null : row.get(valuesFrom + columnOf[f]);
      switch (functions[f]) {
        case COUNT -> tile.longs[f] += columnOf[f] < 0 || value != null ? 1 : 0;
        case SUM, MEAN -> {
          if (floatSum[f]) {
            tile.doubles[f] += value == null ? 0.0 : ((Number) value).doubleValue();
            tile.longs[f] += value == null ? 0 : 1;
          } else if (value != null) {
            tile.longs[f] += ((Number) value).longValue();
          }
        }
        case MIN, MAX -> {
          if (value != null && (tile.chosen[f] == null || replaces(f, value, tile.chosen[f]))) {
            tile.chosen[f] = value;
          }
        }
        case FIRST -> {
          if (value != null && tile.chosen[f] == null) {
            tile.chosen[f] = value;
          }
        }
        case LAST -> {
          if (value != null) {
            tile.chosen[f] = value;
          }
        }
      }
    }
  }

  @Override
  Row answer(int entityFile, long entityRow, long ts) {
    long[] reach = new long[hops.length];
    Arrays.fill(reach, Long.MAX_VALUE);
    for (int f = 0; f < functions.length; f++) {
      reach[seriesOf[f]] =
          Math.min(reach[seriesOf[f]], WindowText.windowStart(ts, windows[f], hops[seriesOf[f]]));
    }
    for (int s = 0; s < hops.length; s++) {
      ArrayDeque<Tile> tiles = series.get(s);
      while (!tiles.isEmpty() && tiles.peekFirst().bucket < reach[s]) {
        tiles.removeFirst();
      }
    }
    Object[] out = new Object[2 + functions.length];
    out[0] = entityFile;
    out[1] = entityRow;
    for (int f = 0; f < functions.length; f++) {
      long start = WindowText.windowStart(ts, windows[f], hops[seriesOf[f]]);
      out[2 + f] = aggregate(f, series.get(seriesOf[f]).iterator(), start);
    }
    return RowFactory.create(out);
  }

  private Object aggregate(int f, Iterator<Tile> tiles, long start) {
    long count = 0;
    long sum = 0;
    double total = 0.0;
    Object chosen = null;
    while (tiles.hasNext()) {
      Tile tile = tiles.next();
      if (tile.bucket < start) {
        continue;
      }
      switch (functions[f]) {
        case COUNT -> count += tile.longs[f];
        case SUM, MEAN -> {
          if (floatSum[f]) {
            total += tile.doubles[f];
          }
          // A float sum's tile counts its present values (for the mean); an integer sum's sums.
          sum += tile.longs[f];
        }
        case MIN, MAX -> {
          Object candidate = tile.chosen[f];
          if (candidate != null && (chosen == null || replaces(f, candidate, chosen))) {
            chosen = candidate;
          }
        }
        case FIRST -> {
          if (chosen == null) {
            chosen = tile.chosen[f];
          }
        }
        case LAST -> {
          if (tile.chosen[f] != null) {
            chosen = tile.chosen[f];
          }
        }
      }
    }
    return switch (functions[f]) {
      case COUNT -> count;
      case SUM -> floatSum[f] ? (Object) total : (Object) sum;
      case MEAN -> sum > 0 ? total / (int) sum : null;
      case MIN, MAX, FIRST, LAST -> chosen;
    };
  }

  /** Whether {@code candidate}, a later value, takes the place of {@code held} as min (max). */
  private boolean replaces(int f, Object candidate, Object held) {
    int order =
        switch (inputTypes[f]) {
          case INT32, INT64 ->
              Long.compare(((Number) candidate).longValue(), ((Number) held).longValue());
          case FLOAT32, FLOAT64 ->
              Double.compare(((Number) candidate).doubleValue(), ((Number) held).doubleValue());
          case TIMESTAMP -> ((Instant) candidate).compareTo((Instant) held);
          case STRING ->
              Arrays.compareUnsigned(
                  ((String) candidate).getBytes(StandardCharsets.UTF_8),
                  ((String) held).getBytes(StandardCharsets.UTF_8));
          case BOOL, BYTES ->
              throw new IllegalStateException("min/max of a column without an order");
        };
    return functions[f] == AggregationFunction.MIN ? order <= 0 : order >= 0;
  }
}
