package dev.quiver.monitoring.drift;

import dev.quiver.offline.stats.FeatureStatistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * How far a feature's current distribution moved from its baseline's.
 *
 * <p><b>PSI</b> (population stability index) is {@code sum over bins of (c - b) * ln(c / b)}, with
 * {@code b} and {@code c} the shares of the baseline's and the current rows in each bin, nulls
 * included as a bin of their own; an empty bin's share counts as {@link #EPSILON} (not
 * renormalized), so that a bin empty on one side adds a large but finite term. Numbers are binned
 * at the baseline's deciles ({@link #PSI_BINS} bins {@code (-inf, q10), [q10, q20), ..., [q90,
 * +inf)} from its KLL sketch; deciles that coincide merge), so each holds about a tenth of the
 * baseline; both sides' shares come from their KLL sketches. Categories are binned by value: the
 * baseline's and the current side's most frequent values, all other values as one bin.
 *
 * <p><b>KS</b> (Kolmogorov-Smirnov statistic, numbers only) is the largest distance between the two
 * cumulative distributions of the non-null values, evaluated at every value either KLL sketch
 * retains (exact when both sketches hold every value, within the sketches' rank errors otherwise).
 */
public final class Drift {

  /** The share an empty bin counts as in PSI. */
  public static final double EPSILON = 1e-4;

  /** Bins of a number's PSI: the baseline's deciles. */
  public static final int PSI_BINS = 10;

  /** Equal-width bins of a number's charts. */
  public static final int CHART_BINS = 20;

  /** Categories shown in a chart; the rest of them go to the "other" bar. */
  static final int CHART_CATEGORIES = 24;

  static final String NULL_BIN = "(null)";
  static final String OTHER_BIN = "(other)";

  private Drift() {}

  /** The thresholds a feature must stay at or under; {@code ks} null when KS is not checked. */
  public record Thresholds(double psi, Double ks) {
    public static final double DEFAULT_PSI = 0.2;
  }

  /** PSI of two sets of bin counts (shares from counts; empty bins at {@link #EPSILON}). */
  public static double psi(long[] baseline, long[] current) {
    return psi(shares(baseline), shares(current));
  }

  /** PSI of two sets of bin shares, each summing to 1 (empty bins at {@link #EPSILON}). */
  public static double psi(double[] baseline, double[] current) {
    if (baseline.length != current.length) {
      throw new IllegalArgumentException("PSI needs the same bins on both sides");
    }
    double psi = 0;
    for (int i = 0; i < baseline.length; i++) {
      double b = Math.max(baseline[i], EPSILON);
      double c = Math.max(current[i], EPSILON);
      psi += (c - b) * Math.log(c / b);
    }
    return psi;
  }

  private static double[] shares(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] shares = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      shares[i] = total == 0 ? 0 : (double) counts[i] / total;
    }
    return shares;
  }

  /** The KS statistic of two samples' sketches (see the class comment). */
  public static double ks(KllDoublesSketch baseline, KllDoublesSketch current) {
    if (baseline.isEmpty() || current.isEmpty()) {
      return Double.NaN;
    }
    TreeSet<Double> points = new TreeSet<>();
    for (double q : baseline.getSortedView().getQuantiles()) {
      points.add(q);
    }
    for (double q : current.getSortedView().getQuantiles()) {
      points.add(q);
    }
    double ks = 0;
    for (double x : points) {
      double distance =
          Math.abs(
              baseline.getRank(x, QuantileSearchCriteria.INCLUSIVE)
                  - current.getRank(x, QuantileSearchCriteria.INCLUSIVE));
      ks = Math.max(ks, distance);
    }
    return ks;
  }

  /**
   * Compares one feature.
   *
   * @param feature the feature's reference, {@code view:feature}
   * @param baseline its statistics in the baseline (null: the baseline has none)
   * @param current its statistics now (null: no current data)
   */
  public static FeatureDrift compare(
      String feature,
      FeatureStatistics baseline,
      FeatureStatistics current,
      Thresholds thresholds) {
    if (baseline == null) {
      return FeatureDrift.unchecked(
          feature, baseline, current, "the baseline has no statistics of it");
    }
    if (current == null || current.count() == 0) {
      return FeatureDrift.unchecked(feature, baseline, current, "no current rows");
    }
    if (baseline.kind() != current.kind()) {
      return FeatureDrift.unchecked(
          feature,
          baseline,
          current,
          "its type changed (" + baseline.type() + " -> " + current.type() + ")");
    }
    return switch (baseline.kind()) {
      case NUMBER -> numbers(feature, baseline, current, thresholds);
      case CATEGORY -> categories(feature, baseline, current, thresholds);
      case OTHER ->
          FeatureDrift.unchecked(
              feature, baseline, current, "no distribution is kept of type " + baseline.type());
    };
  }

  private static FeatureDrift numbers(
      String feature, FeatureStatistics baseline, FeatureStatistics current, Thresholds t) {
    KllDoublesSketch b = baseline.sketch();
    KllDoublesSketch c = current.sketch();
    if (b.isEmpty()) {
      return FeatureDrift.unchecked(feature, baseline, current, "the baseline has only nulls");
    }
    // The baseline's deciles, strictly increasing.
    TreeSet<Double> deciles = new TreeSet<>();
    for (int i = 1; i < PSI_BINS; i++) {
      deciles.add(b.getQuantile((double) i / PSI_BINS, QuantileSearchCriteria.INCLUSIVE));
    }
    double[] splits = deciles.stream().mapToDouble(Double::doubleValue).toArray();
    double[] bShares = numberShares(b, baseline, splits);
    double[] cShares = numberShares(c, current, splits);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i <= splits.length; i++) {
      String low = i == 0 ? "-inf" : format(splits[i - 1]);
      String high = i == splits.length ? "+inf" : format(splits[i]);
      labels.add("[" + low + ", " + high + ")");
    }
    labels.add(NULL_BIN);
    double psi = psi(bShares, cShares);
    Double ks = c.isEmpty() ? null : ks(b, c);

    // Charts: equal-width bins over both sides' range.
    double low = Math.min(baseline.min(), current.min() == null ? baseline.min() : current.min());
    double high = Math.max(baseline.max(), current.max() == null ? baseline.max() : current.max());
    List<FeatureDrift.Bin> chart = new ArrayList<>();
    boolean nulls = baseline.nulls() > 0 || current.nulls() > 0;
    if (high > low && !Double.isInfinite(high - low)) {
      double[] edges = new double[CHART_BINS - 1];
      for (int i = 1; i < CHART_BINS; i++) {
        edges[i - 1] = low + (high - low) * i / CHART_BINS;
      }
      double[] bChart = numberShares(b, baseline, edges);
      double[] cChart = numberShares(c, current, edges);
      for (int i = 0; i < CHART_BINS; i++) {
        double from = i == 0 ? low : edges[i - 1];
        double to = i == CHART_BINS - 1 ? high : edges[i];
        chart.add(new FeatureDrift.Bin(from, to, null, bChart[i], cChart[i]));
      }
      if (nulls) {
        chart.add(
            new FeatureDrift.Bin(null, null, NULL_BIN, bChart[CHART_BINS], cChart[CHART_BINS]));
      }
    } else {
      double[] bChart = numberShares(b, baseline, new double[0]);
      double[] cChart = numberShares(c, current, new double[0]);
      chart.add(new FeatureDrift.Bin(low, high, null, bChart[0], cChart[0]));
      if (nulls) {
        chart.add(new FeatureDrift.Bin(null, null, NULL_BIN, bChart[1], cChart[1]));
      }
    }
    return FeatureDrift.checked(
        feature, baseline, current, psi, ks, labels, bShares, cShares, chart, t);
  }

  /**
   * The shares of all rows in the bins the splits make ({@code (-inf, s0), [s0, s1) ...}), then the
   * nulls' share.
   */
  private static double[] numberShares(
      KllDoublesSketch sketch, FeatureStatistics statistics, double[] splits) {
    double[] shares = new double[splits.length + 2];
    double valueShare = 1 - statistics.nullFraction();
    if (!sketch.isEmpty()) {
      double[] pmf =
          splits.length == 0
              ? new double[] {1}
              : sketch.getPMF(splits, QuantileSearchCriteria.EXCLUSIVE);
      for (int i = 0; i < pmf.length; i++) {
        shares[i] = pmf[i] * valueShare;
      }
    }
    shares[splits.length + 1] = statistics.nullFraction();
    return shares;
  }

  private static FeatureDrift categories(
      String feature, FeatureStatistics baseline, FeatureStatistics current, Thresholds t) {
    Map<String, Long> b = counts(baseline);
    Map<String, Long> c = counts(current);
    // A value has a bin of its own only when both sides' counts of it are known: it is in a side's
    // top values, or that side lists every value. Otherwise its rows sit in a side's other values,
    // and a bin of its own would show a shift that is not there; it joins (other) on both sides.
    Set<String> values = new LinkedHashSet<>();
    for (String value : union(b.keySet(), c.keySet())) {
      if (known(baseline, b, value) && known(current, c, value)) {
        values.add(value);
      }
    }
    List<String> labels = new ArrayList<>(values);
    labels.add(OTHER_BIN);
    labels.add(NULL_BIN);
    double[] bShares = categoryShares(baseline, b, values);
    double[] cShares = categoryShares(current, c, values);
    double psi = psi(bShares, cShares);
    // Charts: the first values, then every other value as one bar, then the nulls.
    List<FeatureDrift.Bin> chart = new ArrayList<>();
    int named = values.size();
    double bOther = bShares[named];
    double cOther = cShares[named];
    for (int i = 0; i < named; i++) {
      if (i < CHART_CATEGORIES) {
        chart.add(new FeatureDrift.Bin(null, null, labels.get(i), bShares[i], cShares[i]));
      } else {
        bOther += bShares[i];
        cOther += cShares[i];
      }
    }
    if (bOther > 0 || cOther > 0) {
      chart.add(new FeatureDrift.Bin(null, null, OTHER_BIN, bOther, cOther));
    }
    if (bShares[named + 1] > 0 || cShares[named + 1] > 0) {
      chart.add(new FeatureDrift.Bin(null, null, NULL_BIN, bShares[named + 1], cShares[named + 1]));
    }
    return FeatureDrift.checked(
        feature, baseline, current, psi, null, labels, bShares, cShares, chart, t);
  }

  private static Map<String, Long> counts(FeatureStatistics statistics) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (FeatureStatistics.TopValue value : statistics.top()) {
      counts.put(value.value(), value.count());
    }
    return counts;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> union = new LinkedHashSet<>(a);
    union.addAll(b);
    return union;
  }

  /** Whether a side's count of {@code value} is known: listed, or the side lists every value. */
  private static boolean known(
      FeatureStatistics statistics, Map<String, Long> counts, String value) {
    return counts.containsKey(value) || statistics.otherValues() == 0;
  }

  /**
   * Shares of each value, then of every other value (those not listed, and those listed on one side
   * only), then of the nulls.
   */
  private static double[] categoryShares(
      FeatureStatistics statistics, Map<String, Long> counts, Set<String> values) {
    double[] shares = new double[values.size() + 2];
    double rows = statistics.count();
    long named = 0;
    int i = 0;
    for (String value : values) {
      long count = counts.getOrDefault(value, 0L);
      named += count;
      shares[i++] = count / rows;
    }
    long others = Math.max(0, statistics.count() - statistics.nulls() - named);
    shares[i++] = others / rows;
    shares[i] = statistics.nulls() / rows;
    return shares;
  }

  /** A number as the charts and tables write it (a bin edge, a PSI): short. */
  public static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    double magnitude = Math.abs(value);
    if (magnitude >= 1e6 || magnitude < 1e-4) {
      return String.format(java.util.Locale.ROOT, "%.3g", value);
    }
    if (magnitude < 1e-3) {
      return String.format(java.util.Locale.ROOT, "%.2g", value).replaceAll("\\.?0+$", "");
    }
    return String.format(java.util.Locale.ROOT, "%.4g", value).replaceAll("\\.?0+$", "");
  }
}
