package dev.quiver.registry.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A group of features read from one source and keyed by one or more entities.
 *
 * @param ttl how far back a value stays valid; {@link Duration#ZERO} means no limit
 * @param online whether the view is materialized into the online store
 * @param knownTime when a row counts as known: from its event time, or from its created time
 * @param features the view's features; for an aggregation view, those its aggregations produce
 * @param aggregations windowed aggregations over the source's events; empty for a plain view
 * @param hop the step every window of an aggregation view slides by; null for each window's default
 *     ({@link WindowText#defaultHop})
 * @param freshness how old the view's newest online event may be for the view to count as fresh
 *     ({@code freshness: 2h}); null when the view sets no goal
 * @param validation what a write does when a batch breaks its features' rules ({@code
 *     validation:}); null when not written ({@link #validationMode} gives the default)
 */
public record FeatureView(
    String name,
    List<String> entities,
    String source,
    Duration ttl,
    boolean online,
    KnownTime knownTime,
    List<Feature> features,
    List<Aggregation> aggregations,
    Duration hop,
    String description,
    String owner,
    Map<String, String> tags,
    SourceLocation location,
    Duration freshness,
    ValidationMode validation) {

  public FeatureView {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    entities = List.copyOf(entities);
    ttl = ttl == null ? Duration.ZERO : ttl;
    knownTime = knownTime == null ? KnownTime.EVENT : knownTime;
    aggregations = aggregations == null ? List.of() : List.copyOf(aggregations);
    if (!aggregations.isEmpty()) {
      List<Feature> produced =
          aggregateFeatures(aggregations, hop).stream().map(AggregateFeature::asFeature).toList();
      if (!features.isEmpty() && !features.equals(produced)) {
        throw new IllegalArgumentException(
            "feature view '" + name + "' has both features and aggregations");
      }
      features = produced;
    }
    features = List.copyOf(features);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /**
   * The columns the view reads from its source besides join keys and timestamps, by their names in
   * definitions (before {@code field_mapping}) and declared types: a plain view's features, or the
   * columns its aggregations aggregate, each once.
   */
  public List<Feature> sourceColumns() {
    if (!isAggregation()) {
      return features;
    }
    Map<String, Feature> columns = new java.util.LinkedHashMap<>();
    for (Aggregation aggregation : aggregations) {
      if (aggregation.column() != null) {
        columns.putIfAbsent(
            aggregation.column(), Feature.of(aggregation.column(), aggregation.type()));
      }
    }
    return List.copyOf(columns.values());
  }

  /** Whether the view's features are windowed aggregations of its source's events. */
  public boolean isAggregation() {
    return !aggregations.isEmpty();
  }

  /**
   * The features the aggregations produce, in definition order (aggregation, then window), in the
   * same order as {@link #features()}; empty for a plain view.
   */
  public List<AggregateFeature> aggregateFeatures() {
    return aggregateFeatures(aggregations, hop);
  }

  private static List<AggregateFeature> aggregateFeatures(
      List<Aggregation> aggregations, Duration hop) {
    List<AggregateFeature> produced = new java.util.ArrayList<>();
    for (Aggregation aggregation : aggregations) {
      for (Duration window : aggregation.windows()) {
        produced.add(
            aggregation.feature(window, hop == null ? WindowText.defaultHop(window) : hop));
      }
    }
    return produced;
  }

  /** Whether any feature has validation rules ({@code expect}). */
  public boolean hasRules() {
    return features.stream().anyMatch(f -> f.expect() != null);
  }

  /** What a write does when a batch breaks the rules: as written, else {@code warn}. */
  public ValidationMode validationMode() {
    return validation == null ? ValidationMode.WARN : validation;
  }

  public boolean hasTtl() {
    return !ttl.isZero();
  }

  public Optional<Feature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  public List<String> featureNames() {
    return features.stream().map(Feature::name).toList();
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a view; everything but the name, entities, source and features has a default. */
  public static final class Builder {
    private final String name;
    private List<String> entities = List.of();
    private String source;
    private Duration ttl = Duration.ZERO;
    private boolean online = true;
    private KnownTime knownTime = KnownTime.EVENT;
    private List<Feature> features = List.of();
    private List<Aggregation> aggregations = List.of();
    private Duration hop;
    private String description;
    private String owner;
    private Map<String, String> tags = Map.of();
    private SourceLocation location;
    private Duration freshness;
    private ValidationMode validation;

    private Builder(String name) {
      this.name = name;
    }

    public Builder entities(String... names) {
      this.entities = List.of(names);
      return this;
    }

    public Builder entities(List<String> names) {
      this.entities = names;
      return this;
    }

    public Builder source(String sourceName) {
      this.source = sourceName;
      return this;
    }

    public Builder ttl(Duration value) {
      this.ttl = value;
      return this;
    }

    public Builder online(boolean value) {
      this.online = value;
      return this;
    }

    public Builder knownTime(KnownTime value) {
      this.knownTime = value;
      return this;
    }

    public Builder features(Feature... values) {
      this.features = List.of(values);
      return this;
    }

    public Builder features(List<Feature> values) {
      this.features = values;
      return this;
    }

    public Builder aggregations(Aggregation... values) {
      this.aggregations = List.of(values);
      return this;
    }

    public Builder aggregations(List<Aggregation> values) {
      this.aggregations = values;
      return this;
    }

    /** The hop of every window; null (the default) for each window's own default. */
    public Builder hop(Duration value) {
      this.hop = value;
      return this;
    }

    public Builder description(String value) {
      this.description = value;
      return this;
    }

    public Builder owner(String value) {
      this.owner = value;
      return this;
    }

    public Builder tags(Map<String, String> value) {
      this.tags = value;
      return this;
    }

    public Builder location(SourceLocation value) {
      this.location = value;
      return this;
    }

    /** The freshness goal; null (the default) for none. */
    public Builder freshness(Duration value) {
      this.freshness = value;
      return this;
    }

    /** What a write does when a batch breaks the rules; null (the default) for warn. */
    public Builder validation(ValidationMode value) {
      this.validation = value;
      return this;
    }

    public FeatureView build() {
      return new FeatureView(
          name,
          entities,
          source,
          ttl,
          online,
          knownTime,
          features,
          aggregations,
          hop,
          description,
          owner,
          tags,
          location,
          freshness,
          validation);
    }
  }
}
