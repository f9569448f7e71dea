package dev.quiver.registry;

import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureReference;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.ondemand.OnDemandPrograms;
import dev.quiver.registry.ondemand.Variable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The features a request asks for, resolved against the registry, in request order. A whole view
 * stands for its features in definition order.
 *
 * <p>{@link #requested()} is what the request asks for: stored features ({@link Selected}) and
 * on-demand features ({@link Computed}), in request order. {@link #features()} is what must be read
 * from the stores to answer it: the requested stored features in request order, then the input
 * features the requested on-demand expressions read that were not asked for. A selection without
 * on-demand features has the same features in both.
 */
public record FeatureSelection(List<Requested> requested, List<Selected> features) {

  /** A requested feature of either kind. */
  public sealed interface Requested permits Selected, Computed {

    /** The name of the feature's view. */
    String viewName();

    /** The feature's name and type. */
    Feature feature();

    /** {@code view__feature}, Feast's full feature name. */
    default String fullName() {
      return viewName() + "__" + feature().name();
    }

    /** {@code view:feature}, as requests write it. */
    default String reference() {
      return viewName() + ":" + feature().name();
    }

    default String outputName(boolean fullFeatureNames) {
      return fullFeatureNames ? fullName() : feature().name();
    }
  }

  /** One feature of one feature view: stored, and read from the stores. */
  public record Selected(FeatureView view, Feature feature) implements Requested {

    @Override
    public String viewName() {
      return view.name();
    }
  }

  /** One feature of an on-demand view: computed from request fields and input features. */
  public record Computed(OnDemandFeatureView view, OnDemandFeature definition, Feature feature)
      implements Requested {

    public Computed(OnDemandFeatureView view, OnDemandFeature definition) {
      this(view, definition, definition.asFeature());
    }

    @Override
    public String viewName() {
      return view.name();
    }
  }

  public FeatureSelection {
    requested = List.copyOf(requested);
    features = List.copyOf(features);
  }

  /** A selection of stored features only, each requested. */
  public static FeatureSelection ofStored(List<Selected> features) {
    return new FeatureSelection(List.copyOf(features), features);
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
    List<Requested> requested = new ArrayList<>();
    for (FeatureReference ref : references) {
      Optional<OnDemandFeatureView> onDemand = definitions.onDemandFeatureView(ref.view());
      List<Requested> ofReference =
          onDemand.isPresent()
              ? computed(onDemand.get(), ref)
              : stored(definitions, ref).stream().map(Requested.class::cast).toList();
      for (Requested r : ofReference) {
        if (!seen.add(r.reference())) {
          throw new InvalidRequestException(
              "Cannot retrieve features: " + what + " asks for '" + r.reference() + "' twice");
        }
        requested.add(r);
      }
    }
    return new FeatureSelection(requested, toRead(definitions, requested));
  }

  private static List<Selected> stored(Definitions definitions, FeatureReference ref) {
    FeatureView view =
        definitions
            .featureView(ref.view())
            .orElseThrow(
                () ->
                    new NoSuchObjectException(
                        "Cannot retrieve features: there is no feature view '"
                            + ref.view()
                            + "'"
                            + Suggestions.hint(ref.view(), viewNames(definitions))));
    if (ref.isWholeView()) {
      return view.features().stream().map(f -> new Selected(view, f)).toList();
    }
    Feature feature =
        view.feature(ref.feature())
            .orElseThrow(
                () ->
                    new NoSuchObjectException(
                        "Cannot retrieve features: feature view '"
                            + view.name()
                            + "' has no feature '"
                            + ref.feature()
                            + "'"
                            + Suggestions.hint(ref.feature(), view.featureNames())));
    return List.of(new Selected(view, feature));
  }

  private static List<Requested> computed(OnDemandFeatureView view, FeatureReference ref) {
    if (ref.isWholeView()) {
      return view.features().stream().map(f -> (Requested) new Computed(view, f)).toList();
    }
    OnDemandFeature feature =
        view.feature(ref.feature())
            .orElseThrow(
                () ->
                    new NoSuchObjectException(
                        "Cannot retrieve features: on-demand feature view '"
                            + view.name()
                            + "' has no feature '"
                            + ref.feature()
                            + "'"
                            + Suggestions.hint(ref.feature(), view.featureNames())));
    return List.of(new Computed(view, feature));
  }

  /** Feature views and on-demand views: the names a reference may start with. */
  private static List<String> viewNames(Definitions definitions) {
    List<String> names = new ArrayList<>(definitions.names(ObjectKind.FEATURE_VIEW));
    names.addAll(definitions.names(ObjectKind.ON_DEMAND_FEATURE_VIEW));
    return names;
  }

  /**
   * The stored features to read: the requested ones, then the inputs the requested on-demand
   * features read that were not requested, in the order their views declare them.
   */
  private static List<Selected> toRead(Definitions definitions, List<Requested> requested) {
    Map<String, Selected> read = new LinkedHashMap<>();
    for (Requested r : requested) {
      if (r instanceof Selected s) {
        read.put(s.reference(), s);
      }
    }
    for (Requested r : requested) {
      if (r instanceof Computed c) {
        for (Variable variable : OnDemandPrograms.reads(c, definitions)) {
          if (variable.isRequestField()) {
            continue;
          }
          FeatureView view = definitions.featureView(variable.view()).orElseThrow();
          Feature feature = view.feature(variable.feature()).orElseThrow();
          read.putIfAbsent(variable.view() + ":" + variable.feature(), new Selected(view, feature));
        }
      }
    }
    return List.copyOf(read.values());
  }

  /**
   * Per requested feature, in request order, the index of its stored feature in {@link
   * #features()}, or -1 for an on-demand one (the on-demand ones come in {@link #computed()}'s
   * order).
   */
  public int[] readIndexes() {
    Map<String, Integer> read = new HashMap<>();
    for (int f = 0; f < features.size(); f++) {
      read.put(features.get(f).reference(), f);
    }
    int[] indexes = new int[requested.size()];
    for (int r = 0; r < indexes.length; r++) {
      indexes[r] = requested.get(r) instanceof Selected s ? read.get(s.reference()) : -1;
    }
    return indexes;
  }

  /** Whether any requested feature is an on-demand one. */
  public boolean hasOnDemand() {
    return requested.stream().anyMatch(Computed.class::isInstance);
  }

  /** The requested on-demand features, in request order. */
  public List<Computed> computed() {
    return requested.stream().filter(Computed.class::isInstance).map(Computed.class::cast).toList();
  }

  /** The stored features to read, each as requested: what the stores answer. */
  public FeatureSelection stored() {
    return hasOnDemand() ? ofStored(features) : this;
  }

  /** The feature views to read, in order of first request. */
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

  /** The features to read of one view, in request order. */
  public List<Selected> of(FeatureView view) {
    return features.stream().filter(s -> s.view().name().equals(view.name())).toList();
  }

  /**
   * The output column names, checked against each other and against the entity columns.
   *
   * @throws InvalidRequestException naming both sides of a clash
   */
  public List<String> outputNames(boolean fullFeatureNames, List<String> entityColumns) {
    // Owners are described only on a clash: this runs for every online lookup.
    Map<String, Object> owners = new HashMap<>();
    for (String column : entityColumns) {
      owners.put(column, column);
    }
    List<String> names = new ArrayList<>(requested.size());
    for (Requested s : requested) {
      String name = s.outputName(fullFeatureNames);
      Object other = owners.putIfAbsent(name, s);
      if (other != null) {
        throw new InvalidRequestException(
            "Cannot retrieve features: "
                + owner(other)
                + " and "
                + owner(s)
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

  private static String owner(Object owner) {
    return owner instanceof Requested r
        ? "feature '" + r.reference() + "'"
        : "the entity column '" + owner + "'";
  }

  /** The references of the requested features as requests write them, in order. */
  public List<String> references() {
    return requested.stream().map(Requested::reference).toList();
  }
}
