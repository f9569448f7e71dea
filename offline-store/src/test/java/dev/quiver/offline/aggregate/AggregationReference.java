package dev.quiver.offline.aggregate;

import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.WindowText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Windowed aggregation by brute force, straight from DESIGN.md's words: for each entity row, scan
 * every event, keep those of its key in {@code [floor(t - w, h), t]}, and fold them. Values are
 * Java objects as the tests wrote them (Long, Integer, Double, Float, String, Boolean; timestamps
 * as Long nanoseconds).
 */
final class AggregationReference {

  private AggregationReference() {}

  /** A source row: its values by column, and its position in file-path then row order. */
  record Event(Map<String, Object> values, long ordinal) {}

  /**
   * The events of one key, in (time, file and row) order; null when a part of the key is null (the
   * entity row then gets null for every feature).
   *
   * @param keyColumns the events' key columns, matched in order against {@code keys}
   */
  static List<Event> eventsOf(
      List<Event> events, List<String> keyColumns, List<Object> keys, String tsColumn) {
    if (keys.contains(null)) {
      return null;
    }
    List<Event> matching = new ArrayList<>();
    for (Event event : events) {
      boolean match = event.values().get(tsColumn) != null;
      for (int k = 0; k < keyColumns.size() && match; k++) {
        match = keys.get(k).equals(event.values().get(keyColumns.get(k)));
      }
      if (match) {
        matching.add(event);
      }
    }
    matching.sort(
        Comparator.<Event>comparingLong(e -> (Long) e.values().get(tsColumn))
            .thenComparingLong(Event::ordinal));
    return matching;
  }

  /**
   * The aggregate for an entity row at {@code t}, or null.
   *
   * @param keyEvents the entity row's key's events ({@link #eventsOf}), or null for a null key
   */
  static Object aggregate(
      List<Event> keyEvents, String tsColumn, long t, AggregateFeature feature) {
    if (keyEvents == null) {
      return null;
    }
    long start = WindowText.windowStart(t, feature.windowNanos(), feature.hopNanos());
    List<Event> window = new ArrayList<>();
    for (Event event : keyEvents) {
      long ts = (Long) event.values().get(tsColumn);
      if (ts >= start && ts <= t) {
        window.add(event);
      }
    }
    String column = feature.column();
    if (column == null) {
      return (long) window.size();
    }
    List<Object> values = new ArrayList<>();
    for (Event event : window) {
      Object value = event.values().get(column);
      if (value != null) {
        values.add(value);
      }
    }
    AggregationFunction function = feature.function();
    return switch (function) {
      case COUNT -> (long) values.size();
      case SUM -> {
        if (isFloatInput(feature)) {
          double sum = 0.0;
          for (Object v : values) {
            sum += ((Number) v).doubleValue();
          }
          yield sum;
        }
        long sum = 0;
        for (Object v : values) {
          sum += ((Number) v).longValue();
        }
        yield sum;
      }
      case MEAN -> {
        if (values.isEmpty()) {
          yield null;
        }
        double sum = 0.0;
        for (Object v : values) {
          sum += ((Number) v).doubleValue();
        }
        yield sum / values.size();
      }
      case MIN, MAX -> {
        Object best = null;
        for (Object v : values) {
          if (best == null) {
            best = v;
          } else {
            int order = compare(v, best);
            if (function == AggregationFunction.MIN ? order < 0 : order > 0) {
              best = v;
            }
          }
        }
        yield best;
      }
      case FIRST -> values.isEmpty() ? null : values.get(0);
      case LAST -> values.isEmpty() ? null : values.get(values.size() - 1);
    };
  }

  private static boolean isFloatInput(AggregateFeature feature) {
    return WindowResults.isFloat(feature.inputType());
  }

  private static int compare(Object a, Object b) {
    if (a instanceof String x) {
      return Arrays.compareUnsigned(
          x.getBytes(StandardCharsets.UTF_8), ((String) b).getBytes(StandardCharsets.UTF_8));
    }
    if (a instanceof Double x) {
      return Double.compare(x, (Double) b);
    }
    if (a instanceof Float x) {
      return Float.compare(x, (Float) b);
    }
    return Long.compare(((Number) a).longValue(), ((Number) b).longValue());
  }
}
