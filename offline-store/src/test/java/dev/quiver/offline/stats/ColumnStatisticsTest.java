package dev.quiver.offline.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.junit.jupiter.api.Test;

/** Statistics against exact values computed by brute force on random data. */
class ColumnStatisticsTest {

  private static final int ROWS = 60_000;
  private static final int BATCH = 7_000;

  @Test
  void numbersMatchBruteForceWithinTheSketchesErrors() {
    long seed = System.nanoTime();
    System.out.println("ColumnStatisticsTest numbers seed " + seed);
    Random random = new Random(seed);
    Double[] values = new Double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      // Nulls, NaN and infinity (counted as null), and a skewed mix of a normal and an
      // exponential.
      int kind = random.nextInt(100);
      values[i] =
          kind < 7
              ? null
              : kind < 8
                  ? (random.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY)
                  : kind < 60
                      ? 50 + 10 * random.nextGaussian()
                      : -Math.log(1 - random.nextDouble()) * 30;
    }
    ColumnStatistics statistics = new ColumnStatistics("x", ValueType.scalar(ScalarType.FLOAT64));
    try (BufferAllocator allocator = new RootAllocator();
        Float8Vector vector = new Float8Vector("x", allocator)) {
      for (int start = 0; start < ROWS; start += BATCH) {
        int size = Math.min(BATCH, ROWS - start);
        vector.allocateNew(size);
        for (int i = 0; i < size; i++) {
          if (values[start + i] == null) {
            vector.setNull(i);
          } else {
            vector.set(i, values[start + i]);
          }
        }
        vector.setValueCount(size);
        statistics.update(vector);
      }
    }
    FeatureStatistics result = statistics.result();

    double[] present =
        Arrays.stream(values)
            .filter(v -> v != null && Double.isFinite(v))
            .mapToDouble(v -> v)
            .toArray();
    Arrays.sort(present);
    double mean = Arrays.stream(present).average().orElseThrow();
    double variance =
        Arrays.stream(present).map(v -> (v - mean) * (v - mean)).sum() / present.length;
    assertThat(result.count()).isEqualTo(ROWS);
    assertThat(result.nulls()).isEqualTo(ROWS - present.length);
    assertThat(result.nullFraction())
        .isCloseTo((double) (ROWS - present.length) / ROWS, within(1e-12));
    assertThat(result.mean()).isCloseTo(mean, within(1e-9));
    assertThat(result.stddev()).isCloseTo(Math.sqrt(variance), within(1e-9));
    assertThat(result.min()).isEqualTo(present[0]);
    assertThat(result.max()).isEqualTo(present[present.length - 1]);

    // Each quantile's true rank is within the sketch's normalized rank error of the asked rank
    // (with 99% confidence; the sketch states it).
    KllDoublesSketch sketch = result.sketch();
    double error = sketch.getNormalizedRankError(false);
    assertThat(sketch.getN()).isEqualTo(present.length);
    for (Map.Entry<String, Double> q : ColumnStatistics.QUANTILES.entrySet()) {
      double quantile = result.quantiles().get(q.getKey());
      double trueRank = rankOf(present, quantile);
      assertThat(trueRank).as(q.getKey()).isCloseTo(q.getValue(), within(error));
    }
    // The histogram's bins hold about the rows that fall in them.
    FeatureStatistics.Histogram histogram = result.histogram();
    assertThat(histogram.counts()).hasSize(ColumnStatistics.HISTOGRAM_BINS);
    assertThat(histogram.counts().stream().mapToLong(Long::longValue).sum())
        .isCloseTo(present.length, within((long) ColumnStatistics.HISTOGRAM_BINS));
    for (int b = 0; b < histogram.counts().size(); b++) {
      double low = histogram.edges().get(b);
      double high = histogram.edges().get(b + 1);
      boolean last = b == histogram.counts().size() - 1;
      long exact =
          Arrays.stream(present).filter(v -> v >= low && (last ? v <= high : v < high)).count();
      assertThat((double) histogram.counts().get(b))
          .as("bin " + b)
          .isCloseTo(exact, within(2 * sketch.getNormalizedRankError(true) * present.length + 1));
    }
    long distinct = Arrays.stream(present).distinct().count();
    assertThat((double) result.distinct()).isCloseTo(distinct, within(distinct * 0.05));
  }

  @Test
  void integersCountDistinctValuesWithinTheHllBound() {
    long seed = System.nanoTime();
    System.out.println("ColumnStatisticsTest integers seed " + seed);
    Random random = new Random(seed);
    ColumnStatistics statistics = new ColumnStatistics("n", ValueType.scalar(ScalarType.INT64));
    Set<Long> seen = new HashSet<>();
    try (BufferAllocator allocator = new RootAllocator();
        BigIntVector vector = new BigIntVector("n", allocator)) {
      vector.allocateNew(ROWS);
      for (int i = 0; i < ROWS; i++) {
        long v = random.nextInt(20_000);
        seen.add(v);
        vector.set(i, v);
      }
      vector.setValueCount(ROWS);
      // Every other row only, through a selection.
      int[] rows = new int[ROWS / 2];
      Set<Long> selected = new HashSet<>();
      for (int i = 0; i < rows.length; i++) {
        rows[i] = 2 * i;
        selected.add(vector.get(2 * i));
      }
      statistics.update(vector, rows, rows.length);
      FeatureStatistics result = statistics.result();
      assertThat(result.count()).isEqualTo(rows.length);
      // HLL at lgK 12: relative standard error 1.04/sqrt(4096) = 1.6%; 3 standard errors.
      assertThat((double) result.distinct())
          .isCloseTo(selected.size(), within(selected.size() * 3 * 1.04 / 64));
    }
  }

  @Test
  void categoriesCountTheirValuesExactlyWhenFew() {
    long seed = System.nanoTime();
    System.out.println("ColumnStatisticsTest categories seed " + seed);
    Random random = new Random(seed);
    String[] names = {"gold", "silver", "bronze", "none", "ünïcödé"};
    Map<String, Long> counts = new HashMap<>();
    long nulls = 0;
    ColumnStatistics statistics = new ColumnStatistics("s", ValueType.scalar(ScalarType.STRING));
    try (BufferAllocator allocator = new RootAllocator();
        VarCharVector vector = new VarCharVector("s", allocator)) {
      vector.allocateNew(ROWS);
      for (int i = 0; i < ROWS; i++) {
        int pick = random.nextInt(names.length + 1);
        if (pick == names.length) {
          vector.setNull(i);
          nulls++;
        } else {
          vector.setSafe(i, names[pick].getBytes(StandardCharsets.UTF_8));
          counts.merge(names[pick], 1L, Long::sum);
        }
      }
      vector.setValueCount(ROWS);
      statistics.update(vector);
    }
    FeatureStatistics result = statistics.result();
    assertThat(result.nulls()).isEqualTo(nulls);
    assertThat(result.distinct()).isEqualTo(names.length);
    Map<String, Long> top = new HashMap<>();
    result.top().forEach(v -> top.put(v.value(), v.count()));
    assertThat(top).isEqualTo(counts);
    assertThat(result.otherValues()).isZero();
    List<Long> order = new ArrayList<>(result.top().stream().map(v -> v.count()).toList());
    assertThat(order).isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void statisticsSurviveTheManifestsJson() {
    ColumnStatistics statistics = new ColumnStatistics("x", ValueType.scalar(ScalarType.FLOAT64));
    try (BufferAllocator allocator = new RootAllocator();
        Float8Vector vector = new Float8Vector("x", allocator)) {
      vector.allocateNew(1000);
      for (int i = 0; i < 1000; i++) {
        vector.set(i, i * 0.5);
      }
      vector.setValueCount(1000);
      statistics.update(vector);
    }
    FeatureStatistics original = statistics.result();
    FeatureStatistics read = FeatureStatistics.fromMap("x", original.toMap());
    assertThat(read).isEqualTo(original);
    assertThat(read.sketch().getQuantile(0.5, QuantileSearchCriteria.INCLUSIVE))
        .isEqualTo(original.sketch().getQuantile(0.5, QuantileSearchCriteria.INCLUSIVE));
  }

  /** The fraction of sorted {@code values} at or below {@code x}. */
  private static double rankOf(double[] sorted, double x) {
    int low = 0;
    int high = sorted.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (sorted[mid] <= x) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return (double) low / sorted.length;
  }
}
