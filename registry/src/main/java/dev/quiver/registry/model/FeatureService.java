package dev.quiver.registry.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named set of features a model consumes: whole views or single features.
 *
 * @param logging whether and how the server logs the rows it serves for the service; null for not
 */
public record FeatureService(
    String name,
    List<FeatureReference> features,
    String description,
    String owner,
    Map<String, String> tags,
    FeatureLogging logging,
    SourceLocation location) {

  public FeatureService {
    Objects.requireNonNull(name, "name");
    features = List.copyOf(features);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /** A service whose served rows are not logged. */
  public FeatureService(
      String name,
      List<FeatureReference> features,
      String description,
      String owner,
      Map<String, String> tags,
      SourceLocation location) {
    this(name, features, description, owner, tags, null, location);
  }
}
