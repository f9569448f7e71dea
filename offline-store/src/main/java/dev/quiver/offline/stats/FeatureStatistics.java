package dev.quiver.offline.stats;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * The statistics of one column of a training set or of a source window ({@link ColumnStatistics}
 * computes them), as a manifest records them under {@code statistics}.
 *
 * <p>Numbers ({@link Kind#NUMBER}: int32, int64, float32, float64) have moments, extremes,
 * quantiles, a histogram and the serialized KLL sketch (so that drift can put any bins on them);
 * strings and bools ({@link Kind#CATEGORY}) their most frequent values; every other type (lists,
 * bytes, timestamps) only counts.
 *
 * @param column the column's name
 * @param type the column's type as definitions write it ({@code float64}, {@code list<int64>})
 * @param count rows, nulls included
 * @param nulls null rows (and, for numbers, NaN and infinite values: they have no place in the
 *     moments, the quantiles or a histogram)
 * @param mean null when no number was seen, as are {@code stddev}, {@code min} and {@code max}
 * @param stddev the population standard deviation
 * @param distinct the approximate distinct count of the non-null values (HLL, lgK 12: a relative
 *     standard error of 1.6%); -1 for {@link Kind#OTHER}
 * @param quantiles p1 ... p99 by name ({@code p50}), from the KLL sketch; empty for non-numbers
 * @param histogram equal-width bins from min to max, counts estimated from the KLL sketch; null for
 *     non-numbers
 * @param kll the KLL sketch (k 200), base64; null for non-numbers
 * @param top the most frequent values of a category, most frequent first (at most {@link
 *     ColumnStatistics#TOP_VALUES}); empty otherwise
 * @param otherValues non-null values of a category not among {@code top}
 */
public record FeatureStatistics(
    String column,
    String type,
    Kind kind,
    long count,
    long nulls,
    Double mean,
    Double stddev,
    Double min,
    Double max,
    long distinct,
    Map<String, Double> quantiles,
    Histogram histogram,
    String kll,
    List<TopValue> top,
    long otherValues) {

  /** What statistics a column has. */
  public enum Kind {
    NUMBER,
    CATEGORY,
    OTHER;

    String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A category and its (estimated) number of rows. */
  public record TopValue(String value, long count) {}

  /**
   * Bins {@code [edges[i], edges[i+1])} (the last one closed) and their row counts.
   *
   * @param edges one more than the counts
   */
  public record Histogram(List<Double> edges, List<Long> counts) {}

  public FeatureStatistics {
    quantiles = quantiles == null ? Map.of() : quantiles;
    top = top == null ? List.of() : List.copyOf(top);
  }

  /** Non-null rows. */
  public long values() {
    return count - nulls;
  }

  public double nullFraction() {
    return count == 0 ? 0 : (double) nulls / count;
  }

  /** The KLL sketch of a number column's values; null for other kinds or no values. */
  public KllDoublesSketch sketch() {
    return kll == null
        ? null
        : KllDoublesSketch.heapify(Memory.wrap(Base64.getDecoder().decode(kll)));
  }

  /** As the manifest's JSON writes it: nothing null, so that old readers see plain values. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("type", type);
    map.put("kind", kind.jsonName());
    map.put("count", count);
    map.put("nulls", nulls);
    map.put("null_fraction", nullFraction());
    if (kind != Kind.OTHER) {
      map.put("distinct", distinct);
    }
    if (mean != null) {
      map.put("mean", mean);
      map.put("stddev", stddev);
      map.put("min", min);
      map.put("max", max);
    }
    if (!quantiles.isEmpty()) {
      map.put("quantiles", quantiles);
    }
    if (histogram != null) {
      map.put("histogram", Map.of("edges", histogram.edges(), "counts", histogram.counts()));
    }
    if (kind == Kind.CATEGORY) {
      List<Object> values = new ArrayList<>();
      for (TopValue value : top) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("value", value.value());
        v.put("count", value.count());
        values.add(v);
      }
      map.put("top", values);
      map.put("other_values", otherValues);
    }
    if (kll != null) {
      map.put("kll", kll);
    }
    return map;
  }

  /**
   * Statistics from their {@link #toMap} form.
   *
   * @throws ClassCastException or NullPointerException when the map lacks a field or has one of the
   *     wrong type
   */
  @SuppressWarnings("unchecked")
  public static FeatureStatistics fromMap(String column, Map<String, Object> map) {
    Kind kind = Kind.valueOf(((String) map.get("kind")).toUpperCase(java.util.Locale.ROOT));
    Map<String, Double> quantiles = new LinkedHashMap<>();
    Map<String, Object> q = (Map<String, Object>) map.get("quantiles");
    if (q != null) {
      q.forEach((name, value) -> quantiles.put(name, ((Number) value).doubleValue()));
    }
    Histogram histogram = null;
    Map<String, Object> h = (Map<String, Object>) map.get("histogram");
    if (h != null) {
      histogram =
          new Histogram(
              ((List<Object>) h.get("edges"))
                  .stream().map(e -> ((Number) e).doubleValue()).toList(),
              ((List<Object>) h.get("counts"))
                  .stream().map(c -> ((Number) c).longValue()).toList());
    }
    List<TopValue> top = new ArrayList<>();
    List<Object> t = (List<Object>) map.get("top");
    if (t != null) {
      for (Object item : t) {
        Map<String, Object> v = (Map<String, Object>) item;
        top.add(new TopValue((String) v.get("value"), ((Number) v.get("count")).longValue()));
      }
    }
    Object distinct = map.get("distinct");
    Object other = map.get("other_values");
    return new FeatureStatistics(
        column,
        (String) map.get("type"),
        kind,
        ((Number) map.get("count")).longValue(),
        ((Number) map.get("nulls")).longValue(),
        number(map.get("mean")),
        number(map.get("stddev")),
        number(map.get("min")),
        number(map.get("max")),
        distinct == null ? -1 : ((Number) distinct).longValue(),
        quantiles,
        histogram,
        (String) map.get("kll"),
        top,
        other == null ? 0 : ((Number) other).longValue());
  }

  private static Double number(Object value) {
    return value == null ? null : ((Number) value).doubleValue();
  }
}
