package dev.quiver.registry.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Features computed when they are asked for, from values the caller sends with the request and the
 * features of other views: the same expressions serve training sets and online lookups, so the two
 * cannot drift apart.
 *
 * @param inputs the feature views whose features the expressions read, as {@code view.feature}
 * @param request the typed fields the caller supplies per row: columns of the entity rows offline,
 *     values beside the join keys online
 */
public record OnDemandFeatureView(
    String name,
    List<String> inputs,
    List<Feature> request,
    List<OnDemandFeature> features,
    String description,
    String owner,
    Map<String, String> tags,
    SourceLocation location) {

  public OnDemandFeatureView {
    Objects.requireNonNull(name, "name");
    inputs = List.copyOf(inputs);
    request = List.copyOf(request);
    features = List.copyOf(features);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public OnDemandFeatureView(
      String name, List<String> inputs, List<Feature> request, List<OnDemandFeature> features) {
    this(name, inputs, request, features, null, null, Map.of(), null);
  }

  public Optional<OnDemandFeature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  public List<String> featureNames() {
    return features.stream().map(OnDemandFeature::name).toList();
  }

  public Optional<Feature> requestField(String fieldName) {
    return request.stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }
}
