package dev.quiver.registry.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A feature service's entry: a whole view ({@code driver_hourly_stats}) or a single feature ({@code
 * driver_hourly_stats:conv_rate}).
 *
 * @param feature the feature name, or null for the whole view
 */
public record FeatureReference(String view, String feature) {

  public FeatureReference {
    Objects.requireNonNull(view, "view");
  }

  public static FeatureReference wholeView(String view) {
    return new FeatureReference(view, null);
  }

  public static FeatureReference of(String view, String feature) {
    return new FeatureReference(view, feature);
  }

  /** Parses {@code view} or {@code view:feature}; empty when the text has another shape. */
  public static Optional<FeatureReference> parse(String text) {
    String[] parts = text.strip().split(":", -1);
    if (parts.length == 1 && !parts[0].isEmpty()) {
      return Optional.of(wholeView(parts[0]));
    }
    if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
      return Optional.of(of(parts[0], parts[1]));
    }
    return Optional.empty();
  }

  public boolean isWholeView() {
    return feature == null;
  }

  @Override
  public String toString() {
    return isWholeView() ? view : view + ":" + feature;
  }
}
