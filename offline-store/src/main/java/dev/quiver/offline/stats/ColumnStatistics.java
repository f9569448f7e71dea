package dev.quiver.offline.stats;

import dev.quiver.registry.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Gathers the statistics of one column batch by batch, a column at a time: exact count, nulls, mean
 * and standard deviation (Chan's parallel update of each batch's moments), min and max; the
 * quantiles in a KLL sketch, the distinct count in an HLL sketch, and for categories the frequent
 * values in a frequent-items sketch. Not thread-safe: {@link TableStatistics} serializes updates.
 */
public final class ColumnStatistics {

  /** The KLL sketch's k: a normalized rank error of about 1.3% (1.65% for a PMF). */
  public static final int KLL_K = 200;

  /** HLL's lgK: a relative standard error of about 1.6%. */
  public static final int HLL_LG_K = 12;

  /** The frequent-items sketch's map size: counts are exact up to 768 distinct values. */
  static final int ITEMS_MAP_SIZE = 1024;

  /** Categories a manifest keeps, most frequent first. */
  public static final int TOP_VALUES = 50;

  /** Bins of the histogram a manifest keeps. */
  public static final int HISTOGRAM_BINS = 20;

  /** The quantiles a manifest keeps, by name. */
  public static final Map<String, Double> QUANTILES = quantileRanks();

  private final String column;
  private final ValueType type;
  private final FeatureStatistics.Kind kind;
  private long count;
  private long nulls;
  // Moments of the numbers seen: their count, mean and sum of squared deviations.
  private long n;
  private double mean;
  private double m2;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private final KllDoublesSketch kll;
  private final HllSketch hll;
  private final ItemsSketch<String> items;
  private double[] buffer = new double[0];

  public ColumnStatistics(String column, ValueType type) {
    this.column = column;
    this.type = type;
    this.kind = kindOf(type);
    this.kll =
        kind == FeatureStatistics.Kind.NUMBER ? KllDoublesSketch.newHeapInstance(KLL_K) : null;
    this.hll = kind == FeatureStatistics.Kind.OTHER ? null : new HllSketch(HLL_LG_K);
    this.items = kind == FeatureStatistics.Kind.CATEGORY ? new ItemsSketch<>(ITEMS_MAP_SIZE) : null;
  }

  /** What statistics a column of {@code type} gets. */
  public static FeatureStatistics.Kind kindOf(ValueType type) {
    if (type.list()) {
      return FeatureStatistics.Kind.OTHER;
    }
    return switch (type.element()) {
      case INT32, INT64, FLOAT32, FLOAT64 -> FeatureStatistics.Kind.NUMBER;
      case BOOL, STRING -> FeatureStatistics.Kind.CATEGORY;
      case BYTES, TIMESTAMP -> FeatureStatistics.Kind.OTHER;
    };
  }

  /** Adds every row of {@code vector}. */
  public void update(FieldVector vector) {
    update(vector, null, vector.getValueCount());
  }

  /**
   * Adds rows of {@code vector}: {@code rows[0..size)}, or the first {@code size} rows when {@code
   * rows} is null.
   */
  public void update(FieldVector vector, int[] rows, int size) {
    count += size;
    switch (kind) {
      case NUMBER -> updateNumbers(vector, rows, size);
      case CATEGORY -> updateCategories(vector, rows, size);
      case OTHER -> {
        for (int i = 0; i < size; i++) {
          if (vector.isNull(rows == null ? i : rows[i])) {
            nulls++;
          }
        }
      }
    }
  }

  private void updateNumbers(FieldVector vector, int[] rows, int size) {
    if (buffer.length < size) {
      buffer = new double[Math.max(size, buffer.length * 2)];
    }
    // A loop per type, so that each stays small enough to compile well; nulls checked only when
    // the vector has any.
    boolean nullable = vector.getNullCount() > 0;
    int values = 0;
    switch (type.element()) {
      case INT32 -> {
        IntVector ints = (IntVector) vector;
        for (int i = 0; i < size; i++) {
          int row = rows == null ? i : rows[i];
          if (nullable && ints.isNull(row)) {
            continue;
          }
          int v = ints.get(row);
          hll.update(v);
          buffer[values++] = v;
        }
      }
      case INT64 -> {
        BigIntVector longs = (BigIntVector) vector;
        for (int i = 0; i < size; i++) {
          int row = rows == null ? i : rows[i];
          if (nullable && longs.isNull(row)) {
            continue;
          }
          long v = longs.get(row);
          hll.update(v);
          buffer[values++] = v;
        }
      }
      case FLOAT32 -> {
        Float4Vector floats = (Float4Vector) vector;
        for (int i = 0; i < size; i++) {
          int row = rows == null ? i : rows[i];
          if (nullable && floats.isNull(row)) {
            continue;
          }
          float v = floats.get(row);
          if (!Double.isFinite(v)) {
            continue;
          }
          hll.update(v);
          buffer[values++] = v;
        }
      }
      default -> {
        Float8Vector doubles = (Float8Vector) vector;
        for (int i = 0; i < size; i++) {
          int row = rows == null ? i : rows[i];
          if (nullable && doubles.isNull(row)) {
            continue;
          }
          double v = doubles.get(row);
          if (!Double.isFinite(v)) {
            continue;
          }
          hll.update(v);
          buffer[values++] = v;
        }
      }
    }
    nulls += size - values;
    if (values == 0) {
      return;
    }
    // The batch's own moments, then merged (Chan et al.): exact and stable.
    double sum = 0;
    double batchMin = Double.POSITIVE_INFINITY;
    double batchMax = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < values; i++) {
      double v = buffer[i];
      sum += v;
      batchMin = Math.min(batchMin, v);
      batchMax = Math.max(batchMax, v);
    }
    double batchMean = sum / values;
    double batchM2 = 0;
    for (int i = 0; i < values; i++) {
      double d = buffer[i] - batchMean;
      batchM2 += d * d;
    }
    long total = n + values;
    double delta = batchMean - mean;
    mean += delta * values / total;
    m2 += batchM2 + delta * delta * ((double) n * values / total);
    n = total;
    min = Math.min(min, batchMin);
    max = Math.max(max, batchMax);
    kll.update(buffer, 0, values);
  }

  private void updateCategories(FieldVector vector, int[] rows, int size) {
    for (int i = 0; i < size; i++) {
      int row = rows == null ? i : rows[i];
      if (vector.isNull(row)) {
        nulls++;
        continue;
      }
      String value =
          vector instanceof BitVector bits
              ? (bits.get(row) != 0 ? "true" : "false")
              : new String(((VarCharVector) vector).get(row), StandardCharsets.UTF_8);
      hll.update(value);
      items.update(value);
    }
  }

  public FeatureStatistics result() {
    Double meanValue = null;
    Double stddev = null;
    Double minValue = null;
    Double maxValue = null;
    Map<String, Double> quantiles = new LinkedHashMap<>();
    FeatureStatistics.Histogram histogram = null;
    String sketch = null;
    if (kind == FeatureStatistics.Kind.NUMBER) {
      sketch = Base64.getEncoder().encodeToString(kll.toByteArray());
      if (n > 0) {
        meanValue = mean;
        stddev = Math.sqrt(m2 / n);
        minValue = min;
        maxValue = max;
        QUANTILES.forEach(
            (name, rank) ->
                quantiles.put(name, kll.getQuantile(rank, QuantileSearchCriteria.INCLUSIVE)));
        histogram = histogram(kll, min, max, n);
      }
    }
    List<FeatureStatistics.TopValue> top = new ArrayList<>();
    long other = 0;
    if (kind == FeatureStatistics.Kind.CATEGORY) {
      long inTop = 0;
      ItemsSketch.Row<String>[] rows = items.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES);
      for (int i = 0; i < rows.length && top.size() < TOP_VALUES; i++) {
        top.add(new FeatureStatistics.TopValue(rows[i].getItem(), rows[i].getEstimate()));
        inTop += rows[i].getEstimate();
      }
      other = Math.max(0, count - nulls - inTop);
    }
    return new FeatureStatistics(
        column,
        type.toString(),
        kind,
        count,
        nulls,
        meanValue,
        stddev,
        minValue,
        maxValue,
        hll == null ? -1 : Math.round(hll.getEstimate()),
        quantiles,
        histogram,
        sketch,
        top,
        other);
  }

  /** {@link #HISTOGRAM_BINS} equal-width bins from min to max, counted from the sketch. */
  static FeatureStatistics.Histogram histogram(
      KllDoublesSketch sketch, double min, double max, long values) {
    if (!(max > min) || Double.isInfinite(max - min)) {
      return new FeatureStatistics.Histogram(List.of(min, max), List.of(values));
    }
    double[] splits = new double[HISTOGRAM_BINS - 1];
    List<Double> edges = new ArrayList<>();
    edges.add(min);
    for (int i = 1; i < HISTOGRAM_BINS; i++) {
      splits[i - 1] = min + (max - min) * i / HISTOGRAM_BINS;
      edges.add(splits[i - 1]);
    }
    edges.add(max);
    // EXCLUSIVE: bin i holds [edge i, edge i+1), the last one up to max included.
    double[] pmf = sketch.getPMF(splits, QuantileSearchCriteria.EXCLUSIVE);
    List<Long> counts = new ArrayList<>();
    for (double p : pmf) {
      counts.add(Math.round(p * values));
    }
    return new FeatureStatistics.Histogram(edges, counts);
  }

  private static Map<String, Double> quantileRanks() {
    Map<String, Double> ranks = new LinkedHashMap<>();
    for (int p : new int[] {1, 5, 10, 25, 50, 75, 90, 95, 99}) {
      ranks.put("p" + p, p / 100.0);
    }
    return java.util.Collections.unmodifiableMap(ranks);
  }

  @Override
  public String toString() {
    return column + " " + type + " " + Arrays.toString(new long[] {count, nulls});
  }
}
