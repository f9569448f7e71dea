package dev.quiver.registry.model;

import java.time.Duration;
import java.util.Objects;

/**
 * One feature of an aggregation view: an {@link Aggregation} over one window, sliding in steps of
 * {@code hop}. For an entity row at {@code t} it aggregates the rows of its key with {@code floor(t
 * - window, hop) <= ts <= t}.
 */
public record AggregateFeature(Aggregation aggregation, Duration window, Duration hop)
    implements java.io.Serializable {

  public AggregateFeature {
    Objects.requireNonNull(aggregation, "aggregation");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(hop, "hop");
  }

  /** {@code <column>_<function>_<window>}, or {@code count_<window>} without a column. */
  public String name() {
    String windowName = WindowText.name(window);
    return aggregation.column() == null
        ? aggregation.function().yamlName() + "_" + windowName
        : aggregation.column() + "_" + aggregation.function().yamlName() + "_" + windowName;
  }

  public AggregationFunction function() {
    return aggregation.function();
  }

  /** The aggregated column, or null for a row count. */
  public String column() {
    return aggregation.column();
  }

  /** The column's type, or null for a row count. */
  public ScalarType inputType() {
    return aggregation.type() == null ? null : aggregation.type().element();
  }

  public ScalarType outputType() {
    return aggregation.function().outputType(inputType());
  }

  public long windowNanos() {
    return window.toNanos();
  }

  public long hopNanos() {
    return hop.toNanos();
  }

  /** The feature as plain views have them, for everything that reads features by name and type. */
  public Feature asFeature() {
    return Feature.of(name(), ValueType.scalar(outputType()));
  }
}
