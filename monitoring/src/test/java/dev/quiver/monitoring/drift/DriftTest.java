package dev.quiver.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quiver.offline.stats.ColumnStatistics;
import dev.quiver.offline.stats.FeatureStatistics;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.junit.jupiter.api.Test;

/** PSI against hand computations, KS against known samples. */
class DriftTest {

  private static final Drift.Thresholds THRESHOLDS = new Drift.Thresholds(0.2, 0.3);

  @Test
  void psiOfTwoKnownNumberDistributionsMatchesTheHandComputation() {
    // Baseline: 1, 2, ..., 200 (the KLL sketch holds all 200 values: exact). Its deciles are
    // 20, 40, ..., 180, so the PSI bins (-inf,20) [20,40) ... [180,+inf) hold
    //   19, 20, 20, 20, 20, 20, 20, 20, 20, 21 values.
    // Current: 51, ..., 150, each twice (200 values). In the same bins:
    //   0, 0, 18 (51..59), 40, 40, 40, 40, 22 (140..150), 0, 0.
    // No nulls on either side: the null bin is empty on both and adds nothing.
    double[] values = new double[200];
    for (int i = 0; i < 200; i++) {
      values[i] = i + 1;
    }
    double[] shifted = new double[200];
    for (int i = 0; i < 100; i++) {
      shifted[2 * i] = 51 + i;
      shifted[2 * i + 1] = 51 + i;
    }
    FeatureDrift drift =
        Drift.compare("v:x", numbers(values), numbers(shifted), new Drift.Thresholds(0.2, null));

    double e = Drift.EPSILON;
    double[] b = {.095, .1, .1, .1, .1, .1, .1, .1, .1, .105};
    double[] c = {e, e, .09, .2, .2, .2, .2, .11, e, e};
    double hand =
        (c[0] - b[0]) * Math.log(c[0] / b[0])
            + (c[1] - b[1]) * Math.log(c[1] / b[1])
            + (.09 - .1) * Math.log(.09 / .1)
            + 4 * ((.2 - .1) * Math.log(.2 / .1))
            + (.11 - .1) * Math.log(.11 / .1)
            + (c[8] - b[8]) * Math.log(c[8] / b[8])
            + (c[9] - b[9]) * Math.log(c[9] / b[9]);
    // = 3.0399: (e - .095) ln(e/.095) = 0.6507, (e - .1) ln(e/.1) = 0.6901 twice,
    // (e - .105) ln(e/.105) = 0.7297, .1 ln 2 = 0.0693 four times, then .00105 and .00095.
    assertThat(hand).isCloseTo(0.6507 + 2 * 0.6901 + 0.7297 + 4 * 0.0693 + 0.002, within(1e-3));
    assertThat(drift.psiBins())
        .containsExactly(
            "[-inf, 20)",
            "[20, 40)",
            "[40, 60)",
            "[60, 80)",
            "[80, 100)",
            "[100, 120)",
            "[120, 140)",
            "[140, 160)",
            "[160, 180)",
            "[180, +inf)",
            "(null)");
    assertThat(drift.psi()).isCloseTo(hand, within(1e-9));
    assertThat(drift.status()).isEqualTo(FeatureDrift.Status.DRIFT);
    // KS: at 50 the baseline is at 0.25 and the current side at 0; at 150 the baseline at 0.75
    // and the current side at 1: 0.25 both times, the largest distance.
    assertThat(drift.ks()).isCloseTo(0.25, within(1e-12));

    // The same values on both sides: PSI and KS are zero.
    FeatureDrift same = Drift.compare("v:x", numbers(values), numbers(values), THRESHOLDS);
    assertThat(same.psi()).isCloseTo(0, within(1e-12));
    assertThat(same.ks()).isZero();
    assertThat(same.status()).isEqualTo(FeatureDrift.Status.PASS);
  }

  @Test
  void psiFromCountsAndNullsAsTheirOwnBin() {
    // Categories a, b, c, (other), (null): baseline 50 30 20 0 0, current 40 30 10 0 20.
    long[] baseline = {50, 30, 20, 0, 0};
    long[] current = {40, 30, 10, 0, 20};
    double e = Drift.EPSILON;
    double hand =
        (.4 - .5) * Math.log(.4 / .5)
            + 0
            + (.1 - .2) * Math.log(.1 / .2)
            + 0
            + (.2 - e) * Math.log(.2 / e);
    assertThat(Drift.psi(baseline, current)).isCloseTo(hand, within(1e-12));
    assertThat(hand).isCloseTo(0.0223 + 0.0693 + 1.5194, within(1e-3));

    // The same through the categories' statistics.
    FeatureStatistics before = strings(50, 30, 20, 0);
    FeatureStatistics after = strings(40, 30, 10, 20);
    FeatureDrift drift = Drift.compare("v:s", before, after, THRESHOLDS);
    assertThat(drift.psiBins()).containsExactly("a", "b", "c", "(other)", "(null)");
    assertThat(drift.psi()).isCloseTo(hand, within(1e-12));
    assertThat(drift.ks()).isNull();
    assertThat(drift.chart())
        .extracting(FeatureDrift.Bin::label)
        .containsExactly("a", "b", "c", "(null)");
  }

  @Test
  void ksOfRandomSamplesMatchesTheExactStatistic() {
    long seed = System.nanoTime();
    System.out.println("DriftTest ks seed " + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 20; round++) {
      // Under the sketch's k values each side: the sketches keep them all, so KS is exact.
      double[] a = new double[1 + random.nextInt(190)];
      double[] b = new double[1 + random.nextInt(190)];
      double shift = random.nextDouble();
      for (int i = 0; i < a.length; i++) {
        a[i] = Math.round(random.nextGaussian() * 20) / 10.0;
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = Math.round((random.nextGaussian() + shift) * 20) / 10.0;
      }
      KllDoublesSketch sa = KllDoublesSketch.newHeapInstance(ColumnStatistics.KLL_K);
      KllDoublesSketch sb = KllDoublesSketch.newHeapInstance(ColumnStatistics.KLL_K);
      Arrays.stream(a).forEach(sa::update);
      Arrays.stream(b).forEach(sb::update);
      assertThat(Drift.ks(sa, sb)).as("round " + round).isCloseTo(exactKs(a, b), within(1e-12));
    }
  }

  @Test
  void largeSamplesStayWithinTheSketchesRankError() {
    long seed = System.nanoTime();
    System.out.println("DriftTest large ks seed " + seed);
    Random random = new Random(seed);
    double[] a = new double[50_000];
    double[] b = new double[40_000];
    KllDoublesSketch sa = KllDoublesSketch.newHeapInstance(ColumnStatistics.KLL_K);
    KllDoublesSketch sb = KllDoublesSketch.newHeapInstance(ColumnStatistics.KLL_K);
    for (int i = 0; i < a.length; i++) {
      a[i] = random.nextGaussian();
      sa.update(a[i]);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = random.nextGaussian() * 1.3 + 0.2;
      sb.update(b[i]);
    }
    double error = sa.getNormalizedRankError(false) + sb.getNormalizedRankError(false);
    assertThat(Drift.ks(sa, sb)).isCloseTo(exactKs(a, b), within(error));
  }

  @Test
  void featuresWithoutDataAreNotCheckedAndSaySo() {
    FeatureDrift noBaseline = Drift.compare("v:x", null, strings(1, 1, 1, 0), THRESHOLDS);
    assertThat(noBaseline.status()).isEqualTo(FeatureDrift.Status.UNCHECKED);
    assertThat(noBaseline.note()).isEqualTo("the baseline has no statistics of it");
    FeatureDrift changed =
        Drift.compare("v:x", numbers(new double[] {1, 2}), strings(1, 1, 1, 0), THRESHOLDS);
    assertThat(changed.note()).isEqualTo("its type changed (float64 -> string)");
  }

  /** The exact two-sample KS statistic: both empirical CDFs walked in step. */
  private static double exactKs(double[] a, double[] b) {
    double[] x = a.clone();
    double[] y = b.clone();
    Arrays.sort(x);
    Arrays.sort(y);
    int i = 0;
    int j = 0;
    double ks = 0;
    while (i < x.length || j < y.length) {
      double next = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
      while (i < x.length && x[i] <= next) {
        i++;
      }
      while (j < y.length && y[j] <= next) {
        j++;
      }
      ks = Math.max(ks, Math.abs((double) i / x.length - (double) j / y.length));
    }
    return ks;
  }

  private static FeatureStatistics numbers(double[] values) {
    ColumnStatistics statistics = new ColumnStatistics("x", ValueType.scalar(ScalarType.FLOAT64));
    try (BufferAllocator allocator = new RootAllocator();
        Float8Vector vector = new Float8Vector("x", allocator)) {
      vector.allocateNew(values.length);
      for (int i = 0; i < values.length; i++) {
        vector.set(i, values[i]);
      }
      vector.setValueCount(values.length);
      statistics.update(vector);
    }
    return statistics.result();
  }

  /** {@code a} a's, {@code b} b's, {@code c} c's and {@code nulls} nulls. */
  @Test
  void categoriesListedOnOneSideOnlyCountAsOtherOnBoth() {
    // 60 values, 50 of them listed per side: the baseline lists v0..v49 (101 rows each, v50..v59
    // 100), the current v10..v59. The distributions barely differ; a value listed on one side only
    // must not read as missing on the other.
    int[] baseline = new int[60];
    int[] current = new int[60];
    for (int v = 0; v < 60; v++) {
      baseline[v] = v < 50 ? 101 : 100;
      current[v] = v >= 10 ? 101 : 100;
    }
    FeatureStatistics before = categories(baseline);
    FeatureStatistics after = categories(current);
    assertThat(before.top()).hasSize(ColumnStatistics.TOP_VALUES);
    assertThat(before.otherValues()).isEqualTo(1000);
    FeatureDrift drift = Drift.compare("v:s", before, after, THRESHOLDS);
    // Named bins: v10..v49 (listed on both sides), then (other) and (null).
    assertThat(drift.psiBins()).hasSize(40 + 2).contains("v10", "v49").doesNotContain("v0", "v59");
    long rows = 60 * 100 + 50;
    double[] b = new double[42];
    double[] c = new double[42];
    for (int i = 0; i < 40; i++) {
      b[i] = 101.0 / rows;
      c[i] = 101.0 / rows;
    }
    b[40] = (10 * 101 + 10 * 100) / (double) rows;
    c[40] = (10 * 100 + 10 * 101) / (double) rows;
    assertThat(drift.psi()).isCloseTo(0.0, within(1e-12));
    assertThat(drift.baselineShares()).containsExactly(b, within(1e-12));
    assertThat(drift.currentShares()).containsExactly(c, within(1e-12));
    assertThat(drift.status()).isEqualTo(FeatureDrift.Status.PASS);
  }

  /** A category column with {@code counts[v]} rows of the value {@code v<v>}, no nulls. */
  private static FeatureStatistics categories(int[] counts) {
    ColumnStatistics statistics = new ColumnStatistics("s", ValueType.scalar(ScalarType.STRING));
    try (BufferAllocator allocator = new RootAllocator();
        VarCharVector vector = new VarCharVector("s", allocator)) {
      int rows = Arrays.stream(counts).sum();
      vector.allocateNew(rows);
      int i = 0;
      for (int v = 0; v < counts.length; v++) {
        for (int k = 0; k < counts[v]; k++) {
          vector.setSafe(i++, ("v" + v).getBytes());
        }
      }
      vector.setValueCount(rows);
      statistics.update(vector);
    }
    return statistics.result();
  }

  private static FeatureStatistics strings(int a, int b, int c, int nulls) {
    ColumnStatistics statistics = new ColumnStatistics("s", ValueType.scalar(ScalarType.STRING));
    try (BufferAllocator allocator = new RootAllocator();
        VarCharVector vector = new VarCharVector("s", allocator)) {
      int rows = a + b + c + nulls;
      vector.allocateNew(rows);
      int i = 0;
      for (String value : List.of("a", "b", "c")) {
        int n = value.equals("a") ? a : value.equals("b") ? b : c;
        for (int k = 0; k < n; k++) {
          vector.setSafe(i++, value.getBytes());
        }
      }
      while (i < rows) {
        vector.setNull(i++);
      }
      vector.setValueCount(rows);
      statistics.update(vector);
    }
    return statistics.result();
  }
}
