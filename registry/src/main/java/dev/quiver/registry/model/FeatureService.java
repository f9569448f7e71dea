package dev.quiver.registry.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A named set of features a model consumes: whole views or single features. */
public record FeatureService(
    String name,
    List<FeatureReference> features,
    String description,
    String owner,
    Map<String, String> tags,
    SourceLocation location) {

  public FeatureService {
    Objects.requireNonNull(name, "name");
    features = List.copyOf(features);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }
}
