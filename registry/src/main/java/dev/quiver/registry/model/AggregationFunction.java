package dev.quiver.registry.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a windowed aggregation computes over the events of its window. */
public enum AggregationFunction {
  COUNT,
  SUM,
  MEAN,
  MIN,
  MAX,
  FIRST,
  LAST;

  /** The name used in definition files, e.g. {@code sum}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AggregationFunction> fromYamlName(String name) {
    return Arrays.stream(values()).filter(f -> f.yamlName().equals(name)).findFirst();
  }

  public static List<String> yamlNames() {
    return Arrays.stream(values()).map(AggregationFunction::yamlName).toList();
  }

  /** Whether this function can aggregate a column of {@code input}: lists never can. */
  public boolean accepts(ValueType input) {
    if (input.list()) {
      return false;
    }
    ScalarType type = input.element();
    return switch (this) {
      case SUM, MEAN -> isNumeric(type);
      case MIN, MAX -> isNumeric(type) || type == ScalarType.STRING || type == ScalarType.TIMESTAMP;
      case COUNT, FIRST, LAST -> true;
    };
  }

  /** The input types this function accepts, for messages. */
  public String acceptedTypes() {
    return switch (this) {
      case SUM, MEAN -> "int32, int64, float32 or float64";
      case MIN, MAX -> "int32, int64, float32, float64, string or timestamp";
      case COUNT, FIRST, LAST -> "any scalar type";
    };
  }

  /**
   * The type of the aggregated value.
   *
   * @param input the column's type, or null for {@code count} without a column
   */
  public ScalarType outputType(ScalarType input) {
    return switch (this) {
      case COUNT -> ScalarType.INT64;
      case SUM ->
          input == ScalarType.FLOAT32 || input == ScalarType.FLOAT64
              ? ScalarType.FLOAT64
              : ScalarType.INT64;
      case MEAN -> ScalarType.FLOAT64;
      case MIN, MAX, FIRST, LAST -> input;
    };
  }

  /** Whether an empty window gives 0 (count, sum) rather than null. */
  public boolean zeroWhenEmpty() {
    return this == COUNT || this == SUM;
  }

  static boolean isNumeric(ScalarType type) {
    return type == ScalarType.INT32
        || type == ScalarType.INT64
        || type == ScalarType.FLOAT32
        || type == ScalarType.FLOAT64;
  }
}
