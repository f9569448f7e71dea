package dev.quiver.registry.load;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.EventSource;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureReference;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.SourceLocation;
import dev.quiver.registry.ondemand.OnDemandCompiler;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks what single objects cannot: references between objects, and names that would collide when
 * views are joined. Problems point at the value that is wrong, not just its object.
 */
final class DefinitionValidator {

  private final Definitions definitions;
  private final Map<ObjectKind, Map<String, SourceLocation>> declared;
  private final DefinitionLocations locations;
  private final Problems problems;
  private final DefinitionParser parsed;

  DefinitionValidator(DefinitionParser parsed, DefinitionLocations locations, Problems problems) {
    this.parsed = parsed;
    this.definitions = parsed.definitions();
    this.declared = parsed.declared();
    this.locations = locations;
    this.problems = problems;
  }

  void validate() {
    Map<String, String> sourceByTopic = new HashMap<>();
    for (KafkaSource source : definitions.streamSources()) {
      validateStreamSource(source, sourceByTopic);
    }
    definitions.featureViews().forEach(this::validateView);
    definitions.onDemandFeatureViews().forEach(this::validateOnDemandView);
    validateRequestFieldTypes();
    definitions.featureServices().forEach(this::validateService);
  }

  /**
   * A request field's name means one value of one type in a request (a column of the entity rows, a
   * key beside the join keys), whichever views read it: two on-demand views may share a field only
   * with the same type.
   */
  private void validateRequestFieldTypes() {
    Map<String, OnDemandFeatureView> first = new HashMap<>();
    for (OnDemandFeatureView view : definitions.onDemandFeatureViews()) {
      for (Feature field : view.request()) {
        OnDemandFeatureView other = first.putIfAbsent(field.name(), view);
        if (other == null || other == view) {
          continue;
        }
        Feature declared = other.requestField(field.name()).orElseThrow();
        if (!declared.type().equals(field.type())) {
          problems.add(
              locations
                  .namedItem(
                      ObjectKind.ON_DEMAND_FEATURE_VIEW, view.name(), "request", field.name())
                  .orElseThrow(),
              "request field '"
                  + field.name()
                  + "' of on-demand feature view '"
                  + view.name()
                  + "' is "
                  + field.type()
                  + ", but on-demand feature view '"
                  + other.name()
                  + "' declares it "
                  + declared.type()
                  + ": a request carries one value per field name, so give both one type or"
                  + " rename one");
        }
      }
    }
  }

  private void validateOnDemandView(OnDemandFeatureView view) {
    ObjectKind kind = ObjectKind.ON_DEMAND_FEATURE_VIEW;
    String subject = "on-demand feature view '" + view.name() + "'";
    SourceLocation sameName = declared.get(ObjectKind.FEATURE_VIEW).get(view.name());
    if (sameName != null) {
      problems.add(
          view.location(),
          subject
              + " has the name of a feature view (defined at "
              + sameName
              + "): 'view:feature' references would not know which; rename one");
    }
    boolean inputsKnown = true;
    Set<String> seenInputs = new HashSet<>();
    for (String input : view.inputs()) {
      SourceLocation at = itemLocation(kind, view.name(), "inputs", input);
      if (!seenInputs.add(input)) {
        problems.add(at, subject + " lists input '" + input + "' twice; remove one");
      } else if (!declared.get(ObjectKind.FEATURE_VIEW).containsKey(input)
          && declared.get(ObjectKind.ON_DEMAND_FEATURE_VIEW).containsKey(input)) {
        problems.add(
            at,
            subject
                + " reads on-demand feature view '"
                + input
                + "': inputs are feature views; copy the expression you need instead");
        inputsKnown = false;
      } else if (!declared.get(ObjectKind.FEATURE_VIEW).containsKey(input)) {
        reportUnknownReference(at, subject, ObjectKind.FEATURE_VIEW, input);
        inputsKnown = false;
      } else if (definitions.featureView(input).isEmpty()) {
        inputsKnown = false; // it has its own problem
      }
    }
    Map<String, String> joinKeys = new HashMap<>();
    definitions.entities().forEach(e -> joinKeys.put(e.joinKey(), e.name()));
    Set<String> fields = new HashSet<>();
    int problemsBefore = problems.all().size();
    for (Feature field : view.request()) {
      SourceLocation at =
          locations.namedItem(kind, view.name(), "request", field.name()).orElseThrow();
      String fieldSubject = "request field '" + field.name() + "' of " + subject;
      if (!fields.add(field.name())) {
        problems.add(
            at, subject + " has two request fields named '" + field.name() + "'; rename one");
      } else if (view.inputs().contains(field.name())) {
        problems.add(
            at,
            fieldSubject
                + " has the name of an input view: '"
                + field.name()
                + ".x' would be ambiguous; rename the field");
      } else if (joinKeys.containsKey(field.name())) {
        problems.add(
            at,
            fieldSubject
                + " has the name of the join key of entity '"
                + joinKeys.get(field.name())
                + "': request fields are sent beside the join keys, so rename the field");
      } else if (view.feature(field.name()).isPresent()) {
        problems.add(
            at,
            fieldSubject
                + " has the name of one of the view's features: the request column and the"
                + " feature's column would both be named '"
                + field.name()
                + "'; rename one");
      }
    }
    boolean fieldsOk = problems.all().size() == problemsBefore;
    Set<String> names = new HashSet<>();
    for (OnDemandFeature feature : view.features()) {
      if (!names.add(feature.name())) {
        problems.add(
            locations.namedItem(kind, view.name(), "features", feature.name()).orElseThrow(),
            subject + " has two features named '" + feature.name() + "'; rename one");
      }
    }
    if (!inputsKnown || !fieldsOk || parsed.hasIncompleteRequest(view.name())) {
      return; // every expression reading the input or field would report it again
    }
    OnDemandCompiler.CompiledView compiled = OnDemandCompiler.compile(view, definitions);
    compiled
        .problems()
        .forEach(
            (feature, problem) ->
                problems.add(
                    locations
                        .namedItemValue(kind, view.name(), "features", feature, "expression")
                        .orElseThrow(),
                    "feature '" + feature + "' of " + subject + ": " + problem));
  }

  private void validateView(FeatureView view) {
    String subject = "feature view '" + view.name() + "'";
    Set<String> seenEntities = new HashSet<>();
    Map<String, String> entityByJoinKey = new HashMap<>();
    for (String entityName : view.entities()) {
      SourceLocation at =
          itemLocation(ObjectKind.FEATURE_VIEW, view.name(), "entities", entityName);
      if (!seenEntities.add(entityName)) {
        problems.add(at, subject + " lists entity '" + entityName + "' twice");
        continue;
      }
      if (!declared.get(ObjectKind.ENTITY).containsKey(entityName)) {
        reportUnknownReference(at, subject, ObjectKind.ENTITY, entityName);
        continue;
      }
      Optional<Entity> entity = definitions.entity(entityName);
      if (entity.isEmpty()) {
        continue;
      }
      String joinKey = entity.get().joinKey();
      String other = entityByJoinKey.putIfAbsent(joinKey, entityName);
      if (other != null) {
        problems.add(
            at,
            subject
                + " has entities '"
                + other
                + "' and '"
                + entityName
                + "' with the same join key '"
                + joinKey
                + "'");
      }
      view.feature(joinKey)
          .ifPresent(
              feature ->
                  problems.add(
                      featureLocation(view, feature.name()),
                      "feature '"
                          + feature.name()
                          + "' of "
                          + subject
                          + " has the same name as the join key of entity '"
                          + entityName
                          + "'; rename the feature"));
      if (view.isAggregation()
          && view.sourceColumns().stream().anyMatch(c -> c.name().equals(joinKey))) {
        problems.add(
            locations.aggregationValue(view.name(), joinKey, "column").orElseThrow(),
            subject
                + " aggregates column '"
                + joinKey
                + "', the join key of entity '"
                + entityName
                + "': every event of a key has the same value; use count without a column to"
                + " count events");
      }
    }
    // An empty source was already reported as missing.
    if (!view.source().isEmpty() && !declared.get(ObjectKind.SOURCE).containsKey(view.source())) {
      reportUnknownReference(
          valueLocation(ObjectKind.FEATURE_VIEW, view.name(), "source"),
          subject,
          ObjectKind.SOURCE,
          view.source());
    }
    definitions
        .eventSource(view.source())
        .ifPresent(source -> checkTimestampColumns(view, subject, source));
    definitions
        .streamSourceOf(view)
        .flatMap(stream -> definitions.source(stream.batchSource()))
        .ifPresent(batch -> checkTimestampColumns(view, subject, batch));
    if (view.knownTime() == KnownTime.CREATED) {
      definitions
          .eventSource(view.source())
          .filter(
              source ->
                  !(source instanceof ParquetSource parquet)
                      || parquet.createdTimestampField() == null)
          .ifPresent(
              source ->
                  problems.add(
                      valueLocation(ObjectKind.FEATURE_VIEW, view.name(), "known_time"),
                      subject
                          + " has known_time: created, but its source '"
                          + source.name()
                          + "' has no created_timestamp_field to know rows by; add one, or use"
                          + " known_time: event"));
    }
    Set<String> seenFeatures = new HashSet<>();
    Map<Integer, String> featureByHash = new HashMap<>();
    for (Feature feature : view.features()) {
      if (!seenFeatures.add(feature.name())) {
        // An aggregation view's repeats were reported where its aggregations were parsed.
        if (!view.isAggregation()) {
          problems.add(
              featureLocation(view, feature.name()),
              "duplicate feature '" + feature.name() + "' in " + subject);
        }
        continue;
      }
      String other = featureByHash.putIfAbsent(Feature.nameHash(feature.name()), feature.name());
      if (other != null) {
        // Online rows store values under the hash: the two would read as one.
        problems.add(
            featureLocation(view, feature.name()),
            "features '"
                + other
                + "' and '"
                + feature.name()
                + "' of "
                + subject
                + " have the same name hash in online rows; rename one of them");
      }
    }
  }

  /**
   * A view cannot read its source's timestamp columns as features or aggregate them: the engines
   * read those columns as the rows' times, once.
   */
  private void validateStreamSource(KafkaSource source, Map<String, String> sourceByTopic) {
    String subject = "source '" + source.name() + "'";
    String other = sourceByTopic.putIfAbsent(source.topic(), source.name());
    if (other != null && !source.topic().isEmpty()) {
      problems.add(
          valueLocation(ObjectKind.SOURCE, source.name(), "topic"),
          subject
              + " reads topic '"
              + source.topic()
              + "', as source '"
              + other
              + "' does; a topic is ingested through one source: give the views of both the same"
              + " source");
    }
    if (source.batchSource().isEmpty()) {
      return;
    }
    SourceLocation at = valueLocation(ObjectKind.SOURCE, source.name(), "batch_source");
    if (!declared.get(ObjectKind.SOURCE).containsKey(source.batchSource())) {
      reportUnknownReference(at, subject, ObjectKind.SOURCE, source.batchSource());
      return;
    }
    if (definitions.streamSource(source.batchSource()).isPresent()) {
      problems.add(
          at,
          subject
              + " has batch_source '"
              + source.batchSource()
              + "', a Kafka source; a batch source is a Parquet source holding the same events");
      return;
    }
    Optional<ParquetSource> batch = definitions.source(source.batchSource());
    if (batch.isEmpty() || !source.logToOffline()) {
      return;
    }
    SourceLocation log = valueLocation(ObjectKind.SOURCE, source.name(), "log_to_offline");
    String path = batch.get().path();
    if (path.endsWith(".parquet") || path.matches(".*[*?\\[{].*")) {
      problems.add(
          log,
          subject
              + " logs to batch source '"
              + batch.get().name()
              + "', whose path '"
              + path
              + "' is a file or a glob; logged events are new files in a folder: make the batch"
              + " source's path the folder of its Parquet files");
    }
    if (batch.get().createdTimestampField() != null) {
      problems.add(
          log,
          subject
              + " logs to batch source '"
              + batch.get().name()
              + "', which has created_timestamp_field '"
              + batch.get().createdTimestampField()
              + "'; streamed events have no created time: log to a source without one");
    }
  }

  private void checkTimestampColumns(FeatureView view, String subject, EventSource source) {
    for (Feature column : view.sourceColumns()) {
      String read = source.columnFor(column.name());
      String created =
          source instanceof ParquetSource parquet ? parquet.createdTimestampField() : null;
      String role =
          read.equals(source.timestampField())
              ? "timestamp_field"
              : read.equals(created) ? "created_timestamp_field" : null;
      if (role == null) {
        continue;
      }
      problems.add(
          view.isAggregation()
              ? locations.aggregationValue(view.name(), column.name(), "column").orElseThrow()
              : featureLocation(view, column.name()),
          subject
              + (view.isAggregation() ? " aggregates column '" : " reads feature '")
              + column.name()
              + "', the "
              + role
              + " of source '"
              + source.name()
              + "'"
              + (view.isAggregation()
                  ? ": each window's newest event time is its features' event timestamp online;"
                      + " to aggregate event times, copy them into another column"
                  : ": the rows' times are not features; copy them into another column"));
    }
  }

  private void validateService(FeatureService service) {
    String subject = "feature service '" + service.name() + "'";
    Set<FeatureReference> seen = new HashSet<>();
    Map<String, Integer> occurrences = new HashMap<>();
    for (FeatureReference ref : service.features()) {
      int occurrence = occurrences.merge(ref.toString(), 1, Integer::sum);
      SourceLocation at =
          itemLocation(
              ObjectKind.FEATURE_SERVICE, service.name(), "features", ref.toString(), occurrence);
      if (!seen.add(ref)) {
        problems.add(at, subject + " lists '" + ref + "' twice");
        continue;
      }
      if (declared.get(ObjectKind.ON_DEMAND_FEATURE_VIEW).containsKey(ref.view())) {
        validateFeatureReference(
            service,
            ref,
            at,
            subject,
            "on-demand feature view",
            definitions.onDemandFeatureView(ref.view()).map(OnDemandFeatureView::featureNames));
        continue;
      }
      if (!declared.get(ObjectKind.FEATURE_VIEW).containsKey(ref.view())) {
        if (!parsed.mayBeInUnparsedFile(ref.view())) {
          // A service lists on-demand views too, so the hint looks among both.
          Set<String> views = new TreeSet<>(declared.get(ObjectKind.FEATURE_VIEW).keySet());
          views.addAll(declared.get(ObjectKind.ON_DEMAND_FEATURE_VIEW).keySet());
          problems.add(
              at,
              subject
                  + " references unknown feature view '"
                  + ref.view()
                  + "'"
                  + Suggestions.hint(ref.view(), views));
        }
        continue;
      }
      validateFeatureReference(
          service,
          ref,
          at,
          subject,
          "feature view",
          definitions.featureView(ref.view()).map(FeatureView::featureNames));
    }
  }

  /**
   * A service's reference to one feature of a view of either kind: the view has the feature ({@code
   * featureNames}, when the view could be read), and the whole view is not listed as well.
   */
  private void validateFeatureReference(
      FeatureService service,
      FeatureReference ref,
      SourceLocation at,
      String subject,
      String viewKind,
      Optional<List<String>> featureNames) {
    if (ref.isWholeView()) {
      return;
    }
    if (featureNames.isPresent() && !featureNames.get().contains(ref.feature())) {
      problems.add(
          at,
          subject
              + " references feature '"
              + ref.feature()
              + "' that "
              + viewKind
              + " '"
              + ref.view()
              + "' does not have"
              + Suggestions.hint(ref.feature(), featureNames.get()));
    } else if (service.features().contains(FeatureReference.wholeView(ref.view()))) {
      problems.add(
          at, subject + " lists '" + ref + "' twice (it is also part of '" + ref.view() + "')");
    }
  }

  /** Unless the object may be in a file that could not be parsed, whose problem says enough. */
  private void reportUnknownReference(
      SourceLocation at, String subject, ObjectKind kind, String name) {
    if (!parsed.mayBeInUnparsedFile(name)) {
      problems.add(at, unknownReference(subject, kind, name));
    }
  }

  private String unknownReference(String subject, ObjectKind kind, String name) {
    return subject
        + " references unknown "
        + kind.displayName()
        + " '"
        + name
        + "'"
        + Suggestions.hint(name, declared.get(kind).keySet());
  }

  // Every object validated was parsed from a node, so each location below exists.

  private SourceLocation valueLocation(ObjectKind kind, String name, String key) {
    return locations.value(kind, name, key).orElseThrow();
  }

  private SourceLocation itemLocation(ObjectKind kind, String name, String key, String text) {
    return locations.item(kind, name, key, text).orElseThrow();
  }

  private SourceLocation itemLocation(
      ObjectKind kind, String name, String key, String text, int occurrence) {
    return locations.item(kind, name, key, text, occurrence).orElseThrow();
  }

  private SourceLocation featureLocation(FeatureView view, String featureName) {
    return locations.feature(view.name(), featureName).orElseThrow();
  }
}
