package dev.quiver.monitoring.drift;

import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.stats.FeatureStatistics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drift of every feature of a baseline (a training set's manifest) against current statistics.
 *
 * @param baseline what the baseline is, for people (the manifest's path)
 * @param current what the current side is (a source window, a service's logs since a time)
 * @param createdAt when the report was made
 */
public record DriftReport(
    String baseline,
    String current,
    Instant createdAt,
    Drift.Thresholds thresholds,
    List<FeatureDrift> features) {

  /**
   * Compares each feature of the manifest (its statistics keyed by the training set's column, which
   * is {@code feature} or {@code view__feature}) that {@code current} (keyed by reference) has.
   */
  public static DriftReport of(
      DatasetManifest manifest,
      String baseline,
      Map<String, FeatureStatistics> current,
      String currentName,
      Drift.Thresholds thresholds,
      Instant now) {
    List<FeatureDrift> features = new ArrayList<>();
    for (String reference : manifest.features()) {
      if (!current.containsKey(reference)) {
        continue;
      }
      String column = columnOf(reference, manifest.fullFeatureNames());
      features.add(
          Drift.compare(
              reference,
              manifest.statisticsOf(column).orElse(null),
              current.get(reference),
              thresholds));
    }
    return new DriftReport(baseline, currentName, now, thresholds, features);
  }

  /** The training set's column of a feature reference {@code view:feature}. */
  public static String columnOf(String reference, boolean fullFeatureNames) {
    int colon = reference.indexOf(':');
    return fullFeatureNames
        ? reference.substring(0, colon) + "__" + reference.substring(colon + 1)
        : reference.substring(colon + 1);
  }

  /** Whether any feature is over a threshold. */
  public boolean drifted() {
    return features.stream().anyMatch(f -> f.status() == FeatureDrift.Status.DRIFT);
  }

  public long count(FeatureDrift.Status status) {
    return features.stream().filter(f -> f.status() == status).count();
  }

  /** As {@code --json} prints it. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("baseline", baseline);
    map.put("current", current);
    map.put("created_at", createdAt.toString());
    map.put("psi_threshold", thresholds.psi());
    map.put("ks_threshold", thresholds.ks());
    map.put("drifted", drifted());
    List<Object> list = new ArrayList<>();
    features.forEach(f -> list.add(f.toMap()));
    map.put("features", list);
    return map;
  }
}
