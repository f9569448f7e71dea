package dev.quiver.online.tiles;

import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * What the tiles of an aggregation view hold: one series of tiles per distinct hop of its windows,
 * each tile holding the view's partials (its slots) in the same order. The layout's hash is stored
 * with every tile set, so tiles written for other aggregations or windows are never read as these.
 *
 * @param slots one per distinct (function, column) of the view, in definition order, a mean being
 *     the sum and the count of its column; {@code count} without a column has none (it reads the
 *     tile's row count)
 * @param series one per distinct hop, shortest first
 */
public record TileLayout(List<Slot> slots, List<Series> series, int hash) {

  /**
   * One partial every tile holds.
   *
   * @param column the aggregated column
   * @param inputType the column's type
   */
  public record Slot(AggregationFunction function, String column, ScalarType inputType) {
    public Slot {
      Objects.requireNonNull(function, "function");
      Objects.requireNonNull(column, "column");
      Objects.requireNonNull(inputType, "inputType");
    }

    /** Whether a sum is kept as a double rather than a wrapping long. */
    public boolean floatingSum() {
      return inputType == ScalarType.FLOAT32 || inputType == ScalarType.FLOAT64;
    }
  }

  /**
   * The tiles of one hop.
   *
   * @param reach the longest window sliding by this hop: tiles it cannot reach from the view's
   *     newest event on are dropped
   */
  public record Series(long hop, long reach) {}

  public TileLayout {
    slots = List.copyOf(slots);
    series = List.copyOf(series);
  }

  /** The layout of a view's aggregate features ({@code FeatureView.aggregateFeatures()}). */
  public static TileLayout of(List<AggregateFeature> features) {
    List<Slot> slots = new ArrayList<>();
    TreeMap<Long, Long> reachByHop = new TreeMap<>();
    for (AggregateFeature feature : features) {
      if (feature.column() != null) {
        // A mean is a sum and a count: it shares them with the sum and count of its column.
        List<AggregationFunction> partials =
            feature.function() == AggregationFunction.MEAN
                ? List.of(AggregationFunction.SUM, AggregationFunction.COUNT)
                : List.of(feature.function());
        for (AggregationFunction function : partials) {
          Slot slot = new Slot(function, feature.column(), feature.inputType());
          if (!slots.contains(slot)) {
            slots.add(slot);
          }
        }
      }
      reachByHop.merge(feature.hopNanos(), feature.windowNanos(), Math::max);
    }
    List<Series> series = new ArrayList<>();
    reachByHop.forEach((hop, reach) -> series.add(new Series(hop, reach)));
    StringBuilder text = new StringBuilder();
    for (Slot slot : slots) {
      text.append(slot.function().yamlName())
          .append('(')
          .append(slot.column())
          .append(':')
          .append(slot.inputType().yamlName())
          .append(");");
    }
    for (Series s : series) {
      text.append('|').append(s.hop()).append(':').append(s.reach());
    }
    CRC32C crc = new CRC32C();
    crc.update(text.toString().getBytes(StandardCharsets.UTF_8));
    return new TileLayout(slots, series, (int) crc.getValue());
  }

  /** The position of the series of {@code hop}. */
  public int seriesOf(long hop) {
    for (int s = 0; s < series.size(); s++) {
      if (series.get(s).hop() == hop) {
        return s;
      }
    }
    throw new IllegalArgumentException("no series of hop " + hop + " ns in this layout");
  }

  /**
   * The position of the slot a feature reads (a mean: its sum), or -1 for {@code count} without a
   * column.
   */
  public int slotOf(AggregateFeature feature) {
    if (feature.column() == null) {
      return -1;
    }
    return slotOf(
        feature.function() == AggregationFunction.MEAN
            ? AggregationFunction.SUM
            : feature.function(),
        feature);
  }

  /** The position of the count slot of a mean's column. */
  public int countSlotOf(AggregateFeature feature) {
    return slotOf(AggregationFunction.COUNT, feature);
  }

  private int slotOf(AggregationFunction function, AggregateFeature feature) {
    int slot = slots.indexOf(new Slot(function, feature.column(), feature.inputType()));
    if (slot < 0) {
      throw new IllegalArgumentException("no slot for " + feature.name() + " in this layout");
    }
    return slot;
  }
}
