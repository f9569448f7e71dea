package dev.quiver.registry;

import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureReference;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ObjectKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The features a request asks for, resolved against the registry, in request order. A whole view
 * stands for its features in definition order.
 */
public record FeatureSelection(List<Selected> features) {

  /** One requested feature of one view. */
  public record Selected(FeatureView view, Feature feature) {

    /** {@code view__feature}, Feast's full feature name. */
    public String fullName() {
      return view.name() + "__" + feature.name();
    }

    /** {@code view:feature}, as requests write it. */
    public String reference() {
      return view.name() + ":" + feature.name();
    }

    public String outputName(boolean fullFeatureNames) {
      return fullFeatureNames ? fullName() : feature.name();
    }
  }

  public FeatureSelection {
    features = List.copyOf(features);
  }

  /**
   * Resolves {@code view:feature} references (a bare {@code view} selects the whole view).
   *
   * @throws NoSuchObjectException for an unknown view or feature
   * @throws InvalidRequestException for an empty list, a malformed or a repeated reference
   */
  public static FeatureSelection of(Definitions definitions, List<String> references) {
    if (references.isEmpty()) {
      throw new InvalidRequestException("Cannot retrieve features: no features were requested");
    }
    List<FeatureReference> parsed = new ArrayList<>();
    for (String text : references) {
      parsed.add(
          FeatureReference.parse(text)
              .orElseThrow(
                  () ->
                      new InvalidRequestException(
                          "Cannot retrieve features: '"
                              + text
                              + "' is not a feature reference; write 'view:feature' or 'view'")));
    }
    return resolve(definitions, parsed, "the request");
  }

  /**
   * The features of a service when {@code serviceName} is given, else the {@code references}: the
   * two ways a request may ask.
   */
  public static FeatureSelection of(
      Definitions definitions, String serviceName, List<String> references) {
    return serviceName != null ? ofService(definitions, serviceName) : of(definitions, references);
  }

  /**
   * Resolves a feature service's features.
   *
   * @throws NoSuchObjectException when there is no such service
   */
  public static FeatureSelection ofService(Definitions definitions, String serviceName) {
    FeatureService service =
        definitions
            .featureService(serviceName)
            .orElseThrow(
                () ->
                    new NoSuchObjectException(
                        "Cannot retrieve features: there is no feature service '"
                            + serviceName
                            + "'"
                            + Suggestions.hint(
                                serviceName, definitions.names(ObjectKind.FEATURE_SERVICE))));
    return resolve(definitions, service.features(), "feature service '" + serviceName + "'");
  }

  private static FeatureSelection resolve(
      Definitions definitions, List<FeatureReference> references, String what) {
    Set<String> seen = new LinkedHashSet<>();
    List<Selected> selected = new ArrayList<>();
    for (FeatureReference ref : references) {
      FeatureView view =
          definitions
              .featureView(ref.view())
              .orElseThrow(
                  () ->
                      new NoSuchObjectException(
                          "Cannot retrieve features: there is no feature view '"
                              + ref.view()
                              + "'"
                              + Suggestions.hint(
                                  ref.view(), definitions.names(ObjectKind.FEATURE_VIEW))));
      List<Feature> features;
      if (ref.isWholeView()) {
        features = view.features();
      } else {
        features =
            List.of(
                view.feature(ref.feature())
                    .orElseThrow(
                        () ->
                            new NoSuchObjectException(
                                "Cannot retrieve features: feature view '"
                                    + view.name()
                                    + "' has no feature '"
                                    + ref.feature()
                                    + "'"
                                    + Suggestions.hint(ref.feature(), view.featureNames()))));
      }
      for (Feature feature : features) {
        Selected s = new Selected(view, feature);
        if (!seen.add(s.reference())) {
          throw new InvalidRequestException(
              "Cannot retrieve features: " + what + " asks for '" + s.reference() + "' twice");
        }
        selected.add(s);
      }
    }
    return new FeatureSelection(selected);
  }

  /** The views involved, in order of first request. */
  public List<FeatureView> views() {
    Map<String, FeatureView> views = new LinkedHashMap<>();
    features.forEach(s -> views.putIfAbsent(s.view().name(), s.view()));
    return List.copyOf(views.values());
  }

  /** The type of every join key the selected views need. */
  public Map<String, dev.quiver.registry.model.ScalarType> joinKeyTypes(
      dev.quiver.registry.model.Definitions definitions) {
    Map<String, dev.quiver.registry.model.ScalarType> keyTypes = new LinkedHashMap<>();
    for (FeatureView view : views()) {
      definitions.entitiesOf(view).forEach(e -> keyTypes.put(e.joinKey(), e.type()));
    }
    return keyTypes;
  }

  /** The selected features of one view, in request order. */
  public List<Selected> of(FeatureView view) {
    return features.stream().filter(s -> s.view().name().equals(view.name())).toList();
  }

  /**
   * The output column names, checked against each other and against the entity columns.
   *
   * @throws InvalidRequestException naming both sides of a clash
   */
  public List<String> outputNames(boolean fullFeatureNames, List<String> entityColumns) {
    Map<String, String> owners = new HashMap<>();
    for (String column : entityColumns) {
      owners.put(column, "the entity column '" + column + "'");
    }
    List<String> names = new ArrayList<>();
    for (Selected s : features) {
      String name = s.outputName(fullFeatureNames);
      String owner = "feature '" + s.reference() + "'";
      String other = owners.putIfAbsent(name, owner);
      if (other != null) {
        throw new InvalidRequestException(
            "Cannot retrieve features: "
                + other
                + " and "
                + owner
                + " would both be named '"
                + name
                + "'"
                + (fullFeatureNames
                    ? ""
                    : "; ask for full feature names (view__feature) to tell them apart"));
      }
      names.add(name);
    }
    return names;
  }

  /** The references as requests write them, in order. */
  public List<String> references() {
    return features.stream().map(Selected::reference).toList();
  }
}
