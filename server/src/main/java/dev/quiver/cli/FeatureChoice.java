package dev.quiver.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** {@code --features V:F,...} or {@code --feature-service NAME}: exactly one of them. */
final class FeatureChoice {

  @Option(
      names = "--features",
      paramLabel = "VIEW:FEATURE,...",
      split = ",",
      description = "Features in output order; a bare view name takes all its features.")
  List<String> features;

  @Option(names = "--feature-service", paramLabel = "NAME", description = "A feature service.")
  String featureService;

  /** The references, stripped of blanks; null when a service was chosen. */
  List<String> references() {
    return features == null ? null : features.stream().map(String::strip).toList();
  }
}
