package dev.quiver.monitoring.drift;

import dev.quiver.offline.stats.FeatureStatistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One feature's drift: its PSI (and KS for numbers) against the thresholds, the PSI bins with both
 * sides' shares, and the bins its charts draw.
 *
 * @param feature {@code view:feature}
 * @param baseline the baseline's statistics; null when it has none
 * @param current the current statistics; null when there are none
 * @param psi null when unchecked ({@code note} says why)
 * @param ks null for categories, unchecked features and an empty current side
 * @param psiBins the labels of the PSI bins
 * @param baselineShares the baseline's share of rows in each PSI bin
 * @param currentShares the current side's
 * @param chart the bars of the two histograms, same bins on both sides
 * @param note why the feature was not checked; null when it was
 */
public record FeatureDrift(
    String feature,
    FeatureStatistics baseline,
    FeatureStatistics current,
    Double psi,
    Double ks,
    List<String> psiBins,
    double[] baselineShares,
    double[] currentShares,
    List<Bin> chart,
    Status status,
    String note) {

  /**
   * A bar of the charts: a range of numbers {@code [from, to)} or a category ({@code label}), and
   * each side's share of rows in it.
   */
  public record Bin(Double from, Double to, String label, double baseline, double current) {

    /** What the bar stands for, as an axis writes it. */
    public String text() {
      return label != null ? label : Drift.format(from) + " to " + Drift.format(to);
    }
  }

  /** The verdict. */
  public enum Status {
    /** Under every threshold. */
    PASS,
    /** Over a threshold. */
    DRIFT,
    /** Not compared ({@link #note} says why). */
    UNCHECKED;

    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static FeatureDrift unchecked(
      String feature, FeatureStatistics baseline, FeatureStatistics current, String note) {
    return new FeatureDrift(
        feature,
        baseline,
        current,
        null,
        null,
        List.of(),
        new double[0],
        new double[0],
        List.of(),
        Status.UNCHECKED,
        note);
  }

  static FeatureDrift checked(
      String feature,
      FeatureStatistics baseline,
      FeatureStatistics current,
      double psi,
      Double ks,
      List<String> psiBins,
      double[] baselineShares,
      double[] currentShares,
      List<Bin> chart,
      Drift.Thresholds thresholds) {
    boolean over =
        psi > thresholds.psi() || (ks != null && thresholds.ks() != null && ks > thresholds.ks());
    return new FeatureDrift(
        feature,
        baseline,
        current,
        psi,
        ks,
        List.copyOf(psiBins),
        baselineShares,
        currentShares,
        List.copyOf(chart),
        over ? Status.DRIFT : Status.PASS,
        null);
  }

  public boolean psiOver(Drift.Thresholds thresholds) {
    return psi != null && psi > thresholds.psi();
  }

  public boolean ksOver(Drift.Thresholds thresholds) {
    return ks != null && thresholds.ks() != null && ks > thresholds.ks();
  }

  /** As {@code --json} prints it. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("feature", feature);
    map.put("kind", baseline == null ? null : baseline.kind().name().toLowerCase());
    map.put("status", status.jsonName());
    map.put("psi", psi);
    map.put("ks", ks);
    map.put("baseline_rows", baseline == null ? null : baseline.count());
    map.put("current_rows", current == null ? null : current.count());
    map.put("baseline_null_fraction", baseline == null ? null : baseline.nullFraction());
    map.put("current_null_fraction", current == null ? null : current.nullFraction());
    if (note != null) {
      map.put("note", note);
    }
    List<Object> bins = new ArrayList<>();
    for (int i = 0; i < psiBins.size(); i++) {
      Map<String, Object> bin = new LinkedHashMap<>();
      bin.put("bin", psiBins.get(i));
      bin.put("baseline", baselineShares[i]);
      bin.put("current", currentShares[i]);
      bins.add(bin);
    }
    map.put("psi_bins", bins);
    return map;
  }
}
