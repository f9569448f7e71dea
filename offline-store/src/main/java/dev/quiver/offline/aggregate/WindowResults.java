package dev.quiver.offline.aggregate;

import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;

/**
 * The windowed aggregates of one feature view for every entity row, as {@link WindowSearch} leaves
 * them: per feature and row a count, an integer sum, a float sum's bits, a mean's sum and count, or
 * (for {@code min}, {@code max}, {@code first}, {@code last}) a reference to the event whose value
 * it is. A row is only ever written by the search of its key's partition, so partitions searched at
 * once never share a slot. Before any search every row holds the answer of an empty window.
 */
public final class WindowResults {

  /** A selector's slot when its window holds no value. */
  public static final long NO_EVENT = -1;

  /** Copies the value of the event {@code ref} into slot {@code slot} of an output. */
  @FunctionalInterface
  public interface EventCopy {
    void copy(long ref, int slot);
  }

  private final List<AggregateFeature> features;
  private final List<String> columns;
  private final int[] columnOf;
  private final int[] keyIds;
  private final long[][] values;
  private final int[][] counts;

  /**
   * @param features the requested aggregation features of one view, in request order
   * @param keyIds per entity row its key id, negative for a row with a null join key
   */
  public WindowResults(List<AggregateFeature> features, int[] keyIds) {
    this.features = List.copyOf(features);
    this.keyIds = keyIds;
    List<String> names = new ArrayList<>();
    columnOf = new int[features.size()];
    values = new long[features.size()][];
    counts = new int[features.size()][];
    for (int f = 0; f < features.size(); f++) {
      AggregateFeature feature = features.get(f);
      String column = feature.column();
      if (column != null && !names.contains(column)) {
        names.add(column);
      }
      columnOf[f] = column == null ? -1 : names.indexOf(column);
      values[f] = new long[keyIds.length];
      if (isSelector(feature.function())) {
        Arrays.fill(values[f], NO_EVENT);
      }
      if (feature.function() == AggregationFunction.MEAN) {
        counts[f] = new int[keyIds.length];
      }
    }
    this.columns = List.copyOf(names);
  }

  /** What the results of {@code rows} entity rows and {@code features} take in memory. */
  public static long bytes(List<AggregateFeature> features, int rows) {
    long perRow = 0;
    for (AggregateFeature feature : features) {
      perRow += feature.function() == AggregationFunction.MEAN ? 12 : 8;
    }
    return perRow * rows;
  }

  static boolean isSelector(AggregationFunction function) {
    return switch (function) {
      case MIN, MAX, FIRST, LAST -> true;
      case COUNT, SUM, MEAN -> false;
    };
  }

  public List<AggregateFeature> features() {
    return features;
  }

  /** The aggregated columns, each once, in order of first use; feature vectors are named so. */
  public List<String> columns() {
    return columns;
  }

  /** The position in {@link #columns()} of feature {@code f}'s column; -1 for a row count. */
  int columnOf(int f) {
    return columnOf[f];
  }

  long[] values(int f) {
    return values[f];
  }

  int[] counts(int f) {
    return counts[f];
  }

  /**
   * Writes feature {@code f} of the entity rows {@code rowAt(0 .. length-1)} to slots {@code 0 ..
   * length-1} of {@code output}, in slot order; a selected event's value is copied by {@code
   * events}. Slots whose value is null are left unset.
   */
  public void write(
      int f, IntUnaryOperator rowAt, int length, FieldVector output, EventCopy events) {
    AggregateFeature feature = features.get(f);
    long[] value = values[f];
    switch (feature.function()) {
      case COUNT -> writeLongs(value, rowAt, length, (BigIntVector) output);
      case SUM -> {
        if (isFloat(feature.inputType())) {
          Float8Vector doubles = (Float8Vector) output;
          for (int slot = 0; slot < length; slot++) {
            int row = rowAt.applyAsInt(slot);
            if (keyIds[row] >= 0) {
              doubles.setSafe(slot, Double.longBitsToDouble(value[row]));
            }
          }
        } else {
          writeLongs(value, rowAt, length, (BigIntVector) output);
        }
      }
      case MEAN -> {
        Float8Vector doubles = (Float8Vector) output;
        int[] count = counts[f];
        for (int slot = 0; slot < length; slot++) {
          int row = rowAt.applyAsInt(slot);
          if (count[row] > 0) {
            doubles.setSafe(slot, Double.longBitsToDouble(value[row]) / count[row]);
          }
        }
      }
      case MIN, MAX, FIRST, LAST -> {
        for (int slot = 0; slot < length; slot++) {
          long ref = value[rowAt.applyAsInt(slot)];
          if (ref != NO_EVENT) {
            events.copy(ref, slot);
          }
        }
      }
    }
  }

  private void writeLongs(long[] value, IntUnaryOperator rowAt, int length, BigIntVector output) {
    for (int slot = 0; slot < length; slot++) {
      int row = rowAt.applyAsInt(slot);
      if (keyIds[row] >= 0) {
        output.setSafe(slot, value[row]);
      }
    }
  }

  /** Whether values of {@code type} are read as numbers: integers, floats and timestamps. */
  public static boolean isNumeric(ScalarType type) {
    return switch (type) {
      case INT32, INT64, FLOAT32, FLOAT64, TIMESTAMP -> true;
      case BOOL, STRING, BYTES -> false;
    };
  }

  static boolean isFloat(ScalarType type) {
    return type == ScalarType.FLOAT32 || type == ScalarType.FLOAT64;
  }
}
