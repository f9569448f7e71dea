package dev.quiver.registry.model;

import dev.quiver.QuiverException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every object of a project, each list sorted by name so that equal content has one form. This is
 * what a repo declares and what a registry version holds.
 */
public record Definitions(
    List<Entity> entities,
    List<ParquetSource> sources,
    List<FeatureView> featureViews,
    List<FeatureService> featureServices,
    List<KafkaSource> streamSources,
    List<OnDemandFeatureView> onDemandFeatureViews) {

  public static final Definitions EMPTY =
      new Definitions(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

  public Definitions {
    entities = sortedByName(entities, Entity::name);
    sources = sortedByName(sources, ParquetSource::name);
    streamSources = sortedByName(streamSources, KafkaSource::name);
    featureViews = sortedByName(featureViews, FeatureView::name);
    featureServices = sortedByName(featureServices, FeatureService::name);
    onDemandFeatureViews = sortedByName(onDemandFeatureViews, OnDemandFeatureView::name);
  }

  /** Definitions without on-demand views. */
  public Definitions(
      List<Entity> entities,
      List<ParquetSource> sources,
      List<FeatureView> featureViews,
      List<FeatureService> featureServices,
      List<KafkaSource> streamSources) {
    this(entities, sources, featureViews, featureServices, streamSources, List.of());
  }

  /** Definitions without stream sources. */
  public Definitions(
      List<Entity> entities,
      List<ParquetSource> sources,
      List<FeatureView> featureViews,
      List<FeatureService> featureServices) {
    this(entities, sources, featureViews, featureServices, List.of(), List.of());
  }

  public Optional<Entity> entity(String name) {
    return entities.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  public Optional<ParquetSource> source(String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<KafkaSource> streamSource(String name) {
    return streamSources.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The stream source a view is kept fresh from, when its source is one. */
  public Optional<KafkaSource> streamSourceOf(FeatureView view) {
    return streamSource(view.source());
  }

  /** The source a view's events come from: a Parquet source or a stream source. */
  public Optional<EventSource> eventSource(String name) {
    return source(name).<EventSource>map(s -> s).or(() -> streamSource(name));
  }

  public Optional<FeatureView> featureView(String name) {
    return featureViews.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  public Optional<OnDemandFeatureView> onDemandFeatureView(String name) {
    return onDemandFeatureViews.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  public Optional<FeatureService> featureService(String name) {
    return featureServices.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * The Parquet source a view reads offline: its source, or the batch source of its stream source.
   *
   * @throws QuiverException when it is not among these definitions
   */
  public ParquetSource sourceOf(FeatureView view) {
    String name = offlineSourceName(view);
    return source(name)
        .orElseThrow(
            () ->
                new QuiverException(
                    "Cannot read feature view '"
                        + view.name()
                        + "': its source '"
                        + name
                        + "' is not registered"));
  }

  /** The name of the Parquet source a view reads offline ({@link #sourceOf}). */
  public String offlineSourceName(FeatureView view) {
    return streamSourceOf(view).map(KafkaSource::batchSource).orElse(view.source());
  }

  /**
   * The entities that key a view, in the view's order.
   *
   * @throws QuiverException when one is not among these definitions
   */
  public List<Entity> entitiesOf(FeatureView view) {
    List<Entity> keys = new ArrayList<>();
    for (String name : view.entities()) {
      keys.add(
          entity(name)
              .orElseThrow(
                  () ->
                      new QuiverException(
                          "Cannot read feature view '"
                              + view.name()
                              + "': its entity '"
                              + name
                              + "' is not registered")));
    }
    return keys;
  }

  /** The names of every object of one kind, sorted. */
  public List<String> names(ObjectKind kind) {
    return switch (kind) {
      case ENTITY -> entities.stream().map(Entity::name).toList();
      case SOURCE ->
          java.util.stream.Stream.concat(
                  sources.stream().map(ParquetSource::name),
                  streamSources.stream().map(KafkaSource::name))
              .sorted()
              .toList();
      case FEATURE_VIEW -> featureViews.stream().map(FeatureView::name).toList();
      case ON_DEMAND_FEATURE_VIEW ->
          onDemandFeatureViews.stream().map(OnDemandFeatureView::name).toList();
      case FEATURE_SERVICE -> featureServices.stream().map(FeatureService::name).toList();
    };
  }

  public boolean isEmpty() {
    return entities.isEmpty()
        && sources.isEmpty()
        && streamSources.isEmpty()
        && featureViews.isEmpty()
        && onDemandFeatureViews.isEmpty()
        && featureServices.isEmpty();
  }

  private static <T> List<T> sortedByName(List<T> items, Function<T, String> name) {
    return items.stream().sorted(Comparator.comparing(name)).toList();
  }
}
