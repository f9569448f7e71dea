package dev.quiver.registry.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One {@code aggregations:} entry of a feature view: a function over one column (or over the rows,
 * for {@code count} without a column) in each of several windows.
 *
 * @param column the aggregated column (after the source's field mapping), or null for a row count
 * @param type the column's type, null exactly when {@code column} is
 */
public record Aggregation(
    String column, ValueType type, AggregationFunction function, List<Duration> windows)
    implements java.io.Serializable {

  public Aggregation {
    Objects.requireNonNull(function, "function");
    windows = List.copyOf(windows);
    if ((column == null) != (type == null)) {
      throw new IllegalArgumentException("an aggregation has a column and its type, or neither");
    }
    if (column == null && function != AggregationFunction.COUNT) {
      throw new IllegalArgumentException(function.yamlName() + " needs a column");
    }
  }

  /** The feature this aggregation produces for one of its windows. */
  public AggregateFeature feature(Duration window, Duration hop) {
    return new AggregateFeature(this, window, hop);
  }

  /** How the aggregation is named in messages: {@code sum of amount}, {@code count}. */
  public String describe() {
    return column == null ? function.yamlName() : function.yamlName() + " of " + column;
  }
}
